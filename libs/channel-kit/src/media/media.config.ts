import { z } from 'zod';

/** A comma-separated env value as a list (`z.string().default(…).transform(commaList)`). */
export const commaList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);
const list = (fallback: string) => z.string().default(fallback).transform(commaList);

/** Media env shared by the channel apps (ADR 0420); each app adds `<CHANNEL>_MEDIA_HOSTS`. */
export const MediaEnvShape = {
  /** gridfs (default: on the app's MongoDB connection, shared by replicas) or disk. */
  MEDIA_STORE: z.enum(['gridfs', 'disk']).default('gridfs'),
  /** Directory of the disk store. */
  MEDIA_DIR: z.string().min(1).default('.local/data/media'),
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1_024).max(512 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Comma-separated `type/subtype` or `type/*`. */
  MEDIA_ALLOWED_TYPES: list(
    'image/*,audio/*,video/*,application/pdf,text/plain,text/csv,application/msword,application/vnd.ms-excel,application/vnd.ms-powerpoint,' +
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,' +
      'application/vnd.openxmlformats-officedocument.presentationml.presentation,application/zip',
  ),
  /** One whole fetch (metadata call or download, body included). */
  MEDIA_FETCH_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
};


export type MediaEnv = z.output<z.ZodObject<typeof MediaEnvShape>>;
