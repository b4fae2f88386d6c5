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
    const doc = await this.objects.findOne({ _id: `${tenantId}:${storeId}` });
    if (!doc) return null;
    const chunks: Buffer[] = [];
    for await (const c of this.bucket.openDownloadStream(doc.fileId)) chunks.push(c as Buffer);
    return { content: Buffer.concat(chunks), mime: doc.mime, filename: doc.filename, source: doc.source };
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
