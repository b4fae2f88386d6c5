import { randomBytes } from 'node:crypto';
import { Connection, createConnection } from 'mongoose';
import { MongoCatchUpCursor } from './catch-up.cursor';

const BASE = process.env.MONGODB_URI ?? 'mongodb://127.0.0.1:37017/omni-test';

/** The catch-up cursor on the real database (FerretDB locally): upsert with $max. */
describe('MongoCatchUpCursor', () => {
  let db: Connection;
  beforeAll(async () => {
    const u = new URL(BASE);
    u.pathname = `/cursor-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    db = await createConnection(u.toString()).asPromise();
  });
  afterAll(async () => {
    await db.dropDatabase();
    await db.close();
  });

  it('starts unset, is created by the first advance and only moves forward, per account', async () => {
    const cursor = new MongoCatchUpCursor(db);
    expect(await cursor.lastSeen('shop1')).toBeUndefined();
    await cursor.advance('shop1', 1_749_416_100);
    // Two chats' messages at once: the newer must win whichever write lands last.
    await Promise.all([cursor.advance('shop1', 1_749_416_300), cursor.advance('shop1', 1_749_416_200), cursor.advance('shop1', 1_749_416_250)]);
    await cursor.advance('shop1', 1_749_416_000); // a late, older message
    expect(await cursor.lastSeen('shop1')).toBe(1_749_416_300);
    expect(await cursor.lastSeen('shop2')).toBeUndefined();
  });
});
