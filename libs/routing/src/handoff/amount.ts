import { asciiDigits } from '../digits';

/**
 * Reads a money amount as customers and NLU write it: "$1,234.56", "1.234,56 €", "R$ 150", "1 500".
 * With both separators the last one is the decimal mark; a lone separator followed by exactly three
 * digits is a thousands separator ("1.500" in es/pt/de, "1,500" in en).
 */
export function parseAmount(value: string): number | undefined {
  const s = asciiDigits(value).replace(/[\u066b]/g, '.').replace(/[\u066c\s\u00a0\u202f']/g, '').replace(/[^0-9.,]/g, '');
  if (!/[0-9]/.test(s)) return undefined;
  const lastDot = s.lastIndexOf('.');
  const lastComma = s.lastIndexOf(',');
  let normalized: string;
  if (lastDot >= 0 && lastComma >= 0) {
    const decimal = lastDot > lastComma ? '.' : ',';
    const thousands = decimal === '.' ? ',' : '.';
    normalized = s.split(thousands).join('').replace(decimal, '.');
  } else {
    const sep = lastDot >= 0 ? '.' : lastComma >= 0 ? ',' : undefined;
    if (sep === undefined) normalized = s;
    else {
      const parts = s.split(sep);
      const thousands = parts.length > 2 || (parts.length === 2 && parts[1]?.length === 3);
      normalized = thousands ? parts.join('') : parts.join('.');
    }
  }
  const n = Number(normalized);
  return Number.isFinite(n) ? n : undefined;
}
