import { randomBytes } from 'node:crypto';
import { Connection, createConnection } from 'mongoose';
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
});
