import { randomUUID } from 'node:crypto';
import { Consumer, EachBatchPayload, EachMessagePayload, Kafka, KafkaMessage, Producer } from 'kafkajs';
import {
  CloudEvent, OmniError, ValidationError, WaitError, dlqTopic, errorSummary, fromKafkaRecord, headerValue, isRetryable, retryTopic, withPriority,
} from '@omni/contracts';
import { SpanKind, contextFromHeaders, counter, gauge, histogram, rootLogger, withSpan } from '@omni/telemetry';
import { withBeforeCommit } from './before-commit';
import { FreshLaneOptions, FreshTicket, LaneBook, ORDERED_WHILE_FRESH, freshActivity } from './fresh-lane';
import { CommitFrontier, Slots, chainKey, keyChains } from './keyed-batch';
import { ERASED, type EventSealing } from './sealing';
import { countRequests } from './request-metrics';
import { KafkaSettings } from './settings';
import { resolveTopic, stripPrefix } from './topics';

export interface HandlerContext {
  topic: string;
  partition: number;
  offset: string;
  attempt: number;
  /** 'fresh': handled out of a backlog's turn by the fresh lane (ADR 0012); a later stage may give it priority too. */
  lane?: 'ordered' | 'fresh';
  /**
   * On the ordered lane of a batch consumer: how many records of its partition were behind this one
   * when its batch was fetched (the high watermark's distance). Small means it arrived to no
   * backlog at this stage — a later stage may still have one (ADR 0012, "marked at arrival").
   */
  behind?: number;
  /**
   * Where the record first was: its partition and offset on the original topic, kept on the retry
   * topic across every park (the offset orders the commands of one key, ADR 0423 addendum: a later
   * command of a conversation waits behind one held for the reconcile). Undefined for a retry record
   * parked without it.
   */
  origin?: { partition: number; offset: string };
}

export type EventHandler = (event: CloudEvent<unknown>, ctx: HandlerContext) => Promise<void>;

export interface RetryPlan {
  /** Quick attempts in place before the record moves to the retry topic (keeps order for blips). */
  inlineAttempts: number;
  inlineDelayMs: number;
  /** Delays of the retry-topic attempts; after the last one the record goes to the DLQ. */
  backoffMs: number[];
}

export const DEFAULT_RETRY_PLAN: RetryPlan = { inlineAttempts: 3, inlineDelayMs: 100, backoffMs: [1_000, 5_000, 30_000] };

/** The driver's and mongoose's signs that the database cannot be reached (not that a query is wrong). */
const DATABASE_DOWN = new Set([
  'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoServerSelectionError', 'MongoNotConnectedError',
  'MongoPoolClearedError', 'MongoTopologyClosedError',
]);

/**
 * Whether a handler failed because the database is down: then the record is held, not parked
 * (issue 15 #10). A breaker around the database ('mongodb:…' names) that is open counts too.
 */
export function isDatabaseOutage(err: unknown): boolean {
  if (err instanceof OmniError) return err.code === 'dependency_unavailable' && err.message.startsWith('mongodb:');
  if (!(err instanceof Error)) return false;
  return DATABASE_DOWN.has(err.name) || /buffering timed out after/.test(err.message);
}

export interface OutagePolicy {
  /** Which failures mean "a dependency is down, hold the record"; default: isDatabaseOutage. */
  isOutage: (err: unknown) => boolean;
  /** Wait between tries while holding: from the first to the second, doubling. */
  backoffMs: [number, number];
}

export const DEFAULT_OUTAGE_POLICY: OutagePolicy = { isOutage: isDatabaseOutage, backoffMs: [1_000, 30_000] };

/** Thrown out of a held record when the consumer stops: its offset is not committed, it comes again. */
class ConsumerStopping extends Error {
  constructor() {
    super('consumer stopping while a record was held through an outage');
  }
}

