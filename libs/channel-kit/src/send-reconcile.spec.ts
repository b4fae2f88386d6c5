import { decideUnknownSend, sendReconcileConfigFromEnv } from './send-reconcile';

describe('decideUnknownSend (a claim without an outcome, issue 13)', () => {
  const claimedAt = new Date('2026-12-07T14:37:00.587Z');
  const at = (ageMs: number) => claimedAt.getTime() + ageMs;
  const base = { reconcilable: true, claimedAt, windowMs: 30_000 };

  it('a provider that echoes no key keeps at-most-once: unknown, whatever the age', () => {
    expect(decideUnknownSend({ ...base, reconcilable: false, now: at(0) })).toEqual({ kind: 'unknown' });
    expect(decideUnknownSend({ ...base, reconcilable: false, now: at(3_600_000), confirmation: { providerMessageId: 'wamid.X' } })).toEqual({ kind: 'unknown' });
  });

  it("the provider's status naming the key confirms it, within the window or after", () => {
    expect(decideUnknownSend({ ...base, now: at(5), confirmation: { providerMessageId: 'wamid.X' } })).toEqual({ kind: 'confirmed', providerMessageId: 'wamid.X' });
    expect(decideUnknownSend({ ...base, now: at(60_000), confirmation: {} })).toEqual({ kind: 'confirmed' });
  });

  it('no status: held for what is left of the window, then resent', () => {
    expect(decideUnknownSend({ ...base, now: at(0) })).toEqual({ kind: 'hold', remainingMs: 30_000 });
    expect(decideUnknownSend({ ...base, now: at(29_999) })).toEqual({ kind: 'hold', remainingMs: 1 });
    expect(decideUnknownSend({ ...base, now: at(30_000) })).toEqual({ kind: 'resend' });
  });

  it('a process started after the claim (a restart) waits the window from its start: the statuses missed while down come in the provider\'s retries', () => {
    expect(decideUnknownSend({ ...base, now: at(60_000), listeningSince: at(50_000) })).toEqual({ kind: 'hold', remainingMs: 20_000 });
    expect(decideUnknownSend({ ...base, now: at(80_000), listeningSince: at(50_000) })).toEqual({ kind: 'resend' });
    expect(decideUnknownSend({ reconcilable: true, windowMs: 30_000, now: at(10_000), listeningSince: at(0) })).toEqual({ kind: 'hold', remainingMs: 20_000 });
  });

  it('a claim without its time (written before it was kept) counts as past the window', () => {
    expect(decideUnknownSend({ reconcilable: true, windowMs: 30_000, now: at(0) })).toEqual({ kind: 'resend' });
  });

  it('the window: 30 s in production, 3 s in the test and demo profiles, SEND_RECONCILE_SECONDS up to 30', () => {
    expect(sendReconcileConfigFromEnv({})).toEqual({ windowMs: 30_000 });
    expect(sendReconcileConfigFromEnv({ OMNI_PROFILE: 'test' })).toEqual({ windowMs: 3_000 });
    expect(sendReconcileConfigFromEnv({ OMNI_PROFILE: 'demo', SEND_RECONCILE_SECONDS: '5' })).toEqual({ windowMs: 5_000 });
    expect(() => sendReconcileConfigFromEnv({ SEND_RECONCILE_SECONDS: '31' })).toThrow('SEND_RECONCILE_SECONDS');
  });
});
