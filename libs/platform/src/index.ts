export * from './config';
export * from './error.filter';
export * from './health.controller';
export * from './platform.module';
export * from './bootstrap';
export * from './access-log';
export * from './rate-limit';
export * from './admin-server';
