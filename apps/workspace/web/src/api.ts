/** The router's API, same origin under ./api (the workspace app proxies it, ADR 0700). */
export interface Person { id: string; tenantId: string; name: string; role: 'admin' | 'supervisor' | 'agent'; agentId?: string }
export interface Session { accessToken: string; refreshToken: string; expiresAt: string; refreshExpiresAt: string; person: Person }

export interface Conversation {
  _id: string; channel: string; customerId: string; channelUserId: string; state: string; language?: string;
  agentId?: string; groupId?: string; since?: string; firstQueuedAt?: string; lastMessageAt: string; queueReason?: string;
  /** While queued: the customer's standing (VIP, priority) the router serves the queue by. */
  queue?: { vip: boolean; priority: number; firstQueuedAt?: string };
  handoff?: { at: string; reasons: { code: string; detail: string }[]; summary: HandoffSummary };
}
export interface HandoffSummary {
  text?: string; language?: string; turns?: number;
  intents?: { name: string; count: number; maxConfidence: number }[];
  entities?: { type: string; value: string }[];
  sentiment?: { trend?: string; scores?: number[] };
}
export interface StoredFile { storeId: string; size: number; mime: string }
export interface MessageAttachment { kind: string; mime: string; size?: number; storeId?: string; url?: string; filename?: string; caption?: string }
export interface Message {
  _id: string; conversationId: string; channel: string; direction: 'inbound' | 'outbound';
  author: { kind: string; id?: string; name?: string }; text?: string; timestamp: string; createdAt?: string; attachments?: MessageAttachment[];
  ai?: { language?: string; intent?: { name: string; confidence: number } | null; sentiment?: { label?: string; score: number } };
}
export interface History { conversations: { _id: string; channel: string; state: string; createdAt: string }[]; messages: Message[] }
export interface Agent { _id: string; name: string; presence: 'online' | 'away' | 'offline'; maxConcurrent: number; groupIds: string[]; languages: string[] }
/** `slaSeconds`: the first-response SLA; `resolutionSeconds`: the resolution SLA (each the group's own, else the tenant's setting). */
export interface SkillGroup { id: string; name?: string; slaSeconds?: number; resolutionSeconds?: number }

/** A refused or failed call: `status` 0 = the network (lost connection). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly reason: string) {
    super(reason);
  }
}

const KEY = 'omni.workspace.session';

export class Api {
  private session: Session | null;
  private refreshing: Promise<boolean> | null = null;

  constructor(private readonly onExpired: () => void) {
    const stored = sessionStorage.getItem(KEY);
    this.session = stored ? (JSON.parse(stored) as Session) : null;
  }

  get person(): Person | null {
    return this.session?.person ?? null;
  }

  async signIn(tenantId: string, email: string, password: string): Promise<Person> {
    const s = await this.raw<Session>('POST', '/v1/sessions', { tenantId, email, password }, false);
    this.keep(s);
    return s.person;
  }

  async signOut(): Promise<void> {
    try {
      if (this.session) await this.raw('DELETE', '/v1/sessions/current', undefined, true);
    } finally {
      this.keep(null);
    }
  }

  /** The bearer header of the current session (the live stream sends it too). */
  authorization(): string {
    return `Bearer ${this.session?.accessToken ?? ''}`;
  }

  /**
   * An authenticated call; an expired access token is refreshed once (single flight) and the call
   * repeated. A Blob body goes as it is, with its type (an upload); `as: 'blob'` reads the bytes.
   */
  async call<T>(method: string, path: string, body?: unknown, as: 'json' | 'blob' = 'json'): Promise<T> {
    try {
      return await this.raw<T>(method, path, body, true, as);
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401 || !this.session) throw err;
      if (!(await this.refresh())) throw err;
      return this.raw<T>(method, path, body, true, as);
    }
  }

  /** A file into the router's media store (ADR 0424), for a reply to reference by its storeId. */
  upload(file: File): Promise<StoredFile> {
    return this.call<StoredFile>('POST', `/v1/media?filename=${encodeURIComponent(file.name)}`, file);
  }

  /** Renews the session with its refresh token; false (and signed out) when that is refused too. */
  refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      try {
        const s = await this.raw<Session>('POST', '/v1/sessions/refresh', { refreshToken: this.session?.refreshToken ?? '' }, false);
        this.keep(s);
        return true;
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          this.keep(null);
          this.onExpired();
        }
        return false;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private keep(s: Session | null): void {
    this.session = s;
    if (s) sessionStorage.setItem(KEY, JSON.stringify(s));
    else sessionStorage.removeItem(KEY);
  }

  private async raw<T>(method: string, path: string, body: unknown, auth: boolean, as: 'json' | 'blob' = 'json'): Promise<T> {
    let res: Response;
    const file = body instanceof Blob;
    try {
      // Paths under /ai/ go to the AI worker through the workspace's second proxy; the rest to the router.
      res = await fetch(path.startsWith('/ai/') ? `.${path}` : `./api${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: this.authorization() } : {}),
          ...(body !== undefined ? { 'content-type': file ? body.type || 'application/octet-stream' : 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: file ? body : JSON.stringify(body) } : {}),
      });
    } catch {
      throw new ApiError(0, 'network');
    }
    if (res.status === 204) return undefined as T;
    if (res.ok && as === 'blob') return (await res.blob()) as T;
    const json = (await res.json().catch(() => null)) as { reason?: string; issues?: { path: string; message: string }[] } | null;
    if (!res.ok) {
      const issues = json?.issues?.map((i) => `${i.path}: ${i.message}`).join('; ');
      throw new ApiError(res.status, issues || json?.reason || res.statusText);
    }
    return json as T;
  }
}