export interface SubscriptionOptions {
  groupId: string;
  topics: string[];
  handler: EventHandler;
  retry?: Partial<RetryPlan>;
  /** Partitions processed in parallel; order within a key (= a conversation) is always kept. */
  partitionsConsumedConcurrently?: number;
  /**
   * Records of different keys (= conversations) handled at once within one partition; records of
   * one key stay strictly in order. 1 (the default) handles a partition one record at a time.
   * Offsets are committed only up to the highest one below which every record is done (ADR 0008).
   */
  keyConcurrency?: number;
  fromBeginning?: boolean;
  /**
   * false: never commit offsets — for a group of its own per process (a live feed that starts at
   * the end each boot), whose offsets nobody reads again. Default true.
   */
  commitOffsets?: boolean;
  /**
   * For a consumer off the customer's answer path (statuses, outcomes, the live feed): the broker
   * holds each fetch until this many ms pass or a megabyte waits, so a trickle of records costs at
   * most one fetch per period instead of one per record (each a broker request and a wake-up of
   * this process; ADR 0011, eighth step). Records wait up to this long. Default: fetch as records
   * arrive (a long poll of 1 s while idle).
   */
  fetchWaitMs?: number;
  /**
   * While a dependency (by default the database) is down, a failing record is held and tried
   * again with backoff instead of going to the retry topic and the DLQ: its partition pauses
   * (later records wait behind it, in order) and resumes by itself when the handler succeeds.
   */
  outage?: Partial<OutagePolicy>;
  /**
   * A fresh lane beside the ordered one (ADR 0012, needs keyConcurrency > 1): while the partition's
   * ordered consumer is at least `minBacklog` offsets behind, a record of a key (= conversation)
   * with nothing left to do in that backlog is handled as it arrives, by the same handler and
   * policy, at most `capacity` at a time; the key's order and the commit after effect are kept.
   */
  freshLane?: FreshLaneOptions;
  /**
   * Told, after every join of the group, which partitions of each subscribed topic (not their
   * retry topics) this member holds, and how many the topic has: the channel apps divide each
   * account's provider limit by it (ADR 0601).
   */
  onAssignment?: (assigned: TopicAssignment[]) => void;
  /**
   * Called at every join of the group, before this member handles anything of its new assignment:
   * for state a member keeps about the keys of its partitions, which another member may have
   * changed while it held them (the router's copy of recent bot turns).
   */
  onJoin?: () => void;
  /**
   * Opens sealed events (crypto-shredding, ADR 0501) before the handler; an event whose data key was
   * destroyed is erased: skipped and committed, never retried or dead-lettered. Without it a sealed
   * event is a validation error (dead-lettered: this consumer was not given key access).
   */
  sealing?: EventSealing;
}

export interface TopicAssignment {
  /** The topic's name without the prefix, as subscribed. */
  topic: string;
  partitions: number[];
  total: number;
}

export const H = {
  attempt: 'x-omni-attempt',
  notBefore: 'x-omni-not-before',
  /** How many times a record waited its turn (WaitError) at its current attempt: each wait is longer. */
  waits: 'x-omni-waits',
  group: 'x-omni-consumer-group',
  originalTopic: 'x-omni-original-topic',
  originalPartition: 'x-omni-original-partition',
  originalOffset: 'x-omni-original-offset',
  errorCode: 'x-omni-error-code',
  errorMessage: 'x-omni-error-message',
  errorRetryable: 'x-omni-error-retryable',
  failedAt: 'x-omni-failed-at',
} as const;

const AUTO_COMMIT_MS = 1_000;

