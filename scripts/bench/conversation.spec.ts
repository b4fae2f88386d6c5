import { burstPlan, opsBetween } from './conversation';

describe('conversation bench', () => {
  it('sends every customer\'s messages in order, gap seconds apart, at the total rate', () => {
    const rate = 60;
    const plan = burstPlan(600, 3, rate, 5);
    expect(plan).toHaveLength(1800);
    // Slot j goes out at j / rate seconds.
    const at = new Map<string, number>(plan.map((s, j) => [`${s.customer}.${s.k}`, j / rate]));
    for (let c = 0; c < 600; c++) {
      const [m0, m1, m2] = [0, 1, 2].map((k) => at.get(`${c}.${k}`) as number);
      expect(m1 - m0).toBeCloseTo(5);
      expect(m2 - m1).toBeCloseTo(5);
    }
    // The first wave's customers write their first messages before any second message goes out.
    expect(plan.slice(0, 300).every((s) => s.k === 0)).toBe(true);
  });

  it('keeps a smaller last wave (and a run with fewer customers than a wave) in order', () => {
    const plan = burstPlan(150, 3, 60, 5);
    expect(plan).toHaveLength(450);
    expect(plan.slice(0, 150).map((s) => s.customer)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(new Set(plan.slice(150, 300).map((s) => s.k))).toEqual(new Set([1]));
    const tail = burstPlan(7, 2, 2, 2);
    expect(tail.map((s) => `${s.customer}.${s.k}`)).toEqual(['0.0', '1.0', '2.0', '3.0', '0.1', '1.1', '2.1', '3.1', '4.0', '5.0', '6.0', '4.1', '5.1', '6.1']);
  });

  it('counts database commands between two readings, writes and reads apart', () => {
    const ops = opsBetween({ insert: 10, find: 5, hello: 3 }, { insert: 16, update: 4, findAndModify: 2, find: 9, hello: 3 });
    expect(ops).toEqual({ writes: 12, reads: 4, byCommand: { insert: 6, update: 4, findAndModify: 2, find: 4 } });
  });
});
