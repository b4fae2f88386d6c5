/** Spec helpers: a config and an in-memory session store. */
import { DEMO_SECRETS_KEK } from '@omni/secrets';
import { WebConfig, WebConfigSchema } from './config';
import type { WebSessionDoc, WebSessions } from './sessions/web-session.store';

export function aWebConfig(env: Record<string, string> = {}): WebConfig {
  return WebConfigSchema.parse({ WEB_SESSION_SECRET: 'a-test-secret-of-at-least-32-characters', SECRETS_KEK: DEMO_SECRETS_KEK, ...env });
}

export class InMemoryWebSessions implements WebSessions {
  readonly docs = new Map<string, WebSessionDoc>();

  save(doc: WebSessionDoc): Promise<void> {
    this.docs.set(doc._id, doc);
    return Promise.resolve();
  }

  find(tokenHash: string): Promise<WebSessionDoc | null> {
    return Promise.resolve(this.docs.get(tokenHash) ?? null);
  }
}
