/**
 * Word segmentation shared by features, BM25 and the bench baseline.
 *
 * Intl.Segmenter (ICU, built into Node) segments Thai and Chinese with a dictionary, which a
 * whitespace split cannot do, and costs a few microseconds per message.
 */
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/** Lower-cased word-like tokens; placeholders such as `<order>` are kept as one token. */
export function tokenize(text: string): string[] {
  const tokens: string[] = [];
  const lower = text.toLowerCase();
  // Placeholders are inserted by the entity stage; the segmenter would split "<order>" into
  // "<", "order", ">", so they are pulled out first.
  const parts = lower.split(/(<[a-z_]+>)/);
  for (const part of parts) {
    if (part.length === 0) continue;
    if (part.startsWith('<') && part.endsWith('>') && /^<[a-z_]+>$/.test(part)) {
      tokens.push(part);
      continue;
    }
    for (const seg of segmenter.segment(part)) {
      if (seg.isWordLike) tokens.push(seg.segment);
    }
  }
  return tokens;
}
