import { z } from 'zod';

/**
 * Reconciling a send whose outcome is unknown (ADR 0423, issue 13): the ledger holds its claim but no
 * outcome — the process died (or was killed) inside the provider request. For a provider that echoes
 * our idempotency key on its status webhooks (WhatsApp Cloud API: `biz_opaque_callback_data`), the
 * provider's own record decides, instead of giving up:
 *   - a status naming the key (recorded by the webhook ingest, here or in the peer region) proves the
 *     provider accepted it: recorded sent, never resent;
 *   - none yet, and the claim (or this process, if it started later) is younger than the window: held
 *     (tried again later) — a status may still come;
 *   - none after the window: the request never reached the provider; sent again once, same key.
 * A provider without such an echo keeps at-most-once: reported `send_outcome_unknown`.
 */
export const SendReconcileEnvSchema = z.object({
  /**
   * How long a claim without an outcome waits for the provider's status webhook before it is sent
   * again. At most 30 s: a held command waits on the consumer's retry topic (1 s, 5 s, 30 s), and must
   * be decided before its last attempt.
   */
  SEND_RECONCILE_SECONDS: z.coerce.number().min(0).max(30).optional(),
});

/** The Nest token of the channel apps' SendReconcileConfig (ChannelKitModule, from the env). */
export const SEND_RECONCILE_CONFIG = Symbol('SEND_RECONCILE_CONFIG');

export interface SendReconcileConfig {
  windowMs: number;
}

/** 30 s in production; 3 s in the test and demo profiles (the drill's regions run the demo profile). */
export function sendReconcileConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SendReconcileConfig {
  const parsed = SendReconcileEnvSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid send reconcile env:\n${parsed.error.issues.map((i) => `  - ${i.path.join('.')}: ${i.message}`).join('\n')}`);
  const profile = env.OMNI_PROFILE ?? 'production';
  const seconds = parsed.data.SEND_RECONCILE_SECONDS ?? (profile === 'test' || profile === 'demo' ? 3 : 30);
  return { windowMs: seconds * 1000 };
}

/** The provider's own record of a send (a status webhook that named its key): the proof it accepted it. */
export interface SendConfirmation {
  providerMessageId?: string;
}

export interface UnknownSend {
  /** Whether the channel's provider echoes our key on its status webhooks (else: at-most-once). */
  reconcilable: boolean;
  /** When the send was claimed (undefined: an old claim, taken as past the window). */
  claimedAt?: Date;
  /**
   * Since when this process can take the provider's status webhooks (its start): a status the provider
   * could not deliver while the region was down comes in its retries after the restart, so the window
   * runs from the later of the claim and the start.
   */
  listeningSince?: number;
  /** A status naming the key, if one was recorded (here, or in the peer region when asked). */
  confirmation?: SendConfirmation;
  now: number;
  windowMs: number;
}

export type ReconcileDecision =
  | { kind: 'confirmed'; providerMessageId?: string }
  | { kind: 'hold'; remainingMs: number }
  | { kind: 'resend' }
  | { kind: 'unknown' };

/** What to do with a claim that has no outcome (see the module comment). */
export function decideUnknownSend(s: UnknownSend): ReconcileDecision {
  if (!s.reconcilable) return { kind: 'unknown' };
  if (s.confirmation) return { kind: 'confirmed', ...(s.confirmation.providerMessageId ? { providerMessageId: s.confirmation.providerMessageId } : {}) };
  const from = Math.max(s.claimedAt?.getTime() ?? Number.NEGATIVE_INFINITY, s.listeningSince ?? Number.NEGATIVE_INFINITY);
  const age = Number.isFinite(from) ? s.now - from : Number.POSITIVE_INFINITY;
  if (age < s.windowMs) return { kind: 'hold', remainingMs: s.windowMs - age };
  return { kind: 'resend' };
}
