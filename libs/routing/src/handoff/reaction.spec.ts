import { reactionVerdict } from './reaction';

describe('reactionVerdict', () => {
  it.each([
    ['👍', 'up'], ['👍🏽', 'up'], ['👍🏿', 'up'], ['❤️', 'up'], ['❤', 'up'], ['🙏', 'up'], ['😍', 'up'],
    ['👎', 'down'], ['👎🏻', 'down'], ['😡', 'down'], ['😢', 'down'], ['☹️', 'down'], ['💩', 'down'],
  ])('reads %s as %s', (emoji, verdict) => {
    expect(reactionVerdict(emoji)).toBe(verdict);
  });

  it.each([['😂'], ['😮'], ['🔥'], [''], ['  '], [undefined], ['👍👎'], ['ok']])('says nothing for %p', (emoji) => {
    expect(reactionVerdict(emoji)).toBeUndefined();
  });
});
