export * from './schemas';
export * from './ports';
export * from './keys';
export * from './mongo-errors';
export * from './repositories';
export * from './persistence.module';
