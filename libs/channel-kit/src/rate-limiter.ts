import Bottleneck from 'bottleneck';

export interface RateLimitPlan {
  /** Sends per second for one account (a phone number, a page, a bot, a mailbox). */
  perAccountPerSecond: number;
  /** Sends per second to one recipient (Telegram: about 1 per chat). */
  perRecipientPerSecond?: number;
}

/**
 * The share of a provider's published limit the limiters aim at. The limiter spaces the starts of
 * sends, the provider counts their arrivals in a sliding window: 3% under the limit leaves ~30 ms of
 * jitter per window before a 429, and keeps ≥ 95% of the limit (issue 3's target, `npm run bench`).
 */
export const RATE_SAFETY = 0.97;

/**
 * Spaces sends to the provider's published limits instead of running into 429s: one limiter per
 * account (minTime = 1 s / rate, not rounded up: that cost Telegram another 2.5% on top of the
 * caller's margin) and, where the provider limits per recipient, one per recipient chained to it.
 * Bottleneck is the maintained library for exactly this.
 */
export class AccountRateLimiter {
  private readonly accounts = new Map<string, Bottleneck>();
  private readonly recipients = new Map<string, Bottleneck.Group>();

  constructor(private readonly plan: RateLimitPlan) {}

  schedule<T>(accountId: string, recipientId: string, fn: () => Promise<T>): Promise<T> {
    const account = this.account(accountId);
    if (!this.plan.perRecipientPerSecond) return account.schedule(fn);
    let group = this.recipients.get(accountId);
    if (!group) {
      group = new Bottleneck.Group({ maxConcurrent: 1, minTime: 1000 / this.plan.perRecipientPerSecond });
      group.on('created', (limiter) => limiter.chain(account));
      this.recipients.set(accountId, group);
    }
    return group.key(recipientId).schedule(fn);
  }

  private account(accountId: string): Bottleneck {
    let l = this.accounts.get(accountId);
    if (!l) {
      l = new Bottleneck({ minTime: 1000 / this.plan.perAccountPerSecond, maxConcurrent: null });
      this.accounts.set(accountId, l);
    }
    return l;
  }

  async stop(): Promise<void> {
    await Promise.all([...this.accounts.values()].map((l) => l.stop({ dropWaitingJobs: false })));
  }
}
