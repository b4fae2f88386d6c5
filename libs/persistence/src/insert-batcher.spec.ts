import { InsertBatcher } from './insert-batcher';

type Doc = { _id: string };

/** A store with a unique _id that answers like the driver's unordered insertMany. */
function store(opts: { delayMs?: number; fail?: Error } = {}) {
  const ids = new Set<string>();
  const calls: string[][] = [];
  const insertMany = async (docs: Doc[]) => {
    calls.push(docs.map((d) => d._id));
    await new Promise((r) => setTimeout(r, opts.delayMs ?? 5));
    if (opts.fail) throw opts.fail;
    const writeErrors: { index: number; code: number; errmsg: string }[] = [];
    docs.forEach((d, index) => {
      if (ids.has(d._id)) writeErrors.push({ index, code: 11000, errmsg: `E11000 duplicate key ${d._id}` });
      else ids.add(d._id);
    });
    if (writeErrors.length) throw Object.assign(new Error('bulk write failed'), { name: 'MongoBulkWriteError', writeErrors: writeErrors.length === 1 ? writeErrors[0] : writeErrors });
  };
  return { insertMany, calls, ids };
}

describe('InsertBatcher', () => {
  it('sends the first insert at once and coalesces those arriving meanwhile into one insertMany', async () => {
    const s = store();
    const b = new InsertBatcher<Doc>(s.insertMany);
    const results = await Promise.all(['a', 'b', 'c', 'd'].map((_id) => b.insert({ _id })));
    expect(results).toEqual(['inserted', 'inserted', 'inserted', 'inserted']);
    expect(s.calls).toEqual([['a'], ['b', 'c', 'd']]);
  });

  it('tells each caller of a batch its own fate: a duplicate _id is "duplicate", the rest inserted', async () => {
    const s = store();
    const b = new InsertBatcher<Doc>(s.insertMany);
    await b.insert({ _id: 'x' });
    const results = await Promise.all([b.insert({ _id: 'first' }), b.insert({ _id: 'x' }), b.insert({ _id: 'y' })]);
    expect(results).toEqual(['inserted', 'duplicate', 'inserted']);
    expect([...s.ids].sort()).toEqual(['first', 'x', 'y']);
  });

  it('rejects every caller of a batch that failed as a whole, and keeps going afterwards', async () => {
    const down = store({ fail: new Error('connection closed') });
    const b = new InsertBatcher<Doc>(down.insertMany);
    await expect(Promise.all([b.insert({ _id: 'a' }), b.insert({ _id: 'b' })])).rejects.toThrow('connection closed');
    const results = await Promise.allSettled([b.insert({ _id: 'c' })]);
    expect(results[0].status).toBe('rejected');
    expect(down.calls.flat()).toEqual(['a', 'b', 'c']);
  });

  it('rejects a document that failed for another reason than a duplicate, with its code', async () => {
    const b = new InsertBatcher<Doc>(async () => {
      throw Object.assign(new Error('bulk'), { writeErrors: [{ index: 0, code: 121, errmsg: 'Document failed validation' }] });
    });
    await expect(b.insert({ _id: 'bad' })).rejects.toMatchObject({ message: 'Document failed validation', code: 121 });
  });

  it('caps a batch at maxBatch documents', async () => {
    const s = store();
    const b = new InsertBatcher<Doc>(s.insertMany, 2);
    await Promise.all(['a', 'b', 'c', 'd', 'e', 'f'].map((_id) => b.insert({ _id })));
    expect(s.calls).toEqual([['a'], ['b', 'c'], ['d', 'e'], ['f']]);
  });
});
