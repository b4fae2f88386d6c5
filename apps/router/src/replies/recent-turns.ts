import { Inject, Injectable } from '@nestjs/common';
import { BOT_TURN_REPOSITORY, BotTurnDoc, BotTurnRepository } from '@omni/persistence';

/** Turns kept per bot period: more than any streak a policy reads (turnsToRead). */
const KEPT = 16;
/** Bot periods held at once, least recently used dropped first. */
const PERIODS = 10_000;
/** A copy older than this is read again: bounds what an unforeseen writer could leave unseen. */
const TTL_MS = 10 * 60_000;

interface Period {
  /** Oldest first; the period's last turns, all of them when `complete`. */
  turns: BotTurnDoc[];
  complete: boolean;
  /** The conversation's `turnsEpoch` the copy is valid at. */
  epoch: number;
  loadedAt: number;
}

/**
 * The reply step's copy of each bot period's recent turns (ADR 0011, seventh step). The reply step
 * is their only writer: results of a conversation reach one member of the replies group, in order,
 * so the member that stores a turn can keep it and skip the store's query for the next one — on
 * FerretDB that query decodes every turn of the conversation (no sort pushdown), a cost that grew
 * with the conversation. Three things make the copy stale and are handled:
 *   - another member held the conversation's partition meanwhile: the copy is dropped at every join
 *     of the group (`reset`, before the member handles anything of its new assignment);
 *   - someone else changed the turns (a customer's 👍/👎, an erased customer's return): counted on
 *     the conversation (`turnsEpoch`), which the AI request carries; another count reads again;
 *   - a redelivered result (its turn already stored): read again, the store decides.
 * Without the count (a result from an older worker) it reads the store every time, as before.
 */
@Injectable()
export class RecentTurns {
  private readonly periods = new Map<string, Period>();

  constructor(@Inject(BOT_TURN_REPOSITORY) private readonly turns: BotTurnRepository) {}

  /**
   * Stores `turn` (once) and returns its period's last `limit` turns, it included. `first`: it answers
   * the message that opened the conversation (no turn before it). `epoch`: the conversation's count
   * the request carried, undefined when unknown.
   */
  async record(turn: BotTurnDoc, limit: number, epoch: number | undefined, first: boolean): Promise<BotTurnDoc[]> {
    const key = `${turn.conversationId}:${turn.ownerVersion}`;
    const held = this.valid(key, epoch);
    if (first || (held && (held.complete || held.turns.length >= limit))) {
      if (await this.turns.record(turn)) {
        const turns = first ? [turn] : insertByTime(held?.turns ?? [], turn).slice(-KEPT);
        if (epoch !== undefined) this.keep(key, { turns, complete: first || (held?.complete === true && turns.length < KEPT), epoch, loadedAt: held?.loadedAt ?? Date.now() });
        return turns.slice(-limit);
      }
      // A redelivery: the turn is stored already, in its place; the store says which turns are around it.
      this.periods.delete(key);
      return withTurn(await this.turns.recent(turn.conversationId, turn.ownerVersion, limit), turn, limit);
    }
    // Not held: read beside the write (the read may or may not see it), then keep what was read.
    const [inserted, earlier] = await Promise.all([this.turns.record(turn), this.turns.recent(turn.conversationId, turn.ownerVersion, KEPT)]);
    const turns = withTurn(earlier, turn, KEPT);
    if (inserted && epoch !== undefined) this.keep(key, { turns, complete: earlier.length < KEPT, epoch, loadedAt: Date.now() });
    else this.periods.delete(key);
    return turns.slice(-limit);
  }

  /** Forgets every copy: this member's partitions may have been another's meanwhile (the group's join). */
  reset(): void {
    this.periods.clear();
  }

  get size(): number {
    return this.periods.size;
  }

  private valid(key: string, epoch: number | undefined): Period | undefined {
    const p = this.periods.get(key);
    if (!p) return undefined;
    if (epoch === undefined || p.epoch !== epoch || Date.now() - p.loadedAt > TTL_MS) {
      this.periods.delete(key);
      return undefined;
    }
    return p;
  }

  private keep(key: string, p: Period): void {
    this.periods.delete(key);
    this.periods.set(key, p);
    if (this.periods.size > PERIODS) this.periods.delete(this.periods.keys().next().value as string);
  }
}

/**
 * The period's last `limit` turns with `turn` among them: read while it was being stored, the read
 * may or may not hold it; a redelivered result's turn is already there, in its place.
 */
export function withTurn(earlier: readonly BotTurnDoc[], turn: BotTurnDoc, limit: number): BotTurnDoc[] {
  const all = earlier.some((t) => t._id === turn._id) ? [...earlier] : [...earlier, turn];
  return all.slice(-limit);
}

/** Oldest first: a result retried through the retry topic may be stored after a later one. */
function insertByTime(turns: readonly BotTurnDoc[], turn: BotTurnDoc): BotTurnDoc[] {
  const at = turn.at.getTime();
  const i = turns.findIndex((t) => t.at.getTime() > at);
  return i < 0 ? [...turns, turn] : [...turns.slice(0, i), turn, ...turns.slice(i)];
}
