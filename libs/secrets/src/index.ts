export * from './kms';
export * from './envelope';
export * from './config';
export * from './testing';
export * from './data-keys';
