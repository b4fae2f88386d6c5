import { FatalError } from '@omni/contracts';

export type TemplateStatus = 'APPROVED' | 'PENDING' | 'REJECTED' | 'PAUSED' | 'DISABLED';

/** One pre-approved message template as Meta lists it (name + language is the unique key). */
export interface TemplateDef {
  name: string;
  /** Meta's language code: `en`, `en_US`, `pt_BR`… */
  language: string;
  status: TemplateStatus;
  category?: 'UTILITY' | 'MARKETING' | 'AUTHENTICATION';
  /** Number of `{{n}}` body parameters. */
  bodyParams?: number;
}

/** `pt-BR` and `pt_br` both mean Meta's `pt_BR`. */
export function normalizeLanguage(code: string): string {
  const [lang, region] = code.trim().replace(/-/g, '_').split('_');
  return region ? `${lang.toLowerCase()}_${region.toUpperCase()}` : lang.toLowerCase();
}

/** `pt_BR` with fallback [`en`] → [`pt_BR`, `pt`, `en`] (duplicates removed, order kept). */
export function languageChain(locale: string | undefined, fallback: readonly string[] = ['en']): string[] {
  const chain: string[] = [];
  const add = (c: string) => {
    const n = normalizeLanguage(c);
    if (n && !chain.includes(n)) chain.push(n);
  };
  for (const code of locale ? [locale, ...fallback] : fallback) {
    add(code);
    add(normalizeLanguage(code).split('_')[0]);
  }
  return chain;
}

export class TemplateRegistry {
  private readonly byName = new Map<string, TemplateDef[]>();

  constructor(templates: readonly TemplateDef[], private readonly fallback: readonly string[] = ['en']) {
    for (const t of templates) {
      const list = this.byName.get(t.name) ?? [];
      list.push({ ...t, language: normalizeLanguage(t.language) });
      this.byName.set(t.name, list);
    }
  }

  /**
   * The approved template `name` in the customer's language, walking the fallback chain
   * (pt_BR → pt → any approved pt_* → en → any en_*). Throws a FatalError naming what was missing:
   * sending a template that is not approved only earns error 132001 from Meta.
   */
  pick(name: string, locale: string | undefined): TemplateDef {
    const approved = (this.byName.get(name) ?? []).filter((t) => t.status === 'APPROVED');
    const chain = languageChain(locale, this.fallback);
    for (const lang of chain) {
      const exact = approved.find((t) => t.language === lang);
      if (exact) return exact;
      if (!lang.includes('_')) {
        const variant = approved.filter((t) => t.language.startsWith(`${lang}_`)).sort((a, b) => a.language.localeCompare(b.language))[0];
        if (variant) return variant;
      }
    }
    const known = (this.byName.get(name) ?? []).map((t) => `${t.language}:${t.status}`).join(', ') || 'none';
    throw new FatalError('template_unavailable', `no approved template "${name}" for languages ${chain.join(' → ')} (registered: ${known})`, {
      template: name,
      languages: chain,
    });
  }
}
