/** Digit blocks customers type besides ASCII: Arabic-Indic, Persian, Thai, full-width. */
const DIGIT_ZEROS = [0x0660, 0x06f0, 0x0e50, 0xff10];

export function asciiDigits(s: string): string {
  return s.replace(/[\u0660-\u0669\u06f0-\u06f9\u0e50-\u0e59\uff10-\uff19]/g, (ch) => {
    const code = ch.codePointAt(0) ?? 0;
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9) ?? code;
    return String(code - zero);
  });
}
