import { z } from 'zod';
import { HandoffPolicySchema } from '@omni/routing';
import { NLU_FALLBACKS } from '@omni/persistence';

const Slug = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'lowercase letters, digits, _ and -, at most 64');
const Language = z.string().regex(/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/, 'a language tag, e.g. pt-BR or en_US');
const TimeZone = z.string().refine((tz) => {
  try { new Intl.DateTimeFormat('en', { timeZone: tz }); return true; } catch { return false; }
}, 'an IANA time zone, e.g. Europe/Lisbon');
const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:MM, 24-hour');
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
  /** The groups agents work in, with the languages and channels they take. */
  skillGroups: z.array(z.object({
    id: Slug,
    name: z.string().trim().min(1).max(128),
    languages: z.array(Language).max(30).optional(),
    channels: z.array(z.enum(['web', 'whatsapp', 'messenger', 'telegram', 'email'])).max(5).optional(),
  }).strict()).max(200).refine((g) => new Set(g.map((x) => x.id)).size === g.length, 'group ids must be unique'),
  /** Business hours per weekday, and closed days. */
  hours: z.object({
    timeZone: TimeZone,
    weekly: z.object({ mon: Day, tue: Day, wed: Day, thu: Day, fri: Day, sat: Day, sun: Day }).partial().strict(),
    closed: z.array(z.iso.date()).max(366).optional(),
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
  }).strict()).max(500).refine((t) => new Set(t.map((x) => `${x.name}\u0000${x.language}`)).size === t.length, 'one template per name and language'),
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
