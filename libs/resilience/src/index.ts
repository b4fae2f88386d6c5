export * from './breaker';
export * from './retry';
export * from './timeout';
export * from './address-guard';
