import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mongo, type Connection } from 'mongoose';
import { z } from 'zod';
import { isDuplicateKey } from './mongo-errors';

export interface MediaMeta {
  mime: string;
  filename?: string;
  /** Where it came from, for people reading the store: `whatsapp:<account>:<provider media id>`. */
  source: string;
}

export interface StoredMedia {
  /** The content's SHA-256 in hex: the same bytes are stored once per tenant, a redelivery is a no-op. */
  storeId: string;
  size: number;
  mime: string;
}

/** A stored object opened for reading: its metadata, size and a stream of its bytes. */
export interface OpenedMedia extends MediaMeta {
  size: number;
  stream: Readable;
}

/**
 * Where attachments are kept (ADR 0420: inbound media; ADR 0424: agents' uploads, reading and
 * erasure). Ids are scoped by tenant: the same id of another tenant is another object, or none.
 */
export interface MediaStore {
  put(tenantId: string, content: Buffer, meta: MediaMeta): Promise<StoredMedia>;
  get(tenantId: string, storeId: string): Promise<({ content: Buffer } & MediaMeta) | null>;
  /** Streams the bytes (an agent viewing a video needs no 25 MiB buffer); null when the tenant has no such object. */
  open(tenantId: string, storeId: string): Promise<OpenedMedia | null>;
  /** Deletes the object and its bytes; false when there was nothing (again) to delete. Idempotent. */
  delete(tenantId: string, storeId: string): Promise<boolean>;
}
export const MEDIA_STORE = Symbol('MEDIA_STORE');

/** A store id as the store writes it: the SHA-256 of the content, lower-case hex. */
export const isStoreId = (id: string): boolean => /^[a-f0-9]{64}$/.test(id);

/** Which store the app opens (ADR 0420); the router reads the same env to serve and erase media. */
export const MediaStoreEnvShape = {
  /** gridfs (default: on the app's MongoDB connection, shared by replicas) or disk. */
  MEDIA_STORE: z.enum(['gridfs', 'disk']).default('gridfs'),
  /** Directory of the disk store (every app that reads or erases media must see the same directory). */
  MEDIA_DIR: z.string().min(1).default('.local/data/media'),
};

/** A comma-separated env value as a list (`z.string().default(…).transform(commaList)`). */
export const commaList = (s: string): string[] => s.split(',').map((x) => x.trim()).filter(Boolean);

/** What may be stored: the same limits for fetched inbound media and agents' uploads. */
export const MediaLimitsEnvShape = {
  MEDIA_MAX_BYTES: z.coerce.number().int().min(1_024).max(512 * 1024 * 1024).default(25 * 1024 * 1024),
  /** Comma-separated `type/subtype` or `type/*`. */
  MEDIA_ALLOWED_TYPES: z.string().default(
    'image/*,audio/*,video/*,application/pdf,text/plain,text/csv,application/msword,application/vnd.ms-excel,application/vnd.ms-powerpoint,' +
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,' +
      'application/vnd.openxmlformats-officedocument.presentationml.presentation,application/zip',
  ).transform(commaList),
};

/** `type/subtype` against MEDIA_ALLOWED_TYPES (`type/*` allowed; parameters such as charset ignored). */
export function mimeAllowed(mime: string, allowed: readonly string[]): boolean {
  const m = mime.split(';')[0].trim().toLowerCase();
  return allowed.some((p) => {
    const q = p.trim().toLowerCase();
    return q.endsWith('/*') ? m.startsWith(q.slice(0, -1)) : m === q;
  });
}

/** The configured store on the app's connection. */
export function openMediaStore(env: { MEDIA_STORE: 'gridfs' | 'disk'; MEDIA_DIR: string }, connection: Connection): MediaStore {
  return env.MEDIA_STORE === 'disk' ? new DiskMediaStore(env.MEDIA_DIR) : new GridFsMediaStore(connection);
}

export const sha256Hex = (content: Buffer) => createHash('sha256').update(content).digest('hex');

interface MediaObjectDoc extends MediaMeta {
  /** `<tenantId>:<sha256>`: one object per tenant and content. */
  _id: string;
  tenantId: string;
  /** The GridFS file holding the bytes. */
  fileId: mongo.ObjectId;
  size: number;
  createdAt: Date;
}

/**
 * GridFS on the app's own mongoose connection: shared by every replica, backed up with the database.
 * The bytes go to bucket `media` under a fresh ObjectId (uploads never collide), then the object is
 * claimed by inserting `media_objects` `{_id: <tenantId>:<sha256>}` — a unique key, so of two replicas
 * storing the same attachment one wins and the other deletes its own upload. A crash between the
 * upload and the claim leaves an unreferenced GridFS file (garbage a sweep can delete), never a
 * reference to missing bytes.
 */
export class GridFsMediaStore implements MediaStore {
  private readonly bucket: mongo.GridFSBucket;

  constructor(private readonly connection: Connection, bucketName = 'media') {
    if (!connection.db) throw new Error('GridFsMediaStore needs an open connection');
    this.bucket = new mongo.GridFSBucket(connection.db, { bucketName });
  }

  private get objects() {
    return this.connection.collection<MediaObjectDoc>('media_objects');
  }

  async put(tenantId: string, content: Buffer, meta: MediaMeta): Promise<StoredMedia> {
    const storeId = sha256Hex(content);
    const _id = `${tenantId}:${storeId}`;
    const stored = { storeId, size: content.length, mime: meta.mime };
    if (await this.objects.findOne({ _id }, { projection: { _id: 1 } })) return stored;
    const upload = this.bucket.openUploadStream(meta.filename ?? storeId, { metadata: { tenantId, sha256: storeId } });
    await pipeline(Readable.from([content]), upload);
    try {
      await this.objects.insertOne({ _id, tenantId, fileId: upload.id, size: content.length, createdAt: new Date(), ...meta });
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      await this.bucket.delete(upload.id); // another replica stored the same bytes first
    }
    return stored;
  }

