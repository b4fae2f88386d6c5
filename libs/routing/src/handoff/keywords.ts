import type { Localized, SupportedLanguage } from '../languages';

/**
 * Phrases that mean "let me talk to a person", per language. They back up the NLU's
 * `talk_to_human` intent, which is weakest exactly where customers are most frustrated: short,
 * misspelled, mixed-language messages. Written without accents; matching folds the text the same way.
 * Latin-script phrases match whole words; Thai, Chinese and Arabic match as substrings because
 * Thai and Chinese do not separate words and Arabic attaches prefixes (و، ب، ال) to them.
 */
export const HUMAN_REQUEST_PHRASES: Localized<readonly string[]> = {
  en: ['human', 'real person', 'live agent', 'agent', 'representative', 'operator', 'customer service', 'customer support',
    'talk to someone', 'speak to someone', 'talk to a person', 'speak to a person', 'speak with someone'],
  es: ['humano', 'persona real', 'agente', 'asesor', 'operador', 'representante', 'hablar con alguien', 'hablar con una persona'],
  pt: ['humano', 'atendente', 'pessoa real', 'operador', 'agente', 'falar com alguem', 'falar com uma pessoa'],
  fr: ['humain', 'conseiller', 'conseillere', 'un agent', 'operateur', 'vraie personne', 'personne reelle', "parler a quelqu'un",
    'parler a une personne'],
  de: ['mensch', 'menschen', 'mitarbeiter', 'mitarbeiterin', 'berater', 'echte person', 'kundenservice', 'kundendienst',
    'mit jemandem sprechen'],
  ar: ['موظف', 'انسان', 'شخص حقيقي', 'خدمة العملاء', 'ممثل خدمة', 'التحدث مع شخص', 'وكيل'],
  th: ['พนักงาน', 'เจ้าหน้าที่', 'คนจริง', 'คุยกับคน', 'แอดมิน'],
  id: ['manusia', 'orang asli', 'orang sungguhan', 'agen', 'operator', 'petugas', 'customer service', 'cs', 'bicara dengan orang'],
  vi: ['nhân viên', 'người thật', 'tư vấn viên', 'gặp người', 'nói chuyện với người'],
  zh: ['人工', '真人', '客服人员', '找客服', '转接客服', '轉接客服'],
};

export interface PhraseMatch {
  readonly language: SupportedLanguage | 'custom';
  readonly phrase: string;
}

/** Lower case, no accents or Arabic diacritics, unified alef/yeh/teh marbuta, punctuation as spaces. */
export function foldText(text: string): string {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/đ/g, 'd')
    .replace(/[أإآ]/g, 'ا')
    .replace(/ى/g, 'ي')
    .replace(/ة/g, 'ه')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return ` ${folded} `;
}

interface Compiled {
  readonly match: PhraseMatch;
  readonly needle: string;
}

const LATIN = /^[ a-z0-9]+$/;

function compile(language: PhraseMatch['language'], phrase: string): Compiled {
  const folded = foldText(phrase);
  // foldText pads with spaces, which is exactly the word-boundary needle for Latin scripts.
  return { match: { language, phrase }, needle: LATIN.test(folded) ? folded : folded.trim() };
}

const BUILT_IN: readonly Compiled[] = (Object.entries(HUMAN_REQUEST_PHRASES) as Array<[SupportedLanguage, readonly string[]]>)
  .flatMap(([language, phrases]) => phrases.map((p) => compile(language, p)));

/** The first phrase asking for a human found in `text`, checking all languages (detection is unreliable on short texts). */
export function findHumanRequest(text: string, extraPhrases: readonly string[] = []): PhraseMatch | undefined {
  const haystack = foldText(text);
  const all = extraPhrases.length === 0 ? BUILT_IN : [...extraPhrases.map((p) => compile('custom', p)), ...BUILT_IN];
  return all.find((c) => c.needle.trim() !== '' && haystack.includes(c.needle))?.match;
}
