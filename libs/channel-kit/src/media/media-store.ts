import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mongo, type Connection } from 'mongoose';
import { isDuplicateKey } from '@omni/persistence';

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

/** Where inbound attachments are kept (ADR 0420). Ids are scoped by tenant. */
export interface MediaStore {
  put(tenantId: string, content: Buffer, meta: MediaMeta): Promise<StoredMedia>;
  get(tenantId: string, storeId: string): Promise<({ content: Buffer } & MediaMeta) | null>;
}
export const MEDIA_STORE = Symbol('MEDIA_STORE');

export const sha256Hex = (content: Buffer) => createHash('sha256').update(content).digest('hex');

interface MediaFileDoc {
  _id: string;
  length: number;
  metadata?: MediaMeta & { tenantId: string };
}

/**
 * GridFS on the app's own mongoose connection (bucket `media`): shared by every replica and region
 * process, backed up with the database. The file `_id` is `<tenantId>:<sha256>`, so two replicas
 * storing the same attachment race on a unique key instead of storing it twice.
 */
export class GridFsMediaStore implements MediaStore {
  private readonly bucket: mongo.GridFSBucket;

  constructor(private readonly connection: Connection, private readonly bucketName = 'media') {
    if (!connection.db) throw new Error('GridFsMediaStore needs an open connection');
    this.bucket = new mongo.GridFSBucket(connection.db, { bucketName });
  }

  async put(tenantId: string, content: Buffer, meta: MediaMeta): Promise<StoredMedia> {
    const storeId = sha256Hex(content);
    const id = `${tenantId}:${storeId}`;
    const stored = { storeId, size: content.length, mime: meta.mime };
    if (await this.file(id)) return stored;
    try {
      await this.upload(id, content, tenantId, meta);
    } catch (err) {
      if (!isDuplicateKey(err)) throw err;
      // Another replica stored it meanwhile — or an upload died between its chunks and its file
      // document: then the chunks are orphans; drop them and write once more.
      if (await this.file(id)) return stored;
      await this.connection.collection(`${this.bucketName}.chunks`).deleteMany({ files_id: id });
      await this.upload(id, content, tenantId, meta);
    }
    return stored;
  }

  async get(tenantId: string, storeId: string): Promise<({ content: Buffer } & MediaMeta) | null> {
    const id = `${tenantId}:${storeId}`;
    const doc = await this.file(id);
    if (!doc?.metadata) return null;
    const chunks: Buffer[] = [];
    for await (const c of this.bucket.openDownloadStream(id as never)) chunks.push(c as Buffer);
    const { mime, filename, source } = doc.metadata;
    return { content: Buffer.concat(chunks), mime, filename, source };
  }

  private file(id: string): Promise<MediaFileDoc | null> {
    return this.connection.collection<MediaFileDoc>(`${this.bucketName}.files`).findOne({ _id: id });
  }

  private async upload(id: string, content: Buffer, tenantId: string, meta: MediaMeta): Promise<void> {
    const filename = meta.filename ?? id;
    await pipeline(Readable.from([content]), this.bucket.openUploadStreamWithId(id as never, filename, { metadata: { ...meta, tenantId } }));
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
    if (!/^[a-f0-9]{64}$/.test(storeId)) return null;
    const path = this.path(tenantId, storeId);
    try {
      const [content, meta] = await Promise.all([readFile(path), readFile(`${path}.json`, 'utf8')]);
      return { content, ...(JSON.parse(meta) as MediaMeta) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
  }

  private path(tenantId: string, storeId: string): string {
    return join(this.dir, encodeURIComponent(tenantId), storeId.slice(0, 2), storeId);
  }
}
