export * from './url-guard';
export * from './fetch-media';
// The store itself lives in @omni/persistence (the router serves and erases media too, ADR 0424).
export { DiskMediaStore, GridFsMediaStore, MEDIA_STORE, MemoryMediaStore, isStoreId, openMediaStore, sha256Hex } from '@omni/persistence';
export type { MediaMeta, MediaStore, OpenedMedia, StoredMedia } from '@omni/persistence';
export * from './media-ingest';
export * from './media.config';
export * from './channel-media.module';