/** The fetch's long poll: 1 s while idle, answered as soon as a record arrives; or paced (`fetchWaitMs`). */
export function fetchPacing(fetchWaitMs?: number): { maxWaitTimeInMs: number; minBytes?: number } {
  return fetchWaitMs ? { maxWaitTimeInMs: fetchWaitMs, minBytes: 1 << 20 } : { maxWaitTimeInMs: 1_000 };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The one consumer policy (STYLE.md §7): handler → use case; non-retryable errors (validation)
 * go straight to `<topic>.dlq`; retryable ones are retried in place a few times, then through
 * `<topic>.retry` with growing delays, then to the DLQ. The offset is committed only after the
 * effect (handler done, or the record safely parked on a retry/DLQ topic), so a crash redelivers
 * and handlers must be idempotent on ce_id. A poison record never stalls its partition.
 */
export class EventSubscription {
  private consumer?: Consumer;
  private lookout?: Consumer;
  private joined = false;
  /** The lookout joined and fetched once: its position at the partitions' end is fixed. */
  private lookoutReady = false;
  private readonly book?: LaneBook;
  private readonly freshRuns = new Set<Promise<void>>();
  private readonly fresh = counter('omni_kafka_fresh_lane_total', 'Records offered to the fresh lane and what became of them', ['group', 'outcome']);
  private joins = 0;
  private stopping = false;
  private readonly plan: RetryPlan;
  private readonly outage: OutagePolicy;
  private readonly held = gauge('omni_kafka_records_held', 'Records held (their partition paused) while a dependency is down', ['group']);
  private readonly erased = counter('omni_kafka_records_erased_total', 'Sealed records skipped because their data key was destroyed (the conversation was erased)', ['topic', 'group']);
  private readonly log = rootLogger().child({ component: 'consumer' });
  private readonly consumed = counter('omni_kafka_consumed_total', 'Records handled, by outcome', ['topic', 'group', 'outcome']);
  /** By lane too: how long a newcomer's record takes once the fresh lane runs it, beside the backlog's (ADR 0012). */
  private readonly duration = histogram('omni_kafka_handler_seconds', 'Handler duration', ['topic', 'group', 'lane'], [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);

  constructor(
    private readonly kafka: Kafka,
    private readonly producer: Producer,
    private readonly settings: KafkaSettings,
    private readonly options: SubscriptionOptions,
  ) {
    this.plan = { ...DEFAULT_RETRY_PLAN, ...options.retry };
    this.outage = { ...DEFAULT_OUTAGE_POLICY, ...options.outage };
    if (options.freshLane) {
      if ((options.keyConcurrency ?? 1) <= 1) throw new RangeError(`${options.groupId}: a fresh lane needs keyConcurrency > 1`);
      this.book = new LaneBook(options.freshLane);
    }
  }

  /** The ordered consumer joined its group (the app's readiness; the fresh lane is an optimisation, not a condition). */
  get ready(): boolean {
    return this.joined;
  }

  /** The fresh lane's lookout joined and fetched once: from now on it sees every record as it arrives (ADR 0012). */
  get freshLaneReady(): boolean {
    return this.book !== undefined && this.lookoutReady;
  }

  async start(): Promise<void> {
    this.stopping = false;
    const groupId = this.settings.topicPrefix + this.options.groupId;
    // A short fetch long-poll keeps shutdown (which waits for the running fetch) around a second.
    const session = this.settings.sessionTimeoutMs;
    const consumer = this.kafka.consumer({
      groupId,
      sessionTimeout: session,
      rebalanceTimeout: session * 2,
      heartbeatInterval: Math.max(500, Math.floor(session / 10)),
      ...fetchPacing(this.options.fetchWaitMs),
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    countRequests(consumer, this.options.groupId);
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      this.joined = true;
      this.options.onJoin?.();
      // The fresh lane acts only on the partitions this process's ordered lane holds (ADR 0012).
      this.book?.reset(Object.entries(e.payload.memberAssignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition }))));
      const join = ++this.joins;
      if (this.options.onAssignment) void this.reportAssignment(e.payload.memberAssignment, join, this.options.onAssignment);
    });
    consumer.on(consumer.events.CRASH, (e) => {
      this.joined = false;
      this.book?.reset([]);
      this.log.error({ err: e.payload.error, groupId }, 'consumer crashed; kafkajs restarts it');
    });
    await consumer.connect();
    const topics = this.options.topics.flatMap((t) => [resolveTopic(this.settings, t), resolveTopic(this.settings, retryTopic(t))]);
    await consumer.subscribe({ topics, fromBeginning: this.options.fromBeginning ?? true });
    const keyConcurrency = Math.max(1, Math.floor(this.options.keyConcurrency ?? 1));
    await consumer.run({
      autoCommit: this.options.commitOffsets !== false,
      autoCommitInterval: AUTO_COMMIT_MS,
      partitionsConsumedConcurrently: this.options.partitionsConsumedConcurrently ?? this.settings.partitions,
      ...(keyConcurrency > 1
        ? { eachBatchAutoResolve: false, eachBatch: (payload: EachBatchPayload) => this.onBatch(payload, keyConcurrency) }
        : { eachMessage: (payload: EachMessagePayload) => this.onMessage(payload) }),
    });
    if (this.book) await this.startLookout(groupId, this.book);
  }

  /** Reads the subscribed topics' partition counts and tells `report` this member's share of them. */
  private async reportAssignment(assignment: Record<string, number[]>, join: number, report: (a: TopicAssignment[]) => void): Promise<void> {
    const topics = this.options.topics.map((t) => ({ topic: t, resolved: resolveTopic(this.settings, t) }));
    const totals = new Map<string, number>();
    const admin = this.kafka.admin();
    try {
      await admin.connect();
      const meta = await admin.fetchTopicMetadata({ topics: topics.map((t) => t.resolved) });
      for (const t of meta.topics) totals.set(t.name, t.partitions.length);
    } catch (err) {
      // The topics were created with settings.partitions; a member's own partitions bound it from below.
      this.log.warn({ err, groupId: this.options.groupId }, 'topic metadata unavailable after a join: assuming the configured partition count');
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    if (join !== this.joins) return; // a later join's report supersedes this one
    report(topics.map(({ topic, resolved }) => {
      const partitions = [...(assignment[resolved] ?? [])].sort((a, b) => a - b);
      const total = Math.max(totals.get(resolved) ?? this.settings.partitions, (partitions.at(-1) ?? -1) + 1);
      return { topic, partitions, total };
    }));
  }

  /** Stops fetching and waits for in-flight handlers; their offsets are committed. */
  async stop(): Promise<void> {
    this.joined = false;
    this.stopping = true;
    this.lookoutReady = false;
    await this.lookout?.disconnect();
    await this.consumer?.disconnect();
    this.book?.reset([]);
    await Promise.allSettled([...this.freshRuns]);
  }

  /**
   * The fresh lane's lookout (ADR 0012): a consumer group of its own process (never committed, so
   * it starts at the partitions' end each time) reading the main topics as records arrive, and
   * offering each to the book; a record the book gives it is handled at once, out of the backlog.
   */
  private async startLookout(groupId: string, book: LaneBook): Promise<void> {
    const lookout = this.kafka.consumer({
      groupId: `${groupId}.lookout.${randomUUID()}`,
      sessionTimeout: this.settings.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatEveryMs(),
      maxWaitTimeInMs: 1_000,
      allowAutoTopicCreation: false,
    });
    this.lookout = lookout;
    countRequests(lookout, `${this.options.groupId}.lookout`);
    let joined = false;
    lookout.on(lookout.events.GROUP_JOIN, () => { joined = true; });
    lookout.on(lookout.events.FETCH, () => { if (joined) this.lookoutReady = true; });
    lookout.on(lookout.events.CRASH, (e) => {
      joined = false;
      this.lookoutReady = false;
      this.log.error({ err: e.payload.error, groupId }, 'fresh-lane lookout crashed; kafkajs restarts it');
    });
    await lookout.connect();
    await lookout.subscribe({ topics: this.options.topics.map((t) => resolveTopic(this.settings, t)), fromBeginning: false });
    await lookout.run({
      autoCommit: false,
      partitionsConsumedConcurrently: this.settings.partitions,
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const { admit, rank } = this.options.freshLane ?? {};
          const event = readOnce(message);
          const ticket = book.offer(
            batch.topic, batch.partition, message.offset, chainKey(message.key),
            admit ? () => admitted(admit, event) : undefined,
            rank ? () => ranked(rank, event) : undefined,
          );
          if (!ticket) continue;
          this.fresh.inc({ group: this.options.groupId, outcome: 'taken' });
          const run = this.runFresh(book, ticket, message).finally(() => this.freshRuns.delete(run));
          this.freshRuns.add(run);
        }
      },
    });
  }

  /** One fresh record: after its key's earlier fresh record, through the same policy as the ordered lane. */
  private async runFresh(book: LaneBook, ticket: FreshTicket, message: KafkaMessage): Promise<void> {
    const { topic, partition } = ticket;
    const stopped = () => this.stopping || !book.assigned(topic, partition);
    let handled = false;
    try {
      if (!(await ticket.previous) || stopped() || !(await ticket.start()) || stopped()) return;
      const record = this.describe(topic, message);
      // `process` parks a failing record (retry topic / DLQ) like the ordered lane; it throws only
      // when it could not park it or the consumer stopped while holding it: then it is given back.
      if (record) await this.process(topic, partition, message, record, { heartbeat: async () => undefined, stopped }, 'fresh');
      handled = true;
    } catch (err) {
      this.log.warn({ topic, partition, offset: message.offset, group: this.options.groupId, error: errorSummary(err) }, 'fresh lane gave a record back to the ordered lane');
    } finally {
      this.fresh.inc({ group: this.options.groupId, outcome: handled ? 'handled' : 'given_back' });
      ticket.settle(handled);
    }
  }

  private async onMessage(payload: EachMessagePayload): Promise<void> {
    const { topic, partition, message } = payload;
    const record = this.describe(topic, message);
    if (!record) return; // another group's retry
    const heartbeat = () => payload.heartbeat();
    await this.waitUntil(record.notBefore, heartbeat);
    // kafkajs heartbeats only between records: a handler longer than the session (a transcription,
    // a cold training, a database wait) got the member evicted, the partition rebalanced and the
    // record handled twice. Heartbeat while it runs (issue 15 #10).
    const ticker = setInterval(() => void heartbeat().catch(() => undefined), this.heartbeatEveryMs());
    try {
      await this.process(topic, partition, message, record, { heartbeat, stopped: () => this.stopping });
    } finally {
      clearInterval(ticker);
    }
  }

  private heartbeatEveryMs(): number {
    return Math.max(500, Math.floor(this.settings.sessionTimeoutMs / 10));
  }

  /**
   * Keyed concurrency within one partition: the batch is split into chains by key, chains run in
   * parallel up to `limit` handlers at a time, each chain strictly in offset order. An offset is
   * resolved (and so committed) only once every record at or below it is done, so a crash or a
   * rebalance redelivers what was not finished and skips nothing. A retry record waits for its
   * not-before time outside the handler slots: other keys keep flowing meanwhile. When the consumer
   * stops, the partition is revoked, or a record cannot be parked, no new record starts; in-flight
   * ones finish, and a park failure is rethrown so kafkajs refetches from the frontier.
   */
  private async onBatch(payload: EachBatchPayload, limit: number): Promise<void> {
    const { batch } = payload;
    const messages = batch.messages;
    const frontier = new CommitFrontier(messages.map((m) => m.offset));
    const slots = new Slots(limit);
    // Yield while fresh (ADR 0012): while a fresh lane of this process runs a record, at most
    // ORDERED_WHILE_FRESH of this batch's records start; waiters go on when one of those ends, or when
    // the fresh record does (a second at most, whatever happens: a stop, a lost wake-up).
    let orderedRunning = 0;
    const waiters = new Set<() => void>();
    const waitTurn = () => new Promise<void>((resolve) => {
      const go = () => { waiters.delete(go); clearTimeout(timer); resolve(); };
      const timer = setTimeout(go, 1_000);
      waiters.add(go);
    });
    const wakeOne = () => waiters.values().next().value?.();
    const stopListening = this.book ? freshActivity.onEnd(() => { for (const go of [...waiters]) go(); }) : () => undefined;
    let failure: { err: unknown } | undefined;
    const stopped = () => failure !== undefined || this.stopping || !payload.isRunning() || payload.isStale();
    const heartbeat = () => payload.heartbeat();

    const book = this.book;
    const keys = messages.map((m) => chainKey(m.key));
    book?.orderedBatch(batch.topic, batch.partition, messages.map((m, i) => ({ offset: m.offset, key: keys[i] })));

    const done = async (index: number) => {
      const offset = frontier.complete(index);
      if (offset !== undefined) {
        payload.resolveOffset(offset);
        if (this.options.commitOffsets !== false) await payload.commitOffsetsIfNecessary();
      }
      if (book) {
        const next = messages[frontier.resolved]?.offset ?? String(Number(messages[messages.length - 1].offset) + 1);
        book.orderedDone(batch.topic, batch.partition, messages[index].offset, keys[index], next);
      }
      await heartbeat();
    };

    const chain = async (indexes: number[]) => {
      for (const i of indexes) {
        if (stopped()) return;
        const message = messages[i];
        // Taken by the fresh lane (ADR 0012): its outcome, not a second run; given back, it is ours.
        const fresh = book?.orderedTurn(batch.topic, batch.partition, message.offset);
        if (fresh && (await fresh)) {
          await done(i);
          continue;
        }
        if (stopped()) return;
        const record = this.describe(batch.topic, message);
        if (record && !(await this.waitUntil(record.notBefore, heartbeat, stopped))) return;
        while (this.book && freshActivity.running > 0 && orderedRunning >= ORDERED_WHILE_FRESH && !stopped()) await waitTurn();
        // Counted at once (before the slot, which is awaited): chains checking meanwhile see it.
        orderedRunning++;
        const release = await slots.acquire().catch((err: unknown) => { orderedRunning--; throw err; });
        try {
          if (stopped()) return;
          if (record) await this.process(batch.topic, batch.partition, message, record, { heartbeat, stopped }, 'ordered', behindOf(batch.highWatermark, message.offset));
        } finally {
          orderedRunning--;
          release();
          wakeOne();
        }
        await done(i);
      }
    };

    // A record that runs long holds the frontier, not the progress below it: commit that on the
    // auto-commit interval, and keep the session alive, while the batch runs.
    const ticker = setInterval(() => {
      if (this.options.commitOffsets !== false) void payload.commitOffsetsIfNecessary().catch(() => undefined);
      void heartbeat().catch(() => undefined);
    }, AUTO_COMMIT_MS);
    try {
      await Promise.all(keyChains(messages).map((indexes) =>
        chain(indexes).catch((err: unknown) => {
          failure ??= { err };
        })));
    } finally {
      clearInterval(ticker);
      stopListening();
    }
    if (failure) throw failure.err;
  }

  /** What the policy needs to know of a record; undefined for another group's retry record. */
  private describe(topic: string, message: KafkaMessage): { originalTopic: string; attempt: number; notBefore: number; origin?: { partition: number; offset: string } } | undefined {
    const bare = stripPrefix(this.settings, topic);
    const isRetry = bare.endsWith('.retry');
    const h = (name: string) => headerValue(message.headers, name);
    if (isRetry && h(H.group) !== this.options.groupId) return undefined;
    const partition = Number(h(H.originalPartition));
    const offset = h(H.originalOffset);
    return {
      originalTopic: isRetry ? (h(H.originalTopic) ?? bare.replace(/\.retry$/, '')) : bare,
      attempt: isRetry ? Number(h(H.attempt) ?? 1) : 0,
      notBefore: isRetry ? Number(h(H.notBefore) ?? 0) : 0,
      ...(isRetry && offset !== undefined && Number.isInteger(partition) ? { origin: { partition, offset } } : {}),
    };
  }

  /**
   * Runs the handler on one record; a failure is parked (retry topic / DLQ), an outage is held.
   * Throws only if parking fails or the consumer stops while the record is held.
   */
  private async process(
    topic: string, partition: number, message: KafkaMessage, { originalTopic, attempt, origin }: { originalTopic: string; attempt: number; origin?: { partition: number; offset: string } },
    hooks: { heartbeat: () => Promise<void>; stopped: () => boolean }, lane: NonNullable<HandlerContext['lane']> = 'ordered', behind?: number,
  ): Promise<void> {
    const labels = { topic: originalTopic, group: this.options.groupId };
    const stopTimer = this.duration.startTimer({ ...labels, lane });
    try {
      const event = fromKafkaRecord(message);
      await withSpan(
        `${originalTopic} process`,
        SpanKind.CONSUMER,
        {
          'messaging.system': 'kafka', 'messaging.destination.name': topic, 'messaging.consumer.group.name': this.options.groupId,
          'messaging.message.id': event.id, 'messaging.kafka.offset': Number(message.offset), 'omni.attempt': attempt,
        },
        () => this.runInline(event, {
          topic: originalTopic, partition, offset: message.offset, attempt, lane, ...(behind !== undefined ? { behind } : {}),
          ...(attempt === 0 ? { origin: { partition, offset: message.offset } } : origin ? { origin } : {}),
        }, hooks),
        contextFromHeaders(event),
      );
      this.consumed.inc({ ...labels, outcome: 'ok' });
    } catch (err) {
      if (err instanceof ConsumerStopping) throw err;
      await this.park(originalTopic, partition, message, attempt, err, origin);
    } finally {
      stopTimer();
    }
  }

  private async runInline(event: CloudEvent<unknown>, ctx: HandlerContext, hooks: { heartbeat: () => Promise<void>; stopped: () => boolean }): Promise<void> {
    let heldSince: number | undefined;
    let wait = this.outage.backoffMs[0];
    for (let i = 1; ; i++) {
      try {
        const opened = await this.opened(event);
        if (opened === ERASED) {
          this.erased.inc({ topic: ctx.topic, group: this.options.groupId });
          if (heldSince !== undefined) this.resumed(ctx, heldSince);
          return;
        }
        // A fresh record's writes go to the head of the batchers' queues (ADR 0012); what the handler
        // deferred (beforeCommit) is awaited before the record is done.
        await withBeforeCommit(() => (ctx.lane === 'fresh' ? withPriority(() => this.options.handler(opened, ctx)) : this.options.handler(opened, ctx)));
        if (heldSince !== undefined) this.resumed(ctx, heldSince);
        return;
      } catch (err) {
        // A record waiting its turn is not retried in place: it says itself when to look again (parked).
        if (isRetryable(err) && !(err instanceof WaitError) && i < this.plan.inlineAttempts) {
          await sleep(this.plan.inlineDelayMs * 2 ** (i - 1));
          continue;
        }
        if (!this.outage.isOutage(err)) {
          if (heldSince !== undefined) this.resumed(ctx, heldSince);
          throw err;
        }
        if (heldSince === undefined) {
          heldSince = Date.now();
          this.held.inc({ group: this.options.groupId });
          this.log.warn({ topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, group: this.options.groupId, error: errorSummary(err) },
            'dependency down: holding the record (its partition pauses) until it is back, instead of dead-lettering');
        }
        // Heartbeats while waiting keep the group membership; a stop ends the hold without a commit.
        if (!(await this.waitUntil(Date.now() + wait, hooks.heartbeat, hooks.stopped))) {
          this.held.dec({ group: this.options.groupId });
          throw new ConsumerStopping();
        }
        wait = Math.min(this.outage.backoffMs[1], wait * 2);
      }
    }
  }

  /** The event with its data opened, ERASED when its key is gone; a clear event as it is. */
  private async opened(event: CloudEvent<unknown>): Promise<CloudEvent<unknown> | typeof ERASED> {
    if (!event.datakey) return event;
    if (!this.options.sealing) throw new ValidationError(`sealed event ${event.id} (ce_datakey) but this consumer has no key access`);
    const data = await this.options.sealing.open(event);
    if (data === ERASED) return ERASED;
    const { datakey: _sealedWith, ...clear } = event;
    return { ...clear, data };
  }

  private resumed(ctx: HandlerContext, heldSince: number): void {
    this.held.dec({ group: this.options.groupId });
    this.log.info({ topic: ctx.topic, partition: ctx.partition, offset: ctx.offset, group: this.options.groupId, heldMs: Date.now() - heldSince },
      'dependency back: the held record went through, consumption resumes');
  }

  /** Moves a failed record to the retry topic or the DLQ; only then is its offset committed. */
  private async park(topic: string, partition: number, message: KafkaMessage, attempt: number, err: unknown, origin?: { partition: number; offset: string }): Promise<void> {
    const summary = errorSummary(err);
    // A record waiting its turn (WaitError) is parked again at the attempt it is on, however often: not a
    // failure, so it spends nothing of its retry budget (what it waits for is bounded by its own).
    const waiting = err instanceof WaitError;
    const next = waiting ? Math.max(attempt, 1) : attempt + 1;
    const toRetry = waiting || (summary.retryable && !(err instanceof ValidationError) && next <= this.plan.backoffMs.length);
    const target = toRetry ? retryTopic(topic) : dlqTopic(topic);
    const outcome = waiting ? 'wait' : toRetry ? 'retry' : 'dlq';
    const headers: Record<string, string | Buffer> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) {
      const first = Array.isArray(v) ? v[0] : v;
      if (first !== undefined) headers[k] = first;
    }
    Object.assign(headers, {
      [H.group]: this.options.groupId,
      [H.originalTopic]: topic,
      // A retry record parked again keeps where it first was (its place among its key's records).
      [H.originalPartition]: String(attempt > 0 && origin ? origin.partition : partition),
      [H.originalOffset]: attempt > 0 && origin ? origin.offset : message.offset,
      [H.attempt]: String(next),
      [H.errorCode]: summary.code,
      [H.errorMessage]: summary.message.slice(0, 2000),
      [H.errorRetryable]: String(summary.retryable),
      [H.failedAt]: new Date().toISOString(),
    });
    if (waiting) {
      // Checked again soon, then less and less often (×2 per wait, up to 16× its recheck).
      const waits = attempt > 0 ? Number(headerValue(message.headers, H.waits) ?? 0) : 0;
      headers[H.waits] = String(waits + 1);
      headers[H.notBefore] = String(Date.now() + err.recheckMs * 2 ** Math.min(waits, 4));
    } else {
      delete headers[H.waits];
      if (toRetry) headers[H.notBefore] = String(Date.now() + this.plan.backoffMs[next - 1]);
    }
    const where = { topic, partition, offset: message.offset, attempt, error: summary, to: target, ce_id: headerValue(message.headers, 'ce_id') };
    if (waiting) this.log.info(where, 'record waits its turn; parked again');
    else this.log.warn(where, toRetry ? 'handler failed; record scheduled for retry' : 'handler failed; record dead-lettered');
    // acks=all before returning: the offset commit that follows must never lose the record.
    await this.producer.send({
      topic: resolveTopic(this.settings, target),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    this.consumed.inc({ topic, group: this.options.groupId, outcome });
  }

  /** Sleeps (heartbeating) until `notBefore`; false when `stopped` turned true first. */
  private async waitUntil(notBefore: number, heartbeat: () => Promise<void>, stopped: () => boolean = () => false): Promise<boolean> {
    while (Date.now() < notBefore) {
      if (stopped()) return false;
      await sleep(Math.min(1_000, notBefore - Date.now()));
      await heartbeat();
    }
    return !stopped();
  }
}

