import { beforeCommit, withBeforeCommit } from './before-commit';

/** A promise settled by the test. */
function gate<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('beforeCommit / withBeforeCommit', () => {
  it('lets the handler go on at once and waits for the deferred effect before the whole is done', async () => {
    const effect = gate();
    const steps: string[] = [];
    let done = false;
    const run = withBeforeCommit(async () => {
      await beforeCommit(effect.promise);
      steps.push('after the effect started');
      return 'handled';
    }).then((r) => { done = true; return r; });
    await tick();
    expect(steps).toEqual(['after the effect started']);
    expect(done).toBe(false);
    effect.resolve();
    await expect(run).resolves.toBe('handled');
  });

  it('fails the whole when a deferred effect fails after the handler returned', async () => {
    const effect = gate();
    const run = withBeforeCommit(async () => { await beforeCommit(effect.promise); });
    await tick();
    effect.reject(new Error('broker unreachable'));
    await expect(run).rejects.toThrow('broker unreachable');
  });

  it('waits for the deferred effects before it rethrows a failed handler (nothing still running on a retry)', async () => {
    const effect = gate();
    let settled = false;
    const run = withBeforeCommit(async () => {
      await beforeCommit(effect.promise.then(() => { settled = true; }));
      throw new Error('store down');
    });
    await tick();
    effect.resolve();
    await expect(run).rejects.toThrow('store down');
    expect(settled).toBe(true);
  });

  it('waits for an effect deferred by another deferred effect', async () => {
    const inner = gate();
    let done = false;
    const run = withBeforeCommit(async () => {
      await beforeCommit((async () => { await tick(); await beforeCommit(inner.promise); })());
    }).then(() => { done = true; });
    await tick();
    await tick();
    expect(done).toBe(false);
    inner.resolve();
    await run;
    expect(done).toBe(true);
  });

  it('awaits in place outside a handler, and after the handler is done (a timer it left behind)', async () => {
    const outside = gate();
    let returned = false;
    const call = beforeCommit(outside.promise).then(() => { returned = true; });
    await tick();
    expect(returned).toBe(false);
    outside.resolve();
    await call;

    let later: (() => Promise<void>) | undefined;
    await withBeforeCommit(async () => { later = () => beforeCommit(Promise.reject(new Error('late failure'))); });
    await expect(later?.()).rejects.toThrow('late failure');
  });
});