  async get(tenantId: string, storeId: string): Promise<({ content: Buffer } & MediaMeta) | null> {
    const opened = await this.open(tenantId, storeId);
    if (!opened) return null;
    const chunks: Buffer[] = [];
    for await (const c of opened.stream) chunks.push(c as Buffer);
    const { stream: _stream, size: _size, ...meta } = opened;
    return { content: Buffer.concat(chunks), ...meta };
  }

  async open(tenantId: string, storeId: string): Promise<OpenedMedia | null> {
    if (!isStoreId(storeId)) return null;
    const doc = await this.objects.findOne({ _id: `${tenantId}:${storeId}` });
    if (!doc) return null;
    // An erasure interrupted between the bytes and the object leaves an object without a file: gone.
    if (!(await this.bucket.find({ _id: doc.fileId }, { limit: 1 }).hasNext())) return null;
    return { mime: doc.mime, filename: doc.filename, source: doc.source, size: doc.size, stream: this.bucket.openDownloadStream(doc.fileId) };
  }

  /**
   * Every GridFS file of this tenant's content goes first — found by the upload's metadata, so the
   * uploads of racing replicas that lost the claim and a crash's orphans go too — then the object.
   * Interrupted, the object is left pointing at nothing (`open` answers null) and a retry finishes.
   */
  async delete(tenantId: string, storeId: string): Promise<boolean> {
    if (!isStoreId(storeId)) return false;
    const files = await this.bucket.find({ 'metadata.tenantId': tenantId, 'metadata.sha256': storeId }).toArray();
    for (const f of files) {
      try {
        await this.bucket.delete(f._id);
      } catch (err) {
        if (!/FileNotFound|File not found/i.test((err as Error).message)) throw err; // deleted by a concurrent request
      }
    }
    const { deletedCount } = await this.objects.deleteOne({ _id: `${tenantId}:${storeId}` });
    return deletedCount > 0 || files.length > 0;
  }
}

/**
 * Files under a directory (`MEDIA_DIR`, default `.local/data/media`): `<tenant>/<ab>/<sha256>` plus a
 * `.json` with the metadata. For a single instance (the local demo, a one-box install); replicas need
 * a shared volume or GridFS. Writes go to a temporary name and are renamed, so a reader never sees half a file.
 */
export class DiskMediaStore implements MediaStore {
  constructor(private readonly dir: string) {}

  async put(tenantId: string, content: Buffer, meta: MediaMeta): Promise<StoredMedia> {
    const storeId = sha256Hex(content);
    const path = this.path(tenantId, storeId);
    await mkdir(join(path, '..'), { recursive: true });
    const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(`${tmp}.json`, JSON.stringify(meta));
    await writeFile(tmp, content);
    await rename(`${tmp}.json`, `${path}.json`);
    await rename(tmp, path);
    return { storeId, size: content.length, mime: meta.mime };
  }

  async get(tenantId: string, storeId: string): Promise<({ content: Buffer } & MediaMeta) | null> {
    if (!isStoreId(storeId)) return null;
    const path = this.path(tenantId, storeId);
    try {
      const [content, meta] = await Promise.all([readFile(path), readFile(`${path}.json`, 'utf8')]);
      return { content, ...(JSON.parse(meta) as MediaMeta) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  async open(tenantId: string, storeId: string): Promise<OpenedMedia | null> {
    if (!isStoreId(storeId)) return null;
    const path = this.path(tenantId, storeId);
    try {
      const [info, meta] = await Promise.all([stat(path), readFile(`${path}.json`, 'utf8')]);
      return { ...(JSON.parse(meta) as MediaMeta), size: info.size, stream: createReadStream(path) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  /** The bytes first, then the metadata: an interrupted delete is finished by a retry. */
  async delete(tenantId: string, storeId: string): Promise<boolean> {
    if (!isStoreId(storeId)) return false;
    const path = this.path(tenantId, storeId);
    const existed = await stat(path).then(() => true, () => false);
    await rm(path, { force: true });
    await rm(`${path}.json`, { force: true });
    return existed;
  }

  private path(tenantId: string, storeId: string): string {
    return join(this.dir, encodeURIComponent(tenantId), storeId.slice(0, 2), storeId);
  }
}

/** The store in memory, keyed `<tenantId>:<storeId>`: for unit specs of what uses a MediaStore. */
export class MemoryMediaStore implements MediaStore {
  readonly objects = new Map<string, { content: Buffer } & MediaMeta>();

  async put(tenantId: string, content: Buffer, meta: MediaMeta): Promise<StoredMedia> {
    const storeId = sha256Hex(content);
    if (!this.objects.has(`${tenantId}:${storeId}`)) this.objects.set(`${tenantId}:${storeId}`, { content, ...meta });
    return { storeId, size: content.length, mime: meta.mime };
  }

  async get(tenantId: string, storeId: string): Promise<({ content: Buffer } & MediaMeta) | null> {
    return this.objects.get(`${tenantId}:${storeId}`) ?? null;
  }

  async open(tenantId: string, storeId: string): Promise<OpenedMedia | null> {
    const o = this.objects.get(`${tenantId}:${storeId}`);
    if (!o) return null;
    const { content, ...meta } = o;
    return { ...meta, size: content.length, stream: Readable.from([content]) };
  }

  async delete(tenantId: string, storeId: string): Promise<boolean> {
    return this.objects.delete(`${tenantId}:${storeId}`);
  }
}
