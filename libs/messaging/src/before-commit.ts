import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Effects a consumer's handler starts but need not wait for on its own path — a conversation event
 * for agents' screens, an AI outcome for the prediction log — are awaited by the consumer after the
 * handler returns and before the record counts as done (its offset committed): the handler goes on
 * at once (its next store command, its next Kafka hop) while the effect travels, and a failed effect
 * still fails the record, which is tried again like any failure (every handler is idempotent; each
 * such effect has a derived id). Outside a handler (an HTTP route, a timer) an effect is awaited where
 * it is started, as before. ADR 0011, seventh step.
 */
interface Scope {
  readonly pending: Promise<unknown>[];
  /** Set once the consumer has waited: a timer the handler started and that outlives it awaits in place. */
  closed: boolean;
}

const scope = new AsyncLocalStorage<Scope>();

/** Inside a handler: `effect` is awaited before the record is done; elsewhere: awaited here. */
export async function beforeCommit(effect: Promise<unknown>): Promise<void> {
  const s = scope.getStore();
  if (!s || s.closed) {
    await effect;
    return;
  }
  // Awaited by the consumer: not an unhandled rejection while it waits.
  effect.catch(() => undefined);
  s.pending.push(effect);
}

/** Runs `work` (a handler), then waits for every effect it deferred; a failure of either fails the whole. */
export async function withBeforeCommit<T>(work: () => Promise<T>): Promise<T> {
  const s: Scope = { pending: [], closed: false };
  try {
    const result = await scope.run(s, work);
    // An effect may defer another (it runs in the same scope): wait until none is left.
    for (let done = 0; done < s.pending.length; ) {
      const batch = s.pending.slice(done);
      done = s.pending.length;
      const failed = (await Promise.allSettled(batch)).find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
    }
    return result;
  } catch (err) {
    // Nothing still running when the record is retried or parked.
    await Promise.allSettled(s.pending);
    throw err;
  } finally {
    s.closed = true;
  }
}
