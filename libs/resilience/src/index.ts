export * from './breaker';
export * from './retry';
export * from './timeout';
