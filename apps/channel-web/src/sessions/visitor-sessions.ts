import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { conversationId } from '@omni/contracts';
import { Breaker, createBreaker } from '@omni/resilience';
import { WEB_CONFIG, WebConfig } from '../config';
import { SessionTokens, hashToken } from './session-token';
import { WEB_SESSIONS, WebSessionDoc, WebSessions } from './web-session.store';

export interface OpenedSession {
  readonly sessionId: string;
  /** Set only when a new session was issued: the widget keeps it for the next visit. */
  readonly token?: string;
}

/**
 * Who a web visitor is (issue 15 #3): a session the server issued, proven by its signed token and
 * found by the token's hash. A token that is forged, tampered with, or not (or no longer) on
 * record gets a new session, never someone else's; the session id a visitor could have read
 * elsewhere proves nothing.
 */
@Injectable()
export class VisitorSessions implements OnModuleDestroy {
  private readonly tokens: SessionTokens;
  private readonly saving: Breaker<[WebSessionDoc], void>;
  private readonly finding: Breaker<[string], WebSessionDoc | null>;

  constructor(@Inject(WEB_CONFIG) private readonly config: WebConfig, @Inject(WEB_SESSIONS) store: WebSessions) {
    this.tokens = new SessionTokens(config.WEB_SESSION_SECRET, config.WEB_ACCOUNT_ID);
    this.saving = createBreaker('mongodb:web-sessions-save', (d: WebSessionDoc) => store.save(d), { timeout: 3_000 });
    this.finding = createBreaker('mongodb:web-sessions-find', (h: string) => store.find(h), { timeout: 3_000 });
  }

  /** Resumes the token's session, or issues a new one (a missing, forged or unknown token). */
  async open(token: string | undefined): Promise<OpenedSession> {
    if (token) {
      const sessionId = this.tokens.verify(token);
      if (sessionId) {
        const doc = await this.finding.fire(hashToken(token));
        if (doc?.sessionId === sessionId) return { sessionId };
      }
    }
    const issued = this.tokens.issue();
    await this.saving.fire({
      _id: issued.tokenHash,
      sessionId: issued.sessionId,
      conversationId: conversationId(this.config.TENANT_ID, 'web', this.config.WEB_ACCOUNT_ID, issued.sessionId),
      createdAt: new Date(),
    });
    return { sessionId: issued.sessionId, token: issued.token };
  }

  onModuleDestroy(): void {
    this.saving.shutdown();
    this.finding.shutdown();
  }
}
