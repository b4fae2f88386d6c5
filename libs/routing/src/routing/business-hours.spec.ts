import { BusinessHoursSchema, isOpen, localTime, nextOpenAt, zonedTime, type BusinessHours } from './business-hours';

const weekdays = (open: string, close: string) => (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((day) => ({ day, open, close }));

const saoPaulo: BusinessHours = BusinessHoursSchema.parse({ timeZone: 'America/Sao_Paulo', weekly: weekdays('09:00', '18:00'), holidays: ['2026-04-03'] });
const bangkok = BusinessHoursSchema.parse({ timeZone: 'Asia/Bangkok', weekly: [...weekdays('08:00', '20:00'), { day: 'sat', open: '10:00', close: '14:00' }] });
const newYork = BusinessHoursSchema.parse({ timeZone: 'America/New_York', weekly: [{ day: 'sun', open: '09:00', close: '17:00' }, { day: 'mon', open: '00:00', close: '24:00' }] });

describe('business hours', () => {
  it.each([
    // 2026-03-02 is a Monday. São Paulo is UTC-3 all year, Bangkok UTC+7.
    ['SP Monday 11:59 local', saoPaulo, '2026-03-02T14:59:00Z', true],
    ['SP Monday 08:59 local', saoPaulo, '2026-03-02T11:59:00Z', false],
    ['SP Monday 18:00 local (close is exclusive)', saoPaulo, '2026-03-02T21:00:00Z', false],
    ['SP Saturday', saoPaulo, '2026-03-07T15:00:00Z', false],
    ['SP Good Friday holiday', saoPaulo, '2026-04-03T15:00:00Z', false],
    ['Bangkok Monday 07:30 local = Sunday 00:30Z', bangkok, '2026-03-02T00:30:00Z', false],
    ['Bangkok Monday 08:30 local = Monday 01:30Z', bangkok, '2026-03-02T01:30:00Z', true],
    ['Bangkok Saturday 11:00 local', bangkok, '2026-03-07T04:00:00Z', true],
    ['NY Monday 23:59 local (24:00 close)', newYork, '2026-03-10T03:59:00Z', true],
  ])('%s -> %s', (_name, hours, at, open) => {
    expect(isOpen(hours, new Date(at))).toBe(open);
  });

  it.each([
    ['open now returns now', saoPaulo, '2026-03-02T14:59:00Z', '2026-03-02T14:59:00.000Z'],
    ['SP Friday evening -> Monday 09:00 -03', saoPaulo, '2026-03-06T22:00:00Z', '2026-03-09T12:00:00.000Z'],
    ['SP Thursday evening skips the Friday holiday', saoPaulo, '2026-04-02T22:00:00Z', '2026-04-06T12:00:00.000Z'],
    ['Bangkok Saturday after 14:00 -> Monday 08:00 +07', bangkok, '2026-03-07T08:00:00Z', '2026-03-09T01:00:00.000Z'],
    // DST starts in New York on 2026-03-08: Sunday 09:00 is already EDT (UTC-4).
    ['NY Saturday -> Sunday 09:00 EDT on the DST day', newYork, '2026-03-07T15:00:00Z', '2026-03-08T13:00:00.000Z'],
    // DST ends on 2026-11-01: Sunday 09:00 is EST (UTC-5).
    ['NY Saturday -> Sunday 09:00 EST on the fall-back day', newYork, '2026-10-31T15:00:00Z', '2026-11-01T14:00:00.000Z'],
  ])('nextOpenAt: %s', (_name, hours, at, expected) => {
    expect(nextOpenAt(hours, new Date(at))?.toISOString()).toBe(expected);
  });

  it('returns null for a schedule that never opens', () => {
    expect(nextOpenAt(BusinessHoursSchema.parse({ timeZone: 'UTC', weekly: [] }), new Date('2026-03-02T00:00:00Z'))).toBeNull();
  });

  it('moves wall times in a DST gap forward by the gap', () => {
    // 02:30 does not exist on 2026-03-08 in New York; it becomes 03:30 EDT.
    expect(zonedTime('2026-03-08', 150, 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
    expect(zonedTime('2026-03-02', 9 * 60, 'Asia/Kolkata').toISOString()).toBe('2026-03-02T03:30:00.000Z');
  });

  it('reads local date and weekday across the date line', () => {
    expect(localTime(new Date('2026-03-01T23:30:00Z'), 'Pacific/Auckland')).toEqual({ date: '2026-03-02', weekday: 'mon', minutes: 12 * 60 + 30 });
  });

  it.each([
    [{ timeZone: 'Mars/Olympus', weekly: [] }],
    [{ timeZone: 'UTC', weekly: [{ day: 'mon', open: '18:00', close: '09:00' }] }],
    [{ timeZone: 'UTC', weekly: [{ day: 'mon', open: '9:00', close: '17:00' }] }],
    [{ timeZone: 'UTC', weekly: [], holidays: ['03/04/2026'] }],
  ])('rejects %j', (input) => {
    expect(BusinessHoursSchema.safeParse(input).success).toBe(false);
  });
});
