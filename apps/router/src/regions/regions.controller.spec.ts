import type { Connection } from 'mongoose';
import type { MessageDoc, MessageRepository, TenantDirectory, TenantReplicaRepository } from '@omni/persistence';
import type { RegionDirectory } from './region-directory';
import { RegionsController } from './regions.controller';

/**
 * `GET /v1/regions/sends/{id}` as a peer region's channel app asks it (ADR 0300, issue 13): whether this
 * region decided the send (and at which epoch), and whether the provider's status webhook for it reached
 * this region (`send_confirmations`, written by this region's channel app).
 */
describe('RegionsController: a send as a peer region asks about it', () => {
  function controller(messages: Record<string, Partial<MessageDoc>>, confirmations: Record<string, { providerMessageId?: string }>) {
    const repo = { get: async (id: string) => (messages[id] ?? null) as MessageDoc | null } as unknown as MessageRepository;
    const connection = {
      collection: (name: string) => ({
        findOne: async (q: { _id: string }) => (name === 'send_confirmations' && confirmations[q._id] ? { _id: q._id, accountId: 'pn', ...confirmations[q._id] } : null),
      }),
    } as unknown as Connection;
    return new RegionsController({} as RegionDirectory, {} as TenantReplicaRepository, {} as TenantDirectory, repo, connection);
  }

  it("answers decided with its epoch, and the provider's confirmation of the tenant's send (or of one it never stored), never of another tenant's", async () => {
    const c = controller(
      { 'r-1': { direction: 'outbound', tenantId: 't1', regionEpoch: 4 }, 'r-3': { direction: 'outbound', tenantId: 't2' } },
      { 'r-1': { providerMessageId: 'wamid.1' }, 'r-2': { providerMessageId: 'wamid.2' }, 'r-3': { providerMessageId: 'wamid.3' } },
    );
    expect(await c.send('r-1', { tenantId: 't1' })).toEqual({ sendId: 'r-1', decided: true, epoch: 4, confirmed: { providerMessageId: 'wamid.1' } });
    // The peer's channel app received the status of a send whose command this region never stored (it was not its to decide).
    expect(await c.send('r-2', { tenantId: 't1' })).toEqual({ sendId: 'r-2', decided: false, confirmed: { providerMessageId: 'wamid.2' } });
    expect(await c.send('r-3', { tenantId: 't1' })).toEqual({ sendId: 'r-3', decided: false });
    expect(await c.send('r-4', { tenantId: 't1' })).toEqual({ sendId: 'r-4', decided: false });
  });
});
