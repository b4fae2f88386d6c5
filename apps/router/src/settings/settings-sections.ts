import { z } from 'zod';
import { type BusinessHours, type GroupDefaults, HandoffPolicySchema, SkillGroupsInputSchema } from '@omni/routing';
import { NLU_FALLBACKS } from '@omni/persistence';

const Language = z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'a language tag, e.g. pt-BR or en_US');
const TimeZone = z.string().refine((tz) => {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}, 'an IANA time zone, e.g. Europe/Lisbon');
const Clock = z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'HH:MM, 24-hour (24:00 ends a day)');
const Interval = z.object({ from: Clock, to: Clock }).strict().refine((i) => i.from < i.to, { message: 'from must be before to', path: ['to'] });
const Day = z.array(Interval).max(8);
const Text = z.string().trim().min(1).max(1_000);

/**
 * The tenant settings an admin edits through the API (issue 12 #6), one schema per section: a change
 * replaces one section, validated here (a 400 names the field under its section).
 */
export const SETTINGS_SECTIONS = {
  /** When the bot hands to a person (the router's handoff rules; applied to the tenant at once). */
  handoffPolicy: HandoffPolicySchema,
  /**
   * The groups agents work in (routing's own: languages, intents, channels, hours, slaSeconds,
   * fallbackGroupId, afterHoursGroupId…; applied at once, the same as PUT /v1/skill-groups).
   */
  skillGroups: SkillGroupsInputSchema,
  /** Business hours per weekday, and closed days. */
  hours: z.object({
    timeZone: TimeZone,
    weekly: z.object({ mon: Day, tue: Day, wed: Day, thu: Day, fri: Day, sat: Day, sun: Day }).partial().strict(),
    closed: z.array(z.iso.date()).max(366).optional(),
    /** The skill group that takes conversations while closed (it keeps no hours itself); without one the customer is told when the team is back. */
    afterHoursGroupId: z.string().min(1).max(128).optional(),
  }).strict(),
  /** Service levels: first answer by a person, and resolution. */
  sla: z.object({
    firstResponseSeconds: z.number().int().min(1).max(86_400),
    resolutionSeconds: z.number().int().min(60).max(30 * 86_400).optional(),
  }).strict(),
  /** Approved WhatsApp message templates, per language. */
  whatsappTemplates: z.array(z.object({
    name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and _'),
    language: Language,
    bodyParams: z.number().int().min(0).max(20),
    category: z.enum(['utility', 'marketing', 'authentication']).optional(),
    /** The template sent instead of free text once the 24-hour window is closed (its {{1}} carries the text). */
    reengage: z.boolean().optional(),
  }).strict()).max(500)
    .refine((t) => new Set(t.map((x) => `${x.name}\u0000${x.language}`)).size === t.length, 'one template per name and language')
    .refine((t) => new Set(t.filter((x) => x.reengage).map((x) => x.name)).size <= 1, 'the re-engagement templates (reengage: true) must share one name, in several languages'),
  /** The web widget's texts, per language. */
  widgetTexts: z.record(Language, z.object({ title: Text, greeting: Text, placeholder: Text, offline: Text }).partial().strict())
    .refine((r) => Object.keys(r).length <= 30, 'at most 30 languages'),
  /** What the bot does while the tenant has no NLU data of its own (applied to the tenant at once). */
  nluFallback: z.enum(NLU_FALLBACKS),
} as const;

export type SettingsSection = keyof typeof SETTINGS_SECTIONS;
export const SECTION_NAMES = Object.keys(SETTINGS_SECTIONS) as SettingsSection[];

export function isSection(name: string): name is SettingsSection {
  return Object.hasOwn(SETTINGS_SECTIONS, name);
}

const WEEKDAY_KEYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/** The routing's business hours from the `hours` section (days as routing's windows, closed dates as holidays). */
export function businessHours(h: z.infer<typeof SETTINGS_SECTIONS.hours>): BusinessHours {
  return {
    timeZone: h.timeZone,
    weekly: WEEKDAY_KEYS.flatMap((day) => (h.weekly[day] ?? []).map((w) => ({ day, open: w.from, close: w.to }))),
    holidays: h.closed ?? [],
  };
}

/**
 * What a tenant's settings give its skill groups: its business hours and after-hours group, its
 * first-response SLA as the longest wait in a group's queue, and its resolution SLA. A stored section that no longer parses
 * (a schema made stricter later) is left out rather than stopping routing.
 */
export function groupDefaults(settings: Record<string, unknown>): GroupDefaults {
  const hours = SETTINGS_SECTIONS.hours.safeParse(settings.hours);
  const sla = SETTINGS_SECTIONS.sla.safeParse(settings.sla);
  return {
    ...(hours.success ? { hours: businessHours(hours.data), ...(hours.data.afterHoursGroupId ? { afterHoursGroupId: hours.data.afterHoursGroupId } : {}) } : {}),
    ...(sla.success ? { slaSeconds: sla.data.firstResponseSeconds } : {}),
    ...(sla.success && sla.data.resolutionSeconds !== undefined ? { resolutionSeconds: sla.data.resolutionSeconds } : {}),
  };
}
