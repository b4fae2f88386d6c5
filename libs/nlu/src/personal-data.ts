/**
 * Personal data the entity pipeline does not type, found in a message before it may leave the
 * process (issue 15 #14): IBANs, street addresses, dates of birth and people's names.
 *
 * - IBANs: candidates by shape, kept only when ibantools (maintained; ISO 13616 country formats and
 *   the mod-97 checksum) says they are valid, so an order id that merely looks like one is not eaten.
 * - Names: compromise's people finder (a maintained English-first NLP with a large multi-cultural
 *   first-name lexicon) on Latin-script text, plus "my name is …" phrases in the ten languages.
 * - Street addresses: no maintained library parses addresses of the ten languages (the npm parsers are
 *   US-only), so the street-type words of each (Street/Rd, rue, Rua/Avenida, Calle/Avda., Straße/-weg,
 *   Jalan/Jl., Đường/Phố, 路/街, شارع, ถนน) next to a house number.
 * - Dates of birth: a date after a birth word (born, DOB, nacido, nascido, né, geboren, lahir, sinh,
 *   出生, ولد, เกิด), or any full date at least 12 years old. Recent dates stay: a delivery date identifies
 *   nobody and the answer needs it.
 */
import nlp from 'compromise';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

export type PersonalDataKind = 'iban' | 'address' | 'date_of_birth' | 'name';

export interface PersonalDataMatch {
  readonly kind: PersonalDataKind;
  readonly text: string;
}

const IBAN_CANDIDATE = /\b[A-Z]{2}\d{2}(?:[ -]?[A-Z0-9]){11,32}/gi;

/** The longest prefix of a candidate (spaces and dashes as written) that is a valid IBAN. */
function validIbanIn(candidate: string): string | null {
  const compact = (electronicFormatIBAN(candidate) ?? '').replace(/-/g, '').toUpperCase();
  for (let len = Math.min(34, compact.length); len >= 15; len--) {
    if (!isValidIBAN(compact.slice(0, len))) continue;
    // Map the compact length back to the written text (which may hold spaces or dashes).
    let seen = 0;
    let end = 0;
    while (end < candidate.length && seen < len) if (/[A-Za-z0-9]/.test(candidate[end++] ?? '')) seen++;
    return candidate.slice(0, end);
  }
  return null;
}

const WORD = String.raw`[\p{L}\p{M}'’.-]+`;
const HOUSE = String.raw`\d{1,5}[A-Za-z]?(?:[/-]\d{1,4})?`;
const ADDRESSES: readonly RegExp[] = [
  // 221B Baker Street · 10 Downing St.
  new RegExp(String.raw`\b${HOUSE},?\s+(?:${WORD}\s+){1,4}(?:Street|St\.?|Avenue|Ave\.?|Road|Rd\.?|Boulevard|Blvd\.?|Lane|Ln\.?|Drive|Dr\.?|Court|Ct\.?|Way|Place|Pl\.?|Terrace|Close|Crescent|Square|Sq\.?)(?![\p{L}])`, 'gu'),
  // 12 rue de la Paix · 5 avenue Foch
  new RegExp(String.raw`\b${HOUSE},?\s+(?:rue|avenue|av\.|boulevard|bd\.?|chemin|allée|impasse|place|route|quai|cours)\s+(?:${WORD}\s?){1,5}`, 'giu'),
  // Rua das Flores, 123 · Avenida Paulista 1000 · Calle Mayor 5 · Jalan Sudirman No. 5 · Đường Lê Lợi 12 · Via Roma 3 · شارع … 12
  new RegExp(String.raw`(?<![\p{L}])(?:Rua|R\.|Avenida|Av\.|Avda\.?|Travessa|Alameda|Praça|Estrada|Rodovia|Calle|C/|Paseo|Plaza|Camino|Carrera|Jalan|Jl\.|Gang|Via|Viale|Piazza|Đường|Phố|Ngõ|شارع)\s+(?:${WORD},?\s+){0,5}?(?:n[ºo°.]?\s*|No\.?\s*|số\s*)?${HOUSE}(?![\d])`, 'gu'),
  // Hauptstraße 12 · Lindenweg 3a · Am Markt­platz 1
  new RegExp(String.raw`(?<![\p{L}])[\p{L}-]*(?:straße|strasse|str\.|weg|gasse|platz|allee|ring|damm|ufer)\s+${HOUSE}(?![\d])`, 'giu'),
  // 北京市朝阳区建国路88号 · ถนนสุขุมวิท 21
  /[\p{Script=Han}]{2,}(?:路|街|道|巷|弄)\d+号?/gu,
  /ถนน\s?[\p{Script=Thai}]+\s?\d{1,5}/gu,
];

