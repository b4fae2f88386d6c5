import { Inject, OnModuleDestroy } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { errorSummary } from '@omni/contracts';
import { SpanKind, counter, rootLogger, withSpan } from '@omni/telemetry';
import { WEB_CONFIG, WebConfig } from '../config';
import { OpenedSession, VisitorSessions } from '../sessions/visitor-sessions';
import { HistoryService } from './history.service';
import { IpLimits, clientAddress } from './ip-limits';
import { originAllowed } from './origin';
import { ClientFrame, ClientFrameSchema, ServerFrame, type WidgetTexts } from './protocol';
import { WidgetTextsService } from './widget-texts.service';
import { ReceiveWebMessageUseCase, WebSession, openSession } from './receive-web-message.use-case';
import { SessionRegistry } from './session-registry';
import { TokenBucket } from './token-bucket';

/** Frames beyond this are cut by the ws library itself (close 1009); smaller ones get an error event. */
const HARD_MAX_PAYLOAD = 64 * 1024;
/** RFC 6455 close codes: the page's origin or the address's frame rate broke policy; too many sockets, try later. */
export const CLOSE_POLICY = 1008;
export const CLOSE_TRY_LATER = 1013;

@WebSocketGateway({ path: '/ws', maxPayload: HARD_MAX_PAYLOAD })
export class ChatGateway implements OnGatewayConnection, OnModuleDestroy {
  private readonly log = rootLogger().child({ component: 'chat' });
  private readonly rejected = counter('omni_web_frames_rejected_total', 'Client frames refused', ['code']);
  private readonly sockets = new Set<WebSocket>();
  private readonly limits: IpLimits;

  constructor(
    @Inject(WEB_CONFIG) private readonly config: WebConfig,
    private readonly sessions: SessionRegistry,
    private readonly history: HistoryService,
    private readonly receive: ReceiveWebMessageUseCase,
    private readonly visitors: VisitorSessions,
    private readonly widgetTexts: WidgetTextsService,
  ) {
    this.limits = new IpLimits({ maxConnections: config.WEB_MAX_CONNECTIONS_PER_IP, framesPer10s: config.WEB_MAX_FRAMES_PER_IP_PER_10S });
  }

  handleConnection(socket: WebSocket, req: IncomingMessage): void {
    // First, so that a socket refused below cannot crash the process with an unhandled 'error'.
    socket.on('error', (err) => this.log.warn({ err: err.message }, 'socket error'));
    const origin = req.headers.origin;
    if (!originAllowed(origin, req.headers.host, this.config.WEB_ALLOWED_ORIGINS)) {
      this.rejected.inc({ code: 'origin_not_allowed' });
      // A close reason is at most 123 bytes.
      socket.close(CLOSE_POLICY, `origin not allowed: ${String(origin).slice(0, 80)}`);
      return;
    }
    const address = clientAddress(req, this.config.WEB_TRUST_PROXY_HOPS);
    if (!this.limits.open(address)) {
      this.rejected.inc({ code: 'too_many_connections' });
      socket.close(CLOSE_TRY_LATER, `too many connections from this address (limit ${this.config.WEB_MAX_CONNECTIONS_PER_IP})`);
      return;
    }
    this.sockets.add(socket);
    const bucket = new TokenBucket(this.config.WEB_RATE_LIMIT_PER_10S, this.config.WEB_RATE_LIMIT_PER_10S / 10_000);
    let session: WebSession | undefined;
    const send = (frame: ServerFrame) => socket.readyState === socket.OPEN && socket.send(JSON.stringify(frame));
    const refuse = (code: string, reason: string, extra: Partial<Extract<ServerFrame, { type: 'error' }>> = {}) => {
      this.rejected.inc({ code });
      send({ type: 'error', code, reason, ...extra });
    };

    socket.on('message', (raw: RawData, isBinary: boolean) => {
      if (socket.readyState !== socket.OPEN) return;
      if (!this.limits.frame(address)) {
        this.rejected.inc({ code: 'too_many_frames' });
        socket.close(CLOSE_POLICY, `too many frames from this address (limit ${this.config.WEB_MAX_FRAMES_PER_IP_PER_10S} per 10 s)`);
        return;
      }
      void this.onFrame(raw, isBinary, { bucket, send, refuse, getSession: () => session, setSession: (s) => (session = s), socket });
    });
    socket.on('close', () => {
      this.limits.close(address);
      this.sockets.delete(socket);
      if (session) this.sessions.remove(session.conversationId, socket);
    });
  }

