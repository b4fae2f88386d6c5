import { MongoClient } from 'mongodb';

const uri = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test';

/**
 * FerretDB 1.24 on PostgreSQL updates an existing document on two pooled connections at once; with
 * its default pool of 50, 25 concurrent updates could hold every connection and wait for each other
 * forever (FerretDB then answered nothing, not even ping). deploy/local sizes the pool for every
 * client's pool twice over. Against FerretDB's default pool the same load wedged the store in some
 * runs and not in others (400 callers: 1 of 2 runs here; 200 callers: 1 of 6) — it depends on
 * timing — and never with the larger pool (0 of 6). When it fails it times out and leaves the store
 * unusable for the rest of the run, which is the point: that is what the apps would meet.
 */
describe('the store under many concurrent updates', () => {
  it('applies 400 concurrent upserts, three times over, and still answers', async () => {
    const client = new MongoClient(uri, { maxPoolSize: 400, socketTimeoutMS: 15_000, serverSelectionTimeoutMS: 5_000, retryWrites: false });
    try {
      const col = client.db(`concurrency-${Date.now().toString(36)}`).collection<{ _id: string; n?: number }>('docs');
      const ids = Array.from({ length: 400 }, (_, i) => `d${i}`);
      await col.insertOne({ _id: 'seed' });
      for (let round = 0; round < 3; round++) {
        await Promise.all(ids.map((_id) => col.updateOne({ _id }, { $inc: { n: 1 } }, { upsert: true })));
      }
      expect(await col.countDocuments({ n: 3 })).toBe(400);
      await client.db().admin().ping();
    } finally {
      await client.close(true);
    }
  });
});
