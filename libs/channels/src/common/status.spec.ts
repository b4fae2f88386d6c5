import { DELIVERY_STATES } from '@omni/contracts';
import { advanceStatus, statusRank } from './status';

describe('delivery status ordering', () => {
  it('ranks sent < delivered < read < failed', () => {
    expect(DELIVERY_STATES.map(statusRank)).toEqual([1, 2, 3, 4]);
  });

  it('moves forward only', () => {
    expect(advanceStatus(undefined, 'delivered')).toBe('delivered');
    expect(advanceStatus('sent', 'delivered')).toBe('delivered');
    expect(advanceStatus('delivered', 'read')).toBe('read');
    expect(advanceStatus('read', 'delivered')).toBe('read');
    expect(advanceStatus('delivered', 'sent')).toBe('delivered');
    expect(advanceStatus('sent', 'read')).toBe('read');
  });

  it('keeps failed terminal, and a read message is not failed later', () => {
    expect(advanceStatus('sent', 'failed')).toBe('failed');
    expect(advanceStatus('delivered', 'failed')).toBe('failed');
    for (const next of DELIVERY_STATES) expect(advanceStatus('failed', next)).toBe('failed');
    expect(advanceStatus('read', 'failed')).toBe('read');
  });
});
