import { MemoryMediaStore, type CustomerMediaRefs, type PrivacyRepository, type PrivacyRequestDoc, sha256Hex } from '@omni/persistence';
import { EraseCustomerUseCase } from './erase-customer.use-case';

const OWN = Buffer.from('a photo only this customer sent');
const SHARED = Buffer.from('a meme others sent too');

/** The repository as far as erasure uses it: the media refs until the messages are redacted. */
function fakePrivacy(opts: { failErase?: number } = {}) {
  const calls: string[] = [];
  let customer = true;
  let failures = opts.failErase ?? 0;
  const refs: CustomerMediaRefs = { exclusive: [sha256Hex(OWN)], shared: [sha256Hex(SHARED)] };
  const repo: Pick<PrivacyRepository, 'mediaOf' | 'erase'> = {
    mediaOf: async () => (calls.push('mediaOf'), customer ? refs : null),
    erase: async (tenantId, _id, requestedBy, at, media) => {
      calls.push('erase');
      if (failures-- > 0) throw new Error('connection lost');
      customer = false;
      return { _id: 'r1', tenantId, kind: 'erase', subject: 'erased-1', requestedBy, at, counts: { customers: 1, conversations: 1, messages: 2, botTurns: 0 }, media } satisfies PrivacyRequestDoc;
    },
  };
  return { repo: repo as PrivacyRepository, calls };
}

describe('EraseCustomerUseCase', () => {
  const cmd = { tenantId: 't1', customerId: 'cu-1', requestedBy: 'admin', at: new Date() };

  it('deletes the files only the customer references before the messages lose their references', async () => {
    const media = new MemoryMediaStore();
    await media.put('t1', OWN, { mime: 'image/jpeg', source: 'test' });
    await media.put('t1', SHARED, { mime: 'image/jpeg', source: 'test' });
    await media.put('t2', OWN, { mime: 'image/jpeg', source: 'test' });
    const deleteOrder: string[] = [];
    const spy = media.delete.bind(media);
    media.delete = async (t, id) => (deleteOrder.push(`${t}:${id}`), spy(t, id));
    const { repo, calls } = fakePrivacy();
    const done = await new EraseCustomerUseCase(repo, media).execute(cmd);
    expect(done?.media).toEqual({ deleted: 1, shared: 1 });
    expect(calls).toEqual(['mediaOf', 'erase']);
    expect(deleteOrder).toEqual([`t1:${sha256Hex(OWN)}`]);
    expect(await media.get('t1', sha256Hex(OWN))).toBeNull();
    expect(await media.get('t1', sha256Hex(SHARED))).not.toBeNull();
    expect(await media.get('t2', sha256Hex(OWN))).not.toBeNull(); // another tenant's identical bytes
  });

  it('finishes on a retry after failing half-way, and an erased customer is not found', async () => {
    const media = new MemoryMediaStore();
    await media.put('t1', OWN, { mime: 'image/jpeg', source: 'test' });
    const { repo } = fakePrivacy({ failErase: 1 });
    const useCase = new EraseCustomerUseCase(repo, media);
    await expect(useCase.execute(cmd)).rejects.toThrow('connection lost');
    expect(await media.get('t1', sha256Hex(OWN))).toBeNull(); // the files went first
    const retried = await useCase.execute(cmd);
    expect(retried?.media).toEqual({ deleted: 0, shared: 1 });
    expect(await useCase.execute(cmd)).toBeNull();
  });
});
