// kafkajs 2.2.4 re-armed a 1 ms timer after every request even with nothing pending: every broker
// connection of every app polled a thousand times a second, forever (tulios/kafkajs#1751; about 3%
// of a core per 10 idle connections here). patches/kafkajs+2.2.4.patch (applied by patch-package on
// install) stops the loop; this test fails on an unpatched install.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- kafkajs ships no types for its internals
const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as new (o: Record<string, unknown>) => {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
};

function newQueue() {
  const logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };
  return new RequestQueue({ maxInFlightRequests: null, requestTimeout: 30_000, enforceRequestTimeout: true, clientId: 'test', broker: 'b:9092', logger, isConnected: () => true });
}

describe('kafkajs request queue (patched)', () => {
  it('arms no timer when nothing is pending and nothing throttles', () => {
    const q = newQueue();
    q.checkPendingRequests();
    const armed = q.throttleCheckTimeoutId;
    if (armed) clearTimeout(armed); // an unpatched queue would re-arm it every millisecond, forever
    expect(armed).toBeNull();
  });

  it('still checks again when a throttle ends, and while requests are pending', () => {
    const q = newQueue();
    q.throttledUntil = Date.now() + 50;
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(q.throttleCheckTimeoutId!);
    q.throttleCheckTimeoutId = null;
    q.throttledUntil = -1;
    q.pending.push({});
    q.scheduleCheckPendingRequests();
    expect(q.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(q.throttleCheckTimeoutId!);
  });
});
