import { WindowRules, canSendFreeText } from './window';

const NOW = new Date('2026-06-10T12:00:00Z');
const hoursAgo = (h: number) => new Date(NOW.getTime() - h * 3_600_000);
const META_WA: WindowRules = { freeTextHours: 24, outside: 'template', businessInitiated: 'template' };
const MESSENGER: WindowRules = { freeTextHours: 24, humanAgentTagHours: 168, outside: 'refuse', businessInitiated: 'refuse' };
const OPEN: WindowRules = { freeTextHours: null, outside: 'refuse', businessInitiated: 'refuse' };

describe('canSendFreeText', () => {
  it('allows free text within 24 h, needs a template after (WhatsApp rules)', () => {
    expect(canSendFreeText(META_WA, hoursAgo(23.9), NOW, 'bot')).toEqual({ kind: 'allowed' });
    expect(canSendFreeText(META_WA, hoursAgo(24), NOW, 'agent').kind).toBe('needs-template');
    expect(canSendFreeText(META_WA, undefined, NOW, 'bot').kind).toBe('needs-template');
  });

  it('treats a customer timestamp slightly in the future (clock skew) as inside the window', () => {
    expect(canSendFreeText(META_WA, new Date(NOW.getTime() + 5_000), NOW, 'bot')).toEqual({ kind: 'allowed' });
  });

  it('lets only human agents reply with HUMAN_AGENT between 24 h and 7 days (Messenger rules)', () => {
    expect(canSendFreeText(MESSENGER, hoursAgo(2), NOW, 'bot')).toEqual({ kind: 'allowed' });
    expect(canSendFreeText(MESSENGER, hoursAgo(30), NOW, 'agent').kind).toBe('needs-human-agent-tag');
    const bot = canSendFreeText(MESSENGER, hoursAgo(30), NOW, 'bot');
    expect(bot).toMatchObject({ kind: 'refused' });
    expect(bot.kind === 'refused' && bot.reason).toContain('human agent');
    expect(canSendFreeText(MESSENGER, hoursAgo(24 * 7 + 1), NOW, 'agent').kind).toBe('refused');
    expect(canSendFreeText(MESSENGER, undefined, NOW, 'agent').kind).toBe('refused');
  });

  it('has no window where the channel has none, but refuses a first contact when the channel does', () => {
    expect(canSendFreeText(OPEN, hoursAgo(24 * 365), NOW, 'bot')).toEqual({ kind: 'allowed' });
    expect(canSendFreeText(OPEN, undefined, NOW, 'bot').kind).toBe('refused');
  });
});
