export * from './errors';
export * from './schemas';
export * from './topics';
export * from './ids';
export * from './catalog';
export * from './cloudevents';
export * from './asyncapi';
export * from './priority';