const BIRTH = String.raw`(?:born|nac[ií]|birth(?:day|date)?|date of birth|d\.?o\.?b\.?|nacid[oa]|nacimiento|nascid[oa]|nascimento|née?|naissance|geboren|geburtsdatum|geburtstag|lahir|sinh(?: ngày)?|出生|生日|ولدت?|تاريخ الميلاد|เกิด)`;
const NUMERIC_DATE = String.raw`(?:\d{1,2}[./-]\d{1,2}[./-]\d{4}|\d{4}[./-]\d{1,2}[./-]\d{1,2}|\d{4}年\d{1,2}月\d{1,2}日)`;
/** A birth word, then a date — numeric, or written ("March 3, 1985", "3 de março de 1985"). */
const BIRTH_DATE = new RegExp(String.raw`${BIRTH}\s*(?:on|el|em|le|am|pada|vào|في|:|-)?\s*(${NUMERIC_DATE}|[\p{L}\p{N} ,.]{1,30}?\d{4})`, 'giu');
const ANY_NUMERIC_DATE = new RegExp(NUMERIC_DATE, 'g');

const NAME_PHRASES: readonly RegExp[] = [
  /\b(?:my name is|i am called|this is|i'm|i am)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu,
  /\b(?:me llamo|mi nombre es|soy)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu,
  /\b(?:meu nome é|me chamo|eu sou|sou (?:o|a))\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu,
  /\b(?:je m'appelle|je m’appelle|mon nom est|je suis)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu,
  /\b(?:ich heiße|ich heisse|mein name ist|ich bin)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu,
  /\b(?:nama saya|saya)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu,
  /\b(?:tên tôi là|tôi tên là|tôi là)\s+(\p{Lu}[\p{L}'’-]+(?:\s+\p{Lu}[\p{L}'’-]+){0,3})/gu,
  /(?:我叫|我的名字是|我是)\s*(\p{Script=Han}{2,4})/gu,
  /(?:اسمي|أنا)\s+(\p{Script=Arabic}+(?:\s+\p{Script=Arabic}+)?)/gu,
  /(?:ฉันชื่อ|ผมชื่อ|ชื่อ)\s*(\p{Script=Thai}{2,20})/gu,
];
/** Words the phrases above capture that are not names ("I am Happy", "soy Cliente"). */
const NOT_NAMES = new Set(['happy', 'sorry', 'here', 'not', 'still', 'customer', 'cliente', 'client', 'kunde', 'pelanggan', 'khách']);

const LATIN = /\p{Script=Latin}/u;

export interface FindOptions {
  /** Full dates at least this many years before `now` count as dates of birth. */
  readonly now: Date;
}

/** Every IBAN, street address, date of birth and name found in `text`, longest first. */
export function findPersonalData(text: string, o: FindOptions): PersonalDataMatch[] {
  const found = new Map<string, PersonalDataKind>();
  const add = (kind: PersonalDataKind, value: string | undefined) => {
    const v = value?.trim().replace(/[,.;:]+$/, '');
    if (v && v.length >= 2 && !found.has(v)) found.set(v, kind);
  };
  for (const m of text.matchAll(IBAN_CANDIDATE)) add('iban', validIbanIn(m[0]) ?? undefined);
  for (const re of ADDRESSES) for (const m of text.matchAll(re)) add('address', m[0]);
  for (const m of text.matchAll(BIRTH_DATE)) add('date_of_birth', m[1]);
  const oldest = o.now.getUTCFullYear() - 12;
  for (const m of text.matchAll(ANY_NUMERIC_DATE)) {
    const year = Number(/\d{4}/.exec(m[0])?.[0]);
    if (year <= oldest && year >= 1900) add('date_of_birth', m[0]);
  }
  for (const re of NAME_PHRASES) {
    for (const m of text.matchAll(re)) if (!NOT_NAMES.has((m[1] ?? '').split(/\s+/)[0]?.toLowerCase() ?? '')) add('name', m[1]);
  }
  if (LATIN.test(text)) for (const person of nlp(text).people().out('array') as string[]) add('name', person);
  return [...found].map(([value, kind]) => ({ kind, text: value })).sort((a, b) => b.text.length - a.text.length);
}
