import { ValidationError } from '@omni/contracts';
import { cutoffs, defaultRetention, retentionPolicy } from './retention-policy';

const defaults = defaultRetention({ RETENTION_CUSTOMERS_DAYS: 730, RETENTION_MESSAGES_DAYS: 365, RETENTION_MEDIA_DAYS: 180, RETENTION_PREDICTIONS_DAYS: 0 });
const now = new Date('2026-12-01T00:00:00Z');
const ago = (days: number) => new Date(now.getTime() - days * 86_400_000);

describe('retention policy', () => {
  it('takes what a tenant says over the defaults', () => {
    expect(retentionPolicy(undefined, defaults)).toEqual({ customersDays: 730, messagesDays: 365, mediaDays: 180, predictionsDays: 0 });
    expect(retentionPolicy({ messagesDays: 30, customersDays: 0 }, defaults)).toEqual({ customersDays: 0, messagesDays: 30, mediaDays: 180, predictionsDays: 0 });
  });

  it.each([
    [{ messagesDays: -1 }, 'retention.messagesDays'],
    [{ mediaDays: 1.5 }, 'retention.mediaDays'],
    [{ chatsDays: 3 }, 'retention.'],
    ['30 days', 'retention.'],
  ])('refuses %j naming the field', (raw, path) => {
    let thrown: unknown;
    try {
      retentionPolicy(raw, defaults);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).issues.map((i) => i.path)).toEqual([expect.stringContaining(path)]);
  });

  it('turns days into cutoffs; 0 keeps forever; files never outlive their messages', () => {
    expect(cutoffs(defaults, now)).toEqual({ customers: ago(730), messages: ago(365), media: ago(180), predictions: undefined });
    expect(cutoffs({ ...defaults, mediaDays: 400 }, now).media).toEqual(ago(365));
    expect(cutoffs({ ...defaults, messagesDays: 0, mediaDays: 0 }, now)).toMatchObject({ messages: undefined, media: undefined });
    expect(cutoffs({ ...defaults, messagesDays: 0 }, now).media).toEqual(ago(180));
  });
});
