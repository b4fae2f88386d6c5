// Restart policy of `npm run up` (scripts/up.mjs), as Kubernetes' restartPolicy: Always would do it:
// a child that exits while we are not stopping is started again after an exponential backoff
// (1 s doubling to 30 s), and the backoff starts over once a run has stayed up for `resetAfterMs`.
// stop() cancels a pending restart and ends the child (SIGTERM, then SIGKILL after `killAfterMs`).
// CommonJS so that up.mjs (plain Node, no build) and the Jest unit project (scripts/supervisor.spec.ts)
// load the same file; the types are in supervisor.d.ts.
'use strict';

const DEFAULTS = { initialBackoffMs: 1000, maxBackoffMs: 30_000, resetAfterMs: 60_000, killAfterMs: 15_000 };

/** Delay before restart number `consecutive` (1-based) of a child that keeps failing. */
function backoffDelay(consecutive, { initialBackoffMs = DEFAULTS.initialBackoffMs, maxBackoffMs = DEFAULTS.maxBackoffMs } = {}) {
  return Math.min(maxBackoffMs, initialBackoffMs * 2 ** Math.max(0, consecutive - 1));
}

/** Keeps the process made by `options.start()` running until stop(). */
function supervise(options) {
  const opts = { ...DEFAULTS, ...options };
  let proc;
  let startedAt = 0;
  let consecutive = 0; // failures since the last run that stayed up for resetAfterMs
  let restarts = 0;
  let timer;
  let stopping = false;

  const launch = () => {
    timer = undefined;
    startedAt = Date.now();
    proc = opts.start();
    const current = proc;
    let ended = false;
    const onEnd = (code, signal) => {
      if (ended || stopping || current !== proc) return;
      ended = true;
      const uptimeMs = Date.now() - startedAt;
      if (uptimeMs >= opts.resetAfterMs) consecutive = 0;
      consecutive += 1;
      restarts += 1;
      const delayMs = backoffDelay(consecutive, opts);
      opts.onExit?.({ code, signal, uptimeMs, restart: restarts, delayMs });
      timer = setTimeout(launch, delayMs);
    };
    current.once('exit', onEnd);
    // A child that could not be spawned at all emits 'error' and never 'exit'.
    current.on('error', (err) => {
      opts.onError?.(err);
      if (current.pid === undefined) onEnd(null, null);
    });
    opts.onStart?.(current, restarts);
  };
  launch();

  return {
    get proc() { return proc; },
    get restarts() { return restarts; },
    get stopping() { return stopping; },
    /** No restart from now on; ends the running child and resolves once it has exited. */
    stop(signal = 'SIGTERM') {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      const current = proc;
      if (current.pid === undefined || current.exitCode !== null || current.signalCode !== null) return Promise.resolve();
      return new Promise((resolveStop) => {
        const kill = setTimeout(() => current.kill('SIGKILL'), opts.killAfterMs);
        current.once('exit', () => {
          clearTimeout(kill);
          resolveStop();
        });
        current.kill(signal);
      });
    },
  };
}

module.exports = { DEFAULTS, backoffDelay, supervise };
