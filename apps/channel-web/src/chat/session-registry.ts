import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { gauge } from '@omni/telemetry';

/** Open sockets by conversation (one customer may have several tabs open). */
@Injectable()
export class SessionRegistry {
  private readonly byConversation = new Map<string, Set<WebSocket>>();
  private readonly open = gauge('omni_web_sockets', 'Open web chat sockets');

  add(conversationId: string, socket: WebSocket): void {
    const set = this.byConversation.get(conversationId) ?? new Set();
    set.add(socket);
    this.byConversation.set(conversationId, set);
    this.open.inc();
  }

  remove(conversationId: string, socket: WebSocket): void {
    const set = this.byConversation.get(conversationId);
    if (!set?.delete(socket)) return;
    this.open.dec();
    if (!set.size) this.byConversation.delete(conversationId);
  }

  /** Sends to every open socket of the conversation; returns how many got it. */
  send(conversationId: string, frame: unknown): number {
    const data = JSON.stringify(frame);
    let sent = 0;
    for (const s of this.byConversation.get(conversationId) ?? []) {
      if (s.readyState === s.OPEN) {
        s.send(data);
        sent++;
      }
    }
    return sent;
  }
}
