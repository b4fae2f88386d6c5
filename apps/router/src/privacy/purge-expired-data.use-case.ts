import { Inject, Injectable } from '@nestjs/common';
import { MEDIA_STORE, MediaStore, RETENTION_REPOSITORY, RetentionRepository } from '@omni/persistence';
import { rootLogger } from '@omni/telemetry';
import { ROUTER_CONFIG, type RouterConfig } from '../config';
import { EraseCustomerUseCase } from './erase-customer.use-case';
import { cutoffs, defaultRetention, retentionPolicy } from './retention-policy';

/** Per tenant and kind, at most this many records a pass; the next pass goes on. */
const BATCH = 500;
const CUSTOMERS_PER_PASS = 100;

export interface PurgeReport {
  tenants: number;
  /** Tenants whose stored retention settings did not parse (kept on the defaults, logged). */
  invalidSettings: string[];
  customersErased: number;
  messagesRedacted: number;
  botTurns: number;
  workflowRuns: number;
  /** Agents' internal notes (ADR 0700), with the messages' age. */
  notes: number;
  mediaDeleted: number;
  mediaKept: number;
  predictions: number;
  emailThreads: number;
  webSessions: number;
  sends: number;
  sendOutcomes: number;
  sendConfirmations: number;
  sendResends: number;
  sendHolds: number;
}

/**
 * One retention pass (ADR 0501): for each tenant, customers quiet past their retention are erased
 * exactly as a data-subject request erases them (every store, a receipt with `requestedBy: retention`),
 * files of old messages are deleted (unless a newer message uses the same bytes), old messages are
 * redacted and the prediction log trimmed; then the channel apps' untenanted stores are trimmed.
 * Bounded per pass and idempotent: replicas running it together repeat work, never undo it.
 */
@Injectable()
export class PurgeExpiredDataUseCase {
  private readonly log = rootLogger().child({ component: 'retention' });

  constructor(
    @Inject(RETENTION_REPOSITORY) private readonly retention: RetentionRepository,
    @Inject(MEDIA_STORE) private readonly media: MediaStore,
    private readonly erase: EraseCustomerUseCase,
    @Inject(ROUTER_CONFIG) private readonly config: RouterConfig,
  ) {}

  async execute(now: Date): Promise<PurgeReport> {
    const report: PurgeReport = {
      tenants: 0, invalidSettings: [], customersErased: 0, messagesRedacted: 0, botTurns: 0, workflowRuns: 0, notes: 0, mediaDeleted: 0, mediaKept: 0, predictions: 0,
      emailThreads: 0, webSessions: 0, sends: 0, sendOutcomes: 0, sendConfirmations: 0, sendResends: 0, sendHolds: 0,
    };
    const defaults = defaultRetention(this.config);
    for (const { tenantId, retention } of await this.retention.tenants()) {
      report.tenants++;
      let policy = defaults;
      try {
        policy = retentionPolicy(retention, defaults);
      } catch (err) {
        report.invalidSettings.push(tenantId);
        this.log.warn({ tenantId, err }, 'tenant retention settings do not parse; the defaults apply');
      }
      const at = cutoffs(policy, now);
      if (at.customers) {
        for (const customerId of await this.retention.inactiveCustomers(tenantId, at.customers, CUSTOMERS_PER_PASS)) {
          if (await this.erase.execute({ tenantId, customerId, requestedBy: 'retention', at: now })) report.customersErased++;
        }
      }
      if (at.media) {
        const old = await this.retention.oldAttachments(tenantId, at.media, BATCH);
        // Files first, while the messages still name them: a pass failing half-way finds them again.
        for (const storeId of old.exclusive) if (await this.media.delete(tenantId, storeId)) report.mediaDeleted++;
        report.mediaKept += old.kept.length;
        await this.retention.dropAttachments(tenantId, old.messageIds);
      }
      if (at.messages) {
        const expired = await this.retention.expireMessages(tenantId, at.messages, BATCH);
        report.messagesRedacted += expired.messages;
        report.botTurns += expired.botTurns;
        report.workflowRuns += expired.workflowRuns;
        report.notes += expired.notes;
      }
      if (at.predictions) report.predictions += await this.retention.deletePredictions(tenantId, at.predictions);
    }
    const day = 86_400_000;
    const before = (days: number) => new Date(days > 0 ? now.getTime() - days * day : 0);
    const channel = await this.retention.purgeChannelStores({
      emailThreads: before(this.config.RETENTION_EMAIL_THREADS_DAYS),
      webSessions: before(this.config.RETENTION_WEB_SESSIONS_DAYS),
      sendLedger: before(this.config.RETENTION_SEND_LEDGER_DAYS),
    });
    Object.assign(report, channel);
    return report;
  }
}
