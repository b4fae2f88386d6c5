export * from './tracing';
export * from './otel';
export * from './logger';
export * from './metrics';
