import { initialAssignment, mayAct, newer, pairFor, shouldTakeOver, switchActive } from './assignment';

const REGIONS = ['local-a', 'local-b', 'local-c'];
const at = new Date('2026-12-07T08:00:00Z');
const demo = initialAssignment('demo', 'local-a', 'local-b');

describe('region assignment', () => {
  it('starts with the home region active at epoch 1', () => {
    expect(demo).toEqual({ tenantId: 'demo', home: 'local-a', standby: 'local-b', active: 'local-a', epoch: 1, since: new Date(0).toISOString() });
    expect(() => initialAssignment('demo', 'local-a', 'local-a')).toThrow(/standby must differ/);
  });

  it('fails over to the standby one epoch up, and back home one more', () => {
    const over = switchActive(demo, 'local-b', REGIONS, at);
    expect(over).toEqual({ ok: true, next: { ...demo, active: 'local-b', epoch: 2, since: at.toISOString() } });
    if (!over.ok) return;
    const back = switchActive(over.next, 'local-a', REGIONS, at);
    expect(back.ok && back.next).toMatchObject({ active: 'local-a', epoch: 3 });
  });

  it('refuses an unknown region (400 naming to), a region outside the pair and the active one (409)', () => {
    expect(switchActive(demo, 'mars-1', REGIONS, at)).toMatchObject({ ok: false, refusal: { code: 'unknown_region', field: 'to' } });
    expect(switchActive(demo, 'local-c', REGIONS, at)).toMatchObject({ ok: false, refusal: { code: 'not_standby', field: 'to' } });
    expect(switchActive(demo, 'local-a', REGIONS, at)).toMatchObject({ ok: false, refusal: { code: 'already_active', field: 'to' } });
  });

  it('keeps the higher epoch of two copies, and mine on a tie', () => {
    const over = switchActive(demo, 'local-b', REGIONS, at);
    if (!over.ok) throw new Error('expected a switch');
    expect(newer(demo, over.next)).toBe(over.next);
    expect(newer(over.next, demo)).toBe(over.next);
    const twin = { ...demo };
    expect(newer(demo, twin)).toBe(demo);
    expect(newer(undefined, demo)).toBe(demo);
    expect(() => newer(demo, { ...demo, tenantId: 'other' })).toThrow(/different tenants/);
  });

  it('lets only the active region act', () => {
    expect(mayAct(demo, 'local-a')).toBe(true);
    expect(mayAct(demo, 'local-b')).toBe(false);
    expect(mayAct(undefined, 'local-a')).toBe(false);
  });

  it('takes over automatically only as the standby, from a home down for long enough', () => {
    expect(shouldTakeOver(demo, 'local-b', 1_000, 6_000, 5_000)).toBe(true);
    expect(shouldTakeOver(demo, 'local-b', 1_000, 5_999, 5_000)).toBe(false);
    expect(shouldTakeOver(demo, 'local-b', undefined, 6_000, 5_000)).toBe(false);
    expect(shouldTakeOver(demo, 'local-b', 1_000, 6_000, 0)).toBe(false);
    expect(shouldTakeOver(demo, 'local-a', 1_000, 6_000, 5_000)).toBe(false);
    expect(shouldTakeOver(demo, 'local-c', 1_000, 6_000, 5_000)).toBe(false);
    // The home never takes a tenant back by itself (the failback is the operator's).
    const over = switchActive(demo, 'local-b', REGIONS, at);
    if (!over.ok) throw new Error('expected a switch');
    expect(shouldTakeOver(over.next, 'local-a', 1_000, 60_000, 5_000)).toBe(false);
  });

  it('measures the outage from the last switch: an operator\'s failback is not undone by the downtime seen before it', () => {
    const over = switchActive(demo, 'local-b', REGIONS, at);
    if (!over.ok) throw new Error('expected a switch');
    const later = new Date(at.getTime() + 60_000);
    const back = switchActive(over.next, 'local-a', REGIONS, later);
    if (!back.ok) throw new Error('expected a failback');
    const downSince = at.getTime() + 1_000; // local-b has not heard from local-a since just after the first switch
    expect(shouldTakeOver(back.next, 'local-b', downSince, later.getTime() + 100, 5_000)).toBe(false);
    expect(shouldTakeOver(back.next, 'local-b', downSince, later.getTime() + 5_000, 5_000)).toBe(true);
  });
});

describe('the pair of a tenant created through the API', () => {
  it('pairs with the one peer, from either side, unless the standby is named', () => {
    expect(pairFor('local-a', undefined, 'local-a', ['local-b'])).toEqual({ ok: true, pair: { home: 'local-a', standby: 'local-b' } });
    // Created in local-b for a tenant homed in local-a: the same pair.
    expect(pairFor('local-a', undefined, 'local-b', ['local-a'])).toEqual({ ok: true, pair: { home: 'local-a', standby: 'local-b' } });
    expect(pairFor('eu-west-1', 'eu-central-1', 'eu-west-1', ['eu-central-1', 'eu-north-1'])).toEqual({ ok: true, pair: { home: 'eu-west-1', standby: 'eu-central-1' } });
  });

  it('leaves a tenant unpaired where nothing says how: no peer, several peers, a home this router does not know', () => {
    expect(pairFor('local', undefined, 'local', [])).toEqual({ ok: true });
    expect(pairFor('eu-west-1', undefined, 'eu-west-1', ['eu-central-1', 'eu-north-1'])).toEqual({ ok: true });
    expect(pairFor('us-east-1', undefined, 'local-a', ['local-b'])).toEqual({ ok: true });
  });

  it('refuses a named standby that is unknown, equal to the home, or paired with an unknown home — naming the field', () => {
    expect(pairFor('local-a', 'mars-1', 'local-a', ['local-b'])).toMatchObject({ ok: false, field: 'standbyRegion' });
    expect(pairFor('local-a', 'local-a', 'local-a', ['local-b'])).toMatchObject({ ok: false, field: 'standbyRegion' });
    expect(pairFor('us-east-1', 'local-b', 'local-a', ['local-b'])).toMatchObject({ ok: false, field: 'homeRegion' });
  });
});
