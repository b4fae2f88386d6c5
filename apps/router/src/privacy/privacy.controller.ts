import { Controller, Delete, Get, Inject, Param, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { NotFoundError } from '@omni/contracts';
import { CustomerExport, PRIVACY_REPOSITORY, PrivacyRepository, PrivacyRequestDoc } from '@omni/persistence';
import { rootLogger } from '@omni/telemetry';
import { AuthGuard, Caller, CallerOf, Requires } from '@omni/auth';
import { EraseCustomerUseCase } from './erase-customer.use-case';

/**
 * Data-subject requests of a tenant's customer (a channel identity): access (export) and erasure.
 * Admin keys only; tenant-scoped like every API route (another tenant's customer is 404).
 */
@ApiTags('privacy')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@Controller('v1/customers/:customerId/personal-data')
export class PrivacyController {
  private readonly log = rootLogger().child({ component: 'privacy' });

  constructor(
    @Inject(PRIVACY_REPOSITORY) private readonly privacy: PrivacyRepository,
    private readonly eraseCustomer: EraseCustomerUseCase,
  ) {}

  @Get()
  @Requires('personal-data.manage')
  @ApiOperation({ summary: 'Export everything stored about the customer: identity, conversations, messages, the stored media they reference (GDPR art. 15, CCPA access)' })
  async export(@CallerOf() caller: Caller, @Param('customerId') customerId: string): Promise<CustomerExport> {
    const data = await this.privacy.export(caller.tenantId, customerId);
    if (!data) throw new NotFoundError('customer');
    return data;
  }

  @Delete()
  @Requires('personal-data.manage')
  @ApiOperation({
    summary: 'Erase the customer: identity deleted; message texts, attachments (stored files too) and AI readings of their conversations removed; '
      + 'timestamps and statuses kept for reports (GDPR art. 17, CCPA deletion)',
  })
  async erase(@CallerOf() caller: Caller, @Param('customerId') customerId: string): Promise<PrivacyRequestDoc> {
    const done = await this.eraseCustomer.execute({ tenantId: caller.tenantId, customerId, requestedBy: caller.keyName, at: new Date() });
    if (!done) throw new NotFoundError('customer');
    // The log names the request and its tombstone, never the person.
    this.log.info({ request: done._id, subject: done.subject, counts: done.counts, media: done.media }, 'customer erased');
    return done;
  }
}
