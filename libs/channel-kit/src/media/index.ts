export * from './url-guard';
export * from './fetch-media';
export * from './media-store';
export * from './media-ingest';
export * from './media.config';
export * from './channel-media.module';
