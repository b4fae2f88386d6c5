import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { LATEST_TENANT_SETTINGS, type LatestTenantSettings } from '@omni/persistence';
import { Breaker, createBreaker } from '@omni/resilience';
import { type WidgetTexts, widgetTextsFor } from './protocol';

/** The tenant's widget texts (its `widgetTexts` setting, ADR 0602) for a visitor's locale, read through a breaker with a timeout. */
@Injectable()
export class WidgetTextsService implements OnModuleDestroy {
  private readonly breaker: Breaker<[string], Record<string, unknown>>;

  constructor(@Inject(LATEST_TENANT_SETTINGS) settings: LatestTenantSettings) {
    this.breaker = createBreaker('mongodb:tenant-settings', (tenantId: string) => settings.of(tenantId), { timeout: 2_000 });
  }

  async forVisitor(tenantId: string, locale: string | undefined): Promise<WidgetTexts | undefined> {
    return widgetTextsFor((await this.breaker.fire(tenantId)).widgetTexts, locale);
  }

  onModuleDestroy(): void {
    this.breaker.shutdown();
  }
}
