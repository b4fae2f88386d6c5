export * from './settings';
export * from './topics';
export * from './publisher';
export * from './consumer';
export * from './messaging.module';
export * from './replay';
export { Slots } from './keyed-batch';
export { FRESH_LANE_MIN_BACKLOG, FreshLaneOptions, freshLane } from './fresh-lane';
export * from './sealing';
