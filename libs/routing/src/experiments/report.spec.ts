import { caught } from '../testing';
import { parseExperiment } from './assignment';
import { experimentReport, recordOutcome, type ExperimentOutcome } from './report';

const experiment = parseExperiment({ id: 'greeting', variants: [{ id: 'A', weight: 1 }, { id: 'B', weight: 1 }] });
const start = new Date('2026-03-02T10:00:00Z');

const outcome = (variantId: string, i: number, seconds: number, handedOff: boolean, csat?: number): ExperimentOutcome =>
  recordOutcome({
    experimentId: 'greeting', variantId, conversationId: `${variantId}-${i}`, customerId: `cust-${variantId}-${i}`,
    startedAt: start, endedAt: new Date(start.getTime() + seconds * 1000), handedOff, ...(csat === undefined ? {} : { csat }),
  });

// A: 10 conversations, 3 handed off; CSAT 4,5,3,5,4; resolution 60..600 s.
// B: 4 conversations, 3 handed off; CSAT 2; resolution 100, 300, 500, 700 s.
const recorded: ExperimentOutcome[] = [
  ...[60, 120, 180, 240, 300, 360, 420, 480, 540, 600].map((s, i) => outcome('A', i, s, i < 3, [4, 5, 3, 5, 4][i])),
  ...[100, 300, 500, 700].map((s, i) => outcome('B', i, s, i > 0, i === 0 ? 2 : undefined)),
];

describe('experimentReport', () => {
  const report = experimentReport(experiment, [
    ...recorded,
    recorded[0], // redelivered
    { ...recorded[1], conversationId: 'x', experimentId: 'other' },
    { ...recorded[1], conversationId: 'y', variantId: 'C' },
  ]);
  const [a, b] = report.variants;

  it('counts per variant and ignores duplicates and strangers', () => {
    expect(report.ignored).toBe(3);
    expect(report.variants.map((v) => [v.variantId, v.conversations])).toEqual([['A', 10], ['B', 4]]);
  });

  // Hand-computed: Wilson p=0.7, n=10, z=1.96: centre 0.644494, half-width 0.247716.
  it('reports containment with a Wilson interval', () => {
    expect(a?.containment).toMatchObject({ successes: 7, n: 10, rate: 0.7 });
    expect(a?.containment.ci?.low).toBeCloseTo(0.396778, 5);
    expect(a?.containment.ci?.high).toBeCloseTo(0.89221, 5);
    expect(b?.containment).toMatchObject({ successes: 1, n: 4, rate: 0.25 });
    expect(b?.containment.ci?.low).toBeCloseTo(0.045587, 5);
    expect(b?.containment.ci?.high).toBeCloseTo(0.699359, 5);
  });

  // Hand-computed: mean 4.2, sd sqrt(0.7) = 0.836660, se 0.374166, t(4) 2.776445 → ±1.038854.
  it('reports CSAT mean with a t interval', () => {
    expect(a?.csat.n).toBe(5);
    expect(a?.csat.mean).toBeCloseTo(4.2, 10);
    expect(a?.csat.sd).toBeCloseTo(0.83666, 5);
    expect(a?.csat.ci?.low).toBeCloseTo(3.161146, 4);
    expect(a?.csat.ci?.high).toBeCloseTo(5.238854, 4);
    expect(b?.csat).toEqual({ n: 1, mean: 2, sd: null, ci: null });
  });

  // Hand-computed: A mean 330, sd sqrt(297000/9) = 181.659, se 57.4456, t(9) 2.262157 → ±129.952.
  // B mean 400, sd sqrt(200000/3) = 258.199, se 129.0994, t(3) 3.182446 → ±410.853.
  it('reports time to resolution with a t interval', () => {
    expect(a?.timeToResolutionSeconds.mean).toBe(330);
    expect(a?.timeToResolutionSeconds.ci?.low).toBeCloseTo(200.048, 2);
    expect(a?.timeToResolutionSeconds.ci?.high).toBeCloseTo(459.952, 2);
    expect(b?.timeToResolutionSeconds.mean).toBe(400);
    expect(b?.timeToResolutionSeconds.ci?.low).toBeCloseTo(-10.853, 2);
    expect(b?.timeToResolutionSeconds.ci?.high).toBeCloseTo(810.853, 2);
  });

  it('reports an empty variant without numbers', () => {
    const empty = experimentReport(experiment, recorded.filter((o) => o.variantId === 'A')).variants[1];
    expect(empty).toEqual({
      variantId: 'B', conversations: 0, containment: { successes: 0, n: 0, rate: null, ci: null },
      csat: { n: 0, mean: null, sd: null, ci: null }, timeToResolutionSeconds: { n: 0, mean: null, sd: null, ci: null },
    });
  });

  it.each([
    [{ csat: 6 }, 'csat'],
    [{ endedAt: new Date(start.getTime() - 1) }, 'endedAt'],
    [{ startedAt: '2026-03-02' }, 'startedAt'],
  ])('rejects an outcome with %j', (override, path) => {
    expect(caught(() => recordOutcome({ ...recorded[0], ...override }))).toMatchObject({ issues: [{ path }] });
  });
});
