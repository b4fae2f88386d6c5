// Public entry of the routing domain: framework-free, no I/O; the router app calls these inside its use cases.
export * from './languages';

export {
  botMayAnswer, IllegalTransitionError, initialOwnership, ownerOf, transition,
  type Effect, type Owner, type Ownership, type OwnershipEvent, type OwnershipEventType, type Resolver, type TransitionResult,
} from './conversation/ownership';

export { HandoffPolicySchema, handoffPolicy, type HandoffPolicy, type HandoffPolicyInput } from './handoff/config';
export { HUMAN_REQUEST_PHRASES, findHumanRequest, foldText, type PhraseMatch } from './handoff/keywords';
export { parseAmount } from './handoff/amount';
export { botTurn, type BotTurn, type TurnAi } from './handoff/turn';
export { evaluateHandoff, unsatisfiedSignals, type HandoffDecision, type HandoffReason, type HandoffReasonCode, type UnsatisfiedSignal } from './handoff/policy';
export { buildHandoffSummary, type HandoffSummary, type SentimentTrend } from './handoff/summary';
export { reactionVerdict, type ReactionVerdict } from './handoff/reaction';

export { BusinessHoursSchema, WEEKDAYS, isOpen, localTime, nextOpenAt, zonedTime, type BusinessHours, type Weekday } from './routing/business-hours';
export {
  DEFAULT_ROUTING_OPTIONS, SkillGroupSchema, SkillGroupsInputSchema, parseSkillGroups, withTenantDefaults,
  type GroupDefaults,
  type Agent, type CustomerProfile, type Presence, type QueueEntry, type RoutingContext, type RoutingConversation,
  type RoutingDecision, type RoutingOptions, type SkillGroup,
} from './routing/model';
export { compareQueueEntries, entriesAhead, orderQueue, queueEntryFor } from './routing/queue';
export { compareByLoad, hasCapacity, ineligibility } from './routing/agents';
export { languageKey, selectGroup } from './routing/select-group';
export { decide } from './routing/decide';
export { outOfHoursMessage, queuedMessage } from './routing/messages';

export {
  ExperimentSchema, FlowParamsSchema, assignVariant, hashToUnit, parseExperiment, variantGreeting, type Experiment, type FlowParams,
} from './experiments/assignment';
export { Z95, meanEstimate, tCdf, tQuantile, wilsonInterval, type Interval, type MeanEstimate } from './experiments/stats';
export {
  ExperimentOutcomeSchema, experimentReport, recordOutcome,
  type ExperimentOutcome, type ExperimentReport, type ProportionEstimate, type VariantReport,
} from './experiments/report';

export { csatPrompt, csatThanks, parseCsatReply, type CsatPrompt, type CsatScore } from './metrics/csat';
export { BOT_GROUP, aggregateMetrics, type ConversationRecord, type CsatStats, type DurationStats, type MetricsReport, type SegmentStats, type SlaStats } from './metrics/aggregate';

export {
  initialAssignment, mayAct, newer, pairFor, shouldTakeOver, switchActive,
  type PairChoice, type RegionAssignment, type SwitchRefusal, type SwitchResult,
} from './regions/assignment';
