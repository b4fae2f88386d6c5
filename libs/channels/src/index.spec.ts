import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEvent, toKafkaRecord } from '@omni/contracts';
import { SignatureError, WhatsAppVerifier, decodeWhatsAppWebhook, hubSignature, toNewEvents } from './index';

const SECRET = 'fake-app-secret';
const raw = readFileSync(join(__dirname, '../fixtures/whatsapp/batched.json'));
const verifier = new WhatsAppVerifier({ appSecret: SECRET, verifyToken: 'v' });

/** What a channel app does with one webhook POST: verify the raw body, decode, build the records. */
function ingest(body: Buffer, signature: string | undefined) {
  verifier.verifySignature(body, signature);
  const result = decodeWhatsAppWebhook(JSON.parse(body.toString('utf8')), { tenantId: 't1', region: 'eu-1' });
  return toNewEvents(result).map((e) => toKafkaRecord(createEvent(e)));
}

describe('@omni/channels end to end (verify → decode → CloudEvents)', () => {
  it('turns a webhook delivered 3 times into the same records, keyed by conversation', () => {
    const runs = [1, 2, 3].map(() => ingest(raw, hubSignature(raw, SECRET)));
    const ids = runs.map((records) => records.map((r) => r.headers.ce_id));
    expect(ids[1]).toEqual(ids[0]);
    expect(ids[2]).toEqual(ids[0]);
    expect(runs[0]).toHaveLength(7);
    for (const r of runs[0]) {
      expect(r.key).toBe(r.headers.ce_subject);
      expect(r.headers.ce_source).toMatch(/^\/channels\/whatsapp\/\d+$/);
    }
    expect(runs[0].map((r) => r.headers.ce_type)).toEqual([...Array(5).fill('omni.message.received.v1'), 'omni.message.status.v1', 'omni.message.status.v1']);
  });

  it('produces nothing for an unsigned or altered webhook', () => {
    expect(() => ingest(raw, undefined)).toThrow(SignatureError);
    const altered = Buffer.from(raw.toString('utf8').replace('first', 'FIRST'));
    expect(() => ingest(altered, hubSignature(raw, SECRET))).toThrow(SignatureError);
  });
});