  private async onFrame(
    raw: RawData,
    isBinary: boolean,
    c: {
      bucket: TokenBucket; socket: WebSocket; send: (f: ServerFrame) => void;
      refuse: (code: string, reason: string, extra?: Partial<Extract<ServerFrame, { type: 'error' }>>) => void;
      getSession: () => WebSession | undefined; setSession: (s: WebSession) => void;
    },
  ): Promise<void> {
    const bytes = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer).byteLength;
    if (isBinary) return c.refuse('unsupported_frame', 'binary frames are not supported; send JSON text');
    if (bytes > this.config.WEB_MAX_FRAME_BYTES) {
      return c.refuse('frame_too_large', `frame of ${bytes} bytes exceeds the ${this.config.WEB_MAX_FRAME_BYTES}-byte limit`);
    }
    let frame: ClientFrame;
    try {
      const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : Buffer.from(raw).toString('utf8');
      const parsed = ClientFrameSchema.safeParse(JSON.parse(text));
      if (!parsed.success) {
        return c.refuse('invalid_frame', parsed.error.issues.map((i) => `${i.path.join('.') || 'frame'}: ${i.message}`).join('; '));
      }
      frame = parsed.data;
    } catch {
      return c.refuse('malformed_json', 'frame is not valid JSON');
    }

    switch (frame.type) {
      case 'ping':
        return c.send({ type: 'pong' });
      case 'hello': {
        let opened: OpenedSession;
        try {
          opened = await this.visitors.open(frame.token);
        } catch (err) {
          this.log.error({ err: errorSummary(err) }, 'could not open a web session');
          // The widget reconnects (with backoff) on this code and says hello again.
          return c.refuse('session_unavailable', 'session could not be opened, please retry', { retryAfterMs: 2_000 });
        }
        const previous = c.getSession();
        if (previous) this.sessions.remove(previous.conversationId, c.socket);
        const session = openSession(this.config, opened.sessionId, frame.displayName, frame.locale);
        c.setSession(session);
        this.sessions.add(session.conversationId, c.socket);
        const texts = await this.textsFor(frame.locale);
        const welcome = { type: 'welcome' as const, conversationId: session.conversationId, ...(texts ? { texts } : {}) };
        // A new session starts empty: its token goes to the widget, once.
        if (opened.token) return c.send({ ...welcome, history: [], token: opened.token });
        try {
          const history = await this.history.load(session.conversationId, this.config.WEB_HISTORY_LIMIT);
          return c.send({ ...welcome, history });
        } catch (err) {
          c.send({ ...welcome, history: [] });
          return c.refuse('history_unavailable', `history could not be loaded: ${errorSummary(err).message}`);
        }
      }
      case 'message': {
        const session = c.getSession();
        if (!session) return c.refuse('no_session', 'send {"type":"hello"} first', { clientMessageId: frame.clientMessageId });
        const wait = c.bucket.take();
        if (wait > 0) return c.refuse('rate_limited', 'too many messages; slow down', { clientMessageId: frame.clientMessageId, retryAfterMs: wait });
        try {
          // The root span of the message's journey: WebSocket receive → Kafka → router → ai-worker → … → emit.
          const messageId = await withSpan(
            'web.chat receive',
            SpanKind.SERVER,
            { 'omni.channel': 'web', 'omni.conversation_id': session.conversationId },
            () => this.receive.execute(this.config, session, frame.clientMessageId, frame.text),
          );
          return c.send({ type: 'ack', clientMessageId: frame.clientMessageId, messageId });
        } catch (err) {
          // Not acknowledged: the widget keeps the message and resends it with the same clientMessageId.
          this.log.error({ err: errorSummary(err) }, 'could not publish web message');
          return c.refuse('unavailable', 'message not accepted, please retry', { clientMessageId: frame.clientMessageId, retryAfterMs: 2_000 });
        }
      }
      case 'reaction': {
        const session = c.getSession();
        if (!session) return c.refuse('no_session', 'send {"type":"hello"} first');
        const wait = c.bucket.take();
        if (wait > 0) return c.refuse('rate_limited', 'too many messages; slow down', { retryAfterMs: wait });
        try {
          await withSpan('web.chat reaction', SpanKind.SERVER, { 'omni.channel': 'web', 'omni.conversation_id': session.conversationId }, () =>
            this.receive.react(this.config, session, frame.messageId, frame.emoji));
          return c.send({ type: 'reacted', messageId: frame.messageId, emoji: frame.emoji });
        } catch (err) {
          this.log.error({ err: errorSummary(err) }, 'could not publish web reaction');
          return c.refuse('unavailable', 'reaction not accepted, please retry', { retryAfterMs: 2_000 });
        }
      }
    }
  }

  /** The tenant's widget texts for the visitor (ADR 0602); a settings read that fails leaves the widget's defaults. */
  private async textsFor(locale: string | undefined): Promise<WidgetTexts | undefined> {
    try {
      return await this.widgetTexts.forVisitor(this.config.TENANT_ID, locale);
    } catch (err) {
      this.log.warn({ err: errorSummary(err) }, 'could not read the widget texts; the widget keeps its own');
      return undefined;
    }
  }

  /** On shutdown, tell widgets to reconnect (to another replica) rather than leaving them hanging. */
  onModuleDestroy(): void {
    for (const s of this.sockets) s.close(1012, 'service restart');
  }
}
