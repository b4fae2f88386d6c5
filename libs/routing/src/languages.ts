/** The ten languages every customer-facing text of the router ships in. */
export const SUPPORTED_LANGUAGES = ['en', 'es', 'pt', 'fr', 'de', 'ar', 'th', 'id', 'vi', 'zh'] as const;
export type SupportedLanguage = (typeof SUPPORTED_LANGUAGES)[number];

/** Legacy or alternative primary subtags that NLU engines and channels still emit. */
const ALIASES: Readonly<Record<string, SupportedLanguage>> = { in: 'id', ind: 'id', cmn: 'zh', yue: 'zh', spa: 'es', por: 'pt' };

export function isSupportedLanguage(tag: string): tag is SupportedLanguage {
  return (SUPPORTED_LANGUAGES as readonly string[]).includes(tag);
}

/**
 * Maps a BCP-47 tag ('pt-BR', 'zh_Hant', 'EN') to its supported primary language, or undefined.
 * Channels report locales with underscores (Messenger) or upper case (email headers).
 */
export function normalizeLanguage(tag: string | undefined | null): SupportedLanguage | undefined {
  if (!tag) return undefined;
  const primary = tag.trim().toLowerCase().split(/[-_]/)[0] ?? '';
  if (isSupportedLanguage(primary)) return primary;
  return ALIASES[primary];
}

/** The language a customer-facing text is rendered in: the tag if supported, else the fallback. */
export function textLanguage(tag: string | undefined | null, fallback: SupportedLanguage = 'en'): SupportedLanguage {
  return normalizeLanguage(tag) ?? fallback;
}

/** A complete set of texts, one per supported language; the type makes a missing translation a compile error. */
export type Localized<T> = Readonly<Record<SupportedLanguage, T>>;

/** Replaces {name} placeholders; a missing value is a programming error, so it throws rather than leak "{name}". */
export function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const v = values[key];
    if (v === undefined) throw new Error(`missing text value ${key}`);
    return v;
  });
}
