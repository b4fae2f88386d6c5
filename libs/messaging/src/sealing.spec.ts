import { ValidationError, createEvent, fromKafkaRecord, toKafkaRecord, toSealedKafkaRecord, type CloudEvent } from '@omni/contracts';
import { ConversationDataKeys, newMemoryDataKeyStore, newTestEnvelopes } from '@omni/secrets';
import { ConversationEventSealing, ERASED } from './sealing';

const at = '2026-12-07T10:00:00.000Z';
const received = (tenantId: string, conversationId: string, id = 'ev-1'): CloudEvent =>
  createEvent({
    type: 'omni.message.received.v1', id, source: '/channels/whatsapp/a1', subject: conversationId, tenantId, region: 'local',
    data: {
      tenantId, region: 'local', channel: 'whatsapp', accountId: 'a1', conversationId,
      customer: { channelUserId: '351912345678', displayName: 'Ana Silva' },
      message: {
        channelMessageId: 'wamid.1', direction: 'inbound', type: 'document', text: 'my IBAN is PT50000201231234567890154', timestamp: at,
        attachments: [{ kind: 'document', mime: 'application/pdf', url: 'https://media.example/ana-silva-invoice.pdf' }],
      },
    },
  });

function setup(optedIn = new Set(['t1'])) {
  const { kms } = newTestEnvelopes();
  const store = newMemoryDataKeyStore();
  const sealing = new ConversationEventSealing(new ConversationDataKeys(kms, store, { cacheMs: 0 }), {
    types: new Set(['omni.message.received.v1']), optedIn: async (t) => optedIn.has(t),
  });
  return { store, sealing };
}
const PERSONAL = ['Ana Silva', '351912345678', 'PT50000201231234567890154', 'ana-silva-invoice'];

describe('sealed events (crypto-shredding, ADR 0501)', () => {
  it('seals an opted-in tenant’s inbound message: no personal field on the record, the headers readable; the consumer opens it', async () => {
    const { sealing } = setup();
    const event = received('t1', 'conv-1');
    const sealed = await sealing.seal(event);
    if (!sealed) throw new Error('not sealed');
    const record = toSealedKafkaRecord(event, sealed.keyId, sealed.value);
    const bytes = `${record.value.toString('latin1')}${JSON.stringify(record.headers)}`;
    for (const p of PERSONAL) expect(bytes).not.toContain(p);
    expect(record.headers).toMatchObject({ ce_subject: 'conv-1', ce_tenantid: 't1', ce_datakey: sealed.keyId, 'content-type': 'application/vnd.omni.sealed' });
    const consumed = fromKafkaRecord(record);
    expect(consumed.datakey).toBe(sealed.keyId);
    expect(await sealing.open(consumed)).toEqual(event.data);
  });

  it('leaves other tenants and other event types in clear (the ★ contract of tenants that did not opt in)', async () => {
    const { sealing } = setup();
    expect(await sealing.seal(received('t2', 'conv-2'))).toBeNull();
    const status = createEvent({
      type: 'omni.message.status.v1', id: 's1', source: '/x', subject: 'conv-1', tenantId: 't1', region: 'local',
      data: { tenantId: 't1', region: 'local', channel: 'web', accountId: 'a1', conversationId: 'conv-1', messageId: 'm1', status: 'sent', timestamp: at },
    });
    expect(await sealing.seal(status)).toBeNull();
  });

  it('answers ERASED for an event whose key was destroyed, and refuses bytes moved onto another event', async () => {
    const { sealing, store } = setup();
    const event = received('t1', 'conv-1');
    const sealed = await sealing.seal(event);
    if (!sealed) throw new Error('not sealed');
    const moved = fromKafkaRecord(toSealedKafkaRecord({ ...event, id: 'ev-2' }, sealed.keyId, sealed.value));
    await expect(sealing.open(moved)).rejects.toThrow(ValidationError);
    store.destroy('conv-1');
    expect(await sealing.open(fromKafkaRecord(toSealedKafkaRecord(event, sealed.keyId, sealed.value)))).toBe(ERASED);
  });

  it('refuses a sealed content type without a key, and a key header on a JSON value', () => {
    const record = toKafkaRecord(received('t1', 'conv-1'));
    expect(() => fromKafkaRecord({ ...record, headers: { ...record.headers, ce_datakey: 'dk_1' } })).toThrow(/ce_datakey with content-type application\/json/);
    expect(() => fromKafkaRecord({ ...record, headers: { ...record.headers, 'content-type': 'application/vnd.omni.sealed' } })).toThrow(/unsupported content-type/);
  });
});
