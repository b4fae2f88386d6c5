import type { MediaStore, RetentionRepository } from '@omni/persistence';
import type { RouterConfig } from '../config';
import type { EraseCustomerUseCase } from './erase-customer.use-case';
import { PurgeExpiredDataUseCase } from './purge-expired-data.use-case';

const DAY = 86_400_000;
const now = new Date('2026-12-01T00:00:00Z');
const config = {
  RETENTION_CUSTOMERS_DAYS: 730, RETENTION_MESSAGES_DAYS: 365, RETENTION_MEDIA_DAYS: 180, RETENTION_PREDICTIONS_DAYS: 0,
  RETENTION_EMAIL_THREADS_DAYS: 365, RETENTION_WEB_SESSIONS_DAYS: 0, RETENTION_SEND_LEDGER_DAYS: 30,
} as RouterConfig;

function setup(tenants: Array<{ tenantId: string; retention?: unknown }>) {
  const calls: string[] = [];
  const repo: RetentionRepository = {
    tenants: async () => tenants,
    inactiveCustomers: async (t, before) => (calls.push(`inactive ${t} ${(now.getTime() - before.getTime()) / DAY}`), [`${t}-quiet`]),
    oldAttachments: async (t, before) => (calls.push(`attachments ${t} ${(now.getTime() - before.getTime()) / DAY}`), { messageIds: ['m1'], exclusive: ['f-own'], kept: ['f-shared'] }),
    dropAttachments: async (t, ids) => (calls.push(`drop ${t} ${ids.join()}`), ids.length),
    expireMessages: async (t, before) => (calls.push(`expire ${t} ${(now.getTime() - before.getTime()) / DAY}`), { messages: 2, botTurns: 1, workflowRuns: 0, notes: 1 }),
    deletePredictions: async (t) => (calls.push(`predictions ${t}`), 3),
    purgeChannelStores: async (b) => (calls.push(`channel ${[b.emailThreads, b.webSessions, b.sendLedger].map((d) => d.getTime() === 0 ? 'never' : (now.getTime() - d.getTime()) / DAY).join(' ')}`), { emailThreads: 1, webSessions: 0, sends: 4, sendOutcomes: 4, sendConfirmations: 2, sendResends: 1, sendHolds: 1 }),
  };
  const media = { delete: async (t: string, id: string) => (calls.push(`delete file ${t} ${id}`), true) } as unknown as MediaStore;
  const erase = { execute: async (c: { tenantId: string; customerId: string; requestedBy: string }) => (calls.push(`erase ${c.tenantId} ${c.customerId} by ${c.requestedBy}`), {}) } as unknown as EraseCustomerUseCase;
  return { useCase: new PurgeExpiredDataUseCase(repo, media, erase, config), calls };
}

describe('PurgeExpiredDataUseCase', () => {
  it('erases quiet customers, deletes old files before dropping them from the messages, redacts old messages, per tenant', async () => {
    const { useCase, calls } = setup([{ tenantId: 'acme', retention: { messagesDays: 30, predictionsDays: 90 } }, { tenantId: 'globex', retention: { customersDays: 0 } }]);
    const report = await useCase.execute(now);
    expect(calls).toEqual([
      'inactive acme 730', 'erase acme acme-quiet by retention',
      // acme keeps media 180 days but messages 30: the files go with the messages.
      'attachments acme 30', 'delete file acme f-own', 'drop acme m1', 'expire acme 30', 'predictions acme',
      'attachments globex 180', 'delete file globex f-own', 'drop globex m1', 'expire globex 365',
      'channel 365 never 30',
    ]);
    expect(report).toMatchObject({ tenants: 2, invalidSettings: [], customersErased: 1, mediaDeleted: 2, mediaKept: 2, messagesRedacted: 4, botTurns: 2, notes: 2, predictions: 3, emailThreads: 1, sends: 4 });
  });

  it('applies the defaults to a tenant whose stored settings do not parse, and says so', async () => {
    const { useCase, calls } = setup([{ tenantId: 'bad', retention: { messagesDays: 'forever' } }]);
    const report = await useCase.execute(now);
    expect(report.invalidSettings).toEqual(['bad']);
    expect(calls).toContain('expire bad 365');
  });
});
