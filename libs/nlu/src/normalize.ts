/**
 * Stage 1: text normalization.
 *
 * Every later stage (entity rules, language detection, features) sees the same canonical text, so a
 * customer typing full-width digits, Arabic-Indic digits or Thai digits is treated exactly like one
 * typing ASCII. Normalization never changes the string length in a way that breaks spans: the
 * entity stage works on the normalized text and reports spans in it.
 */

// Digit blocks whose ten code points map one-to-one onto 0-9. NFKC already folds full-width digits,
// but not these native-script digits, which customers in Arabic, Persian, Thai, Hindi, Bengali,
// Khmer, Lao and Myanmar scripts really type.
const DIGIT_ZEROS = [
  0x0660, // Arabic-Indic
  0x06f0, // Extended Arabic-Indic (Persian, Urdu)
  0x0966, // Devanagari
  0x09e6, // Bengali
  0x0e50, // Thai
  0x0ed0, // Lao
  0x1040, // Myanmar
  0x17e0, // Khmer
];

function foldDigit(cp: number): number {
  for (const zero of DIGIT_ZEROS) {
    if (cp >= zero && cp <= zero + 9) return 0x30 + (cp - zero);
  }
  return cp;
}

/** Arabic has its own decimal and thousands separators; fold them so "١٢٫٥" parses as 12.5. */
const ARABIC_PUNCT: Record<string, string> = {
  '\u066b': '.', // Arabic decimal separator
  '\u066c': ',', // Arabic thousands separator
  '\u060c': ',', // Arabic comma
  '\u061f': '?', // Arabic question mark
  '\u061b': ';', // Arabic semicolon
};

const FOLD_CLASS =
  '[\\u0660-\\u0669\\u06f0-\\u06f9\\u0966-\\u096f\\u09e6-\\u09ef\\u0e50-\\u0e59\\u0ed0-\\u0ed9\\u1040-\\u1049\\u17e0-\\u17e9\\u066b\\u066c\\u060c\\u061f\\u061b]';
const NEEDS_FOLDING = new RegExp(FOLD_CLASS, 'u');
const NEEDS_FOLDING_G = new RegExp(FOLD_CLASS, 'gu');

// Zero-width characters and the Arabic tatweel carry no meaning for understanding but split tokens.
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff\u0640]/g;

/**
 * NFKC, native digits → ASCII, Arabic punctuation → ASCII, invisible characters removed, runs of
 * whitespace collapsed to one space, trimmed. Case is kept (entity rules and language detection
 * use it); features lower-case on their own.
 */
export function normalizeText(input: string): string {
  const s = input.normalize('NFKC').replace(INVISIBLE, '');
  // Fast path: most messages have no native digits or Arabic punctuation.
  const folded = NEEDS_FOLDING.test(s)
    ? s.replace(NEEDS_FOLDING_G, (ch) => {
        const cp = ch.codePointAt(0) ?? 0;
        const digit = foldDigit(cp);
        return digit !== cp ? String.fromCharCode(digit) : (ARABIC_PUNCT[ch] ?? ch);
      })
    : s;
  return folded.replace(/\s+/gu, ' ').trim();
}
