import { SendShare } from './send-share';

/** A replica's share with a clock the test moves. */
function replica(extraMs = 500) {
  let t = 0;
  const share = SendShare.ofGroup(extraMs, () => t);
  return { share, advance: (ms: number) => void (t += ms), at: () => t };
}

describe('SendShare', () => {
  it("divides an account's limit among the partitions so that the replicas' parts sum to it", () => {
    for (const [count, total] of [[80, 3], [250, 3], [30, 3], [80, 7], [30, 32], [1, 3]]) {
      const parts = Array.from({ length: total }, (_, p) => {
        const { share, advance } = replica();
        share.update([p], total);
        advance(60_000);
        return share.split(count, 1_000);
      });
      const windowMs = parts[0].windowMs;
      expect(parts.every((p) => p.windowMs === windowMs)).toBe(true);
      // Over the (possibly stretched) window the parts add up to the limit over that window, never more.
      expect(parts.reduce((s, p) => s + p.count, 0)).toBe((count * windowMs) / 1_000);
      // No partition is left without a part (its conversations would never be sent).
      expect(parts.every((p) => p.count >= 1)).toBe(true);
    }
  });

  it('gives three replicas of three partitions 27 + 27 + 26 of WhatsApp’s 80/s, and one replica of all of them the whole limit', () => {
    const split = (partitions: number[]) => {
      const { share, advance } = replica();
      share.update(partitions, 3);
      advance(10_000);
      return share.split(80, 1_000).count;
    };
    expect([[0], [1], [2]].map(split)).toEqual([27, 27, 26]);
    expect(split([0, 1, 2])).toBe(80);
    expect(split([0, 2])).toBe(53);
  });

  it('applies a smaller part at once and a larger one only a window and the margin later', () => {
    const { share, advance } = replica(500);
    expect(share.split(80, 1_000)).toEqual({ count: 0, windowMs: 1_000 });
    share.update([0, 1, 2], 3);
    // Before its first assignment this replica held nothing: the whole limit waits out the hold.
    expect(share.split(80, 1_000).count).toBe(0);
    expect(share.settlesAt(80, 1_000)).toBe(1_500);
    advance(1_499);
    expect(share.split(80, 1_000).count).toBe(0);
    advance(1);
    expect(share.split(80, 1_000).count).toBe(80);
    // Two replicas joined: this one keeps partition 0 and shrinks to 27 at once.
    share.update([0], 3);
    expect(share.split(80, 1_000).count).toBe(27);
    // One of them died: back to two partitions, 27 + 27 only after the hold.
    advance(5_000);
    share.update([0, 1], 3);
    expect(share.split(80, 1_000).count).toBe(27);
    advance(1_500);
    expect(share.split(80, 1_000).count).toBe(54);
  });

  it('never divides the whole share, and a replica with no partition of the topic sends nothing', () => {
    const whole = SendShare.whole();
    whole.update([0], 3);
    expect(whole.split(80, 1_000)).toEqual({ count: 80, windowMs: 1_000 });
    const { share, advance } = replica();
    share.update([], 3);
    advance(60_000);
    expect(share.split(80, 1_000).count).toBe(0);
  });
});
