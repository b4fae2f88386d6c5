import { Inject, Injectable } from '@nestjs/common';
import { MEDIA_STORE, MediaStore, PRIVACY_REPOSITORY, PrivacyRepository, PrivacyRequestDoc } from '@omni/persistence';

export interface EraseCustomerCommand {
  readonly tenantId: string;
  readonly customerId: string;
  /** The API key's name: the erasure log says who asked. */
  readonly requestedBy: string;
  readonly at: Date;
}

/**
 * A data-subject erasure (ADR 0500) with the customer's stored files (ADR 0424). The files go first,
 * while the messages still name them: a request that fails half-way still finds the customer, and a
 * retry deletes what is left (deleting a file that is gone is a no-op) before the messages are redacted.
 * Files whose bytes a message of another conversation also references are kept.
 */
@Injectable()
export class EraseCustomerUseCase {
  constructor(
    @Inject(PRIVACY_REPOSITORY) private readonly privacy: PrivacyRepository,
    @Inject(MEDIA_STORE) private readonly media: MediaStore,
  ) {}

  async execute(cmd: EraseCustomerCommand): Promise<PrivacyRequestDoc | null> {
    const refs = await this.privacy.mediaOf(cmd.tenantId, cmd.customerId);
    if (!refs) return null;
    let deleted = 0;
    for (const storeId of refs.exclusive) if (await this.media.delete(cmd.tenantId, storeId)) deleted++;
    return this.privacy.erase(cmd.tenantId, cmd.customerId, cmd.requestedBy, cmd.at, { deleted, shared: refs.shared.length });
  }
}