/** Records after `offset` in its partition, by the high watermark its batch was fetched with (never negative; none without one). */
function behindOf(highWatermark: string | undefined, offset: string): number | undefined {
  const end = Number(highWatermark);
  return highWatermark === undefined || !Number.isFinite(end) ? undefined : Math.max(0, end - Number(offset) - 1);
}

/** The record's event, decoded at most once for the fresh lane's questions (undefined: unreadable). */
function readOnce(message: KafkaMessage): () => CloudEvent<unknown> | undefined {
  let read: { event?: CloudEvent<unknown> } | undefined;
  return () => {
    if (!read) {
      try {
        read = { event: fromKafkaRecord(message) };
      } catch {
        read = {};
      }
    }
    return read.event;
  };
}

/** Whether the fresh lane's `admit` lets a record in; a record it cannot even read stays in order. */
function admitted(admit: (event: CloudEvent<unknown>) => boolean, event: () => CloudEvent<unknown> | undefined): boolean {
  const e = event();
  if (!e) return false;
  try {
    return admit(e);
  } catch {
    return false;
  }
}

/** The fresh lane's `rank` of a record; none when it cannot be read or ranked. */
function ranked(rank: (event: CloudEvent<unknown>) => number | undefined, event: () => CloudEvent<unknown> | undefined): number | undefined {
  const e = event();
  if (!e) return undefined;
  try {
    const r = rank(e);
    return r !== undefined && Number.isFinite(r) ? r : undefined;
  } catch {
    return undefined;
  }
}
