import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { PurgeExpiredDataUseCase, type PurgeReport } from './purge-expired-data.use-case';

/** Runs the retention purge every RETENTION_PURGE_INTERVAL_MS in each replica (0 = never), one pass at a time. */
@Injectable()
export class RetentionScheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private pass?: Promise<PurgeReport | null>;
  private readonly log = rootLogger().child({ component: 'retention' });

  constructor(
    private readonly purge: PurgeExpiredDataUseCase,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.RETENTION_PURGE_INTERVAL_MS;
    if (every === 0) return;
    this.timer = setInterval(() => {
      this.pass ??= this.purge
        .execute(new Date())
        .then((report) => {
          this.log.info({ report }, 'retention pass done');
          return report;
        })
        .catch((err: unknown) => {
          this.log.warn({ err }, 'retention pass failed; the next pass retries');
          return null;
        })
        .finally(() => (this.pass = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.pass;
  }
}
