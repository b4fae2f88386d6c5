import { z } from 'zod';

export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const hhmm = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'expected HH:MM (00:00-24:00)');

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/**
 * Opening hours in the group's own IANA time zone. A shift across midnight is two windows
 * (fri 22:00-24:00 and sat 00:00-06:00), which keeps holidays unambiguous: they close one local date.
 */
export const BusinessHoursSchema = z.object({
  timeZone: z.string().refine(validTimeZone, 'unknown IANA time zone'),
  weekly: z
    .array(z.object({ day: z.enum(WEEKDAYS), open: hhmm, close: hhmm }).refine((w) => w.open < w.close, 'open must be before close'))
    .max(100),
  /** Local dates (YYYY-MM-DD) the group is closed all day. */
  holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).max(1000).default([]),
});
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

interface LocalTime {
  readonly date: string;
  readonly weekday: Weekday;
  readonly minutes: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Wall-clock fields of an instant in a time zone. */
function wallClock(at: Date, timeZone: string): { y: number; m: number; d: number; h: number; min: number; s: number } {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(at)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { y: parts.year ?? 0, m: parts.month ?? 1, d: parts.day ?? 1, h: parts.hour ?? 0, min: parts.minute ?? 0, s: parts.second ?? 0 };
}

/** Offset of the zone from UTC at an instant, in ms (positive east of Greenwich). */
function offsetMs(at: number, timeZone: string): number {
  const w = wallClock(new Date(at), timeZone);
  return Date.UTC(w.y, w.m - 1, w.d, w.h, w.min, w.s) - Math.floor(at / 1000) * 1000;
}

export function localTime(at: Date, timeZone: string): LocalTime {
  const w = wallClock(at, timeZone);
  const date = `${w.y}-${String(w.m).padStart(2, '0')}-${String(w.d).padStart(2, '0')}`;
  return { date, weekday: WEEKDAYS[new Date(Date.UTC(w.y, w.m - 1, w.d)).getUTCDay()] ?? 'sun', minutes: w.h * 60 + w.min };
}

/**
 * The instant a local wall time (date + minutes after midnight) happens in a zone. A time inside a
 * DST gap (it does not exist) moves forward by the gap's length, like Temporal's 'compatible' mode.
 */
export function zonedTime(date: string, minutes: number, timeZone: string): Date {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const before = offsetMs(guess, timeZone);
  const t = guess - before;
  const after = offsetMs(t, timeZone);
  if (after === before) return new Date(t);
  const t2 = guess - after;
  return new Date(offsetMs(t2, timeZone) === after ? t2 : Math.max(t, t2));
}

const toMinutes = (hm: string): number => Number(hm.slice(0, 2)) * 60 + Number(hm.slice(3, 5));

function addDays(date: string, days: number): string {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

export function isOpen(hours: BusinessHours, at: Date): boolean {
  const local = localTime(at, hours.timeZone);
  if (hours.holidays.includes(local.date)) return false;
  return hours.weekly.some((w) => w.day === local.weekday && toMinutes(w.open) <= local.minutes && local.minutes < toMinutes(w.close));
}

/** `at` itself when open; else the next opening instant within a year; null when the schedule never opens. */
export function nextOpenAt(hours: BusinessHours, at: Date): Date | null {
  if (isOpen(hours, at)) return at;
  const today = localTime(at, hours.timeZone).date;
  for (let k = 0; k <= 366; k++) {
    const date = addDays(today, k);
    if (hours.holidays.includes(date)) continue;
    const weekday = WEEKDAYS[new Date(`${date}T00:00:00Z`).getUTCDay()];
    const opens = hours.weekly
      .filter((w) => w.day === weekday)
      .map((w) => zonedTime(date, toMinutes(w.open), hours.timeZone))
      .filter((t) => t.getTime() > at.getTime())
      .sort((a, b) => a.getTime() - b.getTime());
    if (opens[0]) return opens[0];
  }
  return null;
}
