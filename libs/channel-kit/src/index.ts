export * from './ingest';
export * from './send-ledger';
export * from './rate-limiter';
export * from './http-transport';
export * from './outbound-sender';
export * from './channel-kit.module';
export * from './media';
