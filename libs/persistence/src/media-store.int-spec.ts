import { randomBytes } from 'node:crypto';
import { Connection, createConnection, mongo } from 'mongoose';
import { GridFsMediaStore, sha256Hex } from './media-store';

const BASE = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test';

/** GridFS on the real database (FerretDB locally, MongoDB in production). */
describe('GridFsMediaStore', () => {
  let db: Connection;
  beforeAll(async () => {
    const u = new URL(BASE);
    u.pathname = `/media-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    db = await createConnection(u.toString()).asPromise();
  });
  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
  });

  it('stores bytes under their hash per tenant, once, also when replicas race', async () => {
    const store = new GridFsMediaStore(db);
    const other = new GridFsMediaStore(db);
    const content = randomBytes(600_000); // more than two 255 kB chunks
    const meta = { mime: 'video/mp4', filename: 'clip.mp4', source: 'whatsapp:1:wamid.1' };
    const results = await Promise.all([store.put('t1', content, meta), other.put('t1', content, meta), store.put('t1', content, meta)]);
    expect(new Set(results.map((r) => r.storeId))).toEqual(new Set([sha256Hex(content)]));
    expect(await db.collection('media_objects').countDocuments({ _id: `t1:${sha256Hex(content)}` as never })).toBe(1);
    // The racers that lost deleted their uploads: one file, all its chunks.
    expect(await db.collection('media.files').countDocuments({ 'metadata.sha256': sha256Hex(content) })).toBe(1);
    expect(await db.collection('media.chunks').countDocuments({})).toBe(3);
    const got = await other.get('t1', sha256Hex(content));
    expect(got?.content.equals(content)).toBe(true);
    expect(got).toMatchObject(meta);
    expect(await store.get('t2', sha256Hex(content))).toBeNull();
    await store.put('t2', content, meta); // another tenant: its own object
    expect((await store.get('t2', sha256Hex(content)))?.content.equals(content)).toBe(true);
  });

  it('streams an object and deletes it with every chunk, only in its tenant, idempotently', async () => {
    const store = new GridFsMediaStore(db);
    const content = randomBytes(300_000);
    const id = sha256Hex(content);
    await store.put('t3', content, { mime: 'application/pdf', filename: 'scan.pdf', source: 'test' });
    await store.put('t4', content, { mime: 'application/pdf', source: 'test' });
    // An orphan: an upload whose claim never happened (a crashed replica) — erasure must find it too.
    const bucket = new mongo.GridFSBucket(db.db as NonNullable<typeof db.db>, { bucketName: 'media' });
    const stray = bucket.openUploadStream('stray', { metadata: { tenantId: 't3', sha256: id } });
    await new Promise<void>((res, rej) => stray.end(content, (err?: Error | null) => (err ? rej(err) : res())));
    const opened = await store.open('t3', id);
    expect(opened).toMatchObject({ mime: 'application/pdf', filename: 'scan.pdf', size: content.length });
    const chunks: Buffer[] = [];
    for await (const c of opened!.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(content)).toBe(true);
    expect(await store.open('t3', 'not-a-store-id')).toBeNull();

    expect(await store.delete('t3', id)).toBe(true);
    expect(await store.open('t3', id)).toBeNull();
    expect(await db.collection('media.files').countDocuments({ 'metadata.tenantId': 't3', 'metadata.sha256': id })).toBe(0);
    const t4 = await db.collection('media.files').find({ 'metadata.tenantId': 't4', 'metadata.sha256': id }).toArray();
    expect(t4).toHaveLength(1);
    // Only t4's chunks are left of these bytes (two 255 kB chunks).
    expect(await db.collection('media.chunks').countDocuments({ files_id: { $in: t4.map((f) => f._id) } })).toBe(2);
    expect((await store.get('t4', id))?.content.equals(content)).toBe(true);
    expect(await store.delete('t3', id)).toBe(false); // again: nothing left, no error
  });
});
