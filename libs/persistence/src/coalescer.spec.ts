import { withPriority } from '@omni/contracts';
import { Coalescer, Waiting } from './coalescer';

describe('Coalescer', () => {
  it('sends an item added with priority (a fresh-lane message, ADR 0012) in the next request, ahead of the queue, in their own order', async () => {
    const requests: string[][] = [];
    let release!: () => void;
    const coalescer = new Coalescer<string, void>(async (batch: Waiting<string, void>[]) => {
      requests.push(batch.map((w) => w.item));
      // The first request stays in flight until released: everything else queues behind it.
      if (requests.length === 1) await new Promise<void>((r) => { release = r; });
      for (const w of batch) w.resolve();
    }, 2);
    const done = [coalescer.add('a'), coalescer.add('b'), coalescer.add('c'), coalescer.add('d')];
    done.push(withPriority(() => coalescer.add('p1')), withPriority(() => coalescer.add('p2')), coalescer.add('e'));
    release();
    await Promise.all(done);
    expect(requests).toEqual([['a'], ['p1', 'p2'], ['b', 'c'], ['d', 'e']]);
  });

  it('with `alongside`, sends priority items at once in a request of their own, beside the ordinary one in flight', async () => {
    const requests: string[][] = [];
    let release!: () => void;
    const ordinaryInFlight = new Promise<void>((r) => { release = r; });
    const coalescer = new Coalescer<string, void>(async (batch: Waiting<string, void>[]) => {
      requests.push(batch.map((w) => w.item));
      if (batch[0].item === 'a') await ordinaryInFlight;
      for (const w of batch) w.resolve();
    }, 10, { alongside: true });
    const a = coalescer.add('a');
    const b = coalescer.add('b');
    // Answered while the ordinary request is still in flight.
    await withPriority(() => coalescer.add('p1'));
    expect(requests).toEqual([['a'], ['p1']]);
    release();
    await Promise.all([a, b]);
    expect(requests).toEqual([['a'], ['p1'], ['b']]);
  });

  it('rejects each item of a request that failed, on either path', async () => {
    const coalescer = new Coalescer<string, void>(async () => { throw new Error('store down'); }, 10, { alongside: true });
    await expect(coalescer.add('a')).rejects.toThrow('store down');
    await expect(withPriority(() => coalescer.add('p'))).rejects.toThrow('store down');
  });
});
