import { Parser } from 'htmlparser2';

/**
 * Strips quoted history and signatures from a mail's plain text, keeping what the customer just
 * wrote (what the AI should read). Heuristics over the common clients' reply formats; when they
 * would leave nothing, the full text is returned rather than an empty message.
 */
const REPLY_HEADERS = [
  // Gmail/Apple: "On <date>, <name> <addr> wrote:", often wrapped over two lines.
  /^On\b[\s\S]{0,300}?\bwrote:\s*$/im,
  /^Le\b[\s\S]{0,300}?\ba écrit\s?:\s*$/im,
  /^Am\b[\s\S]{0,300}?\bschrieb\b[\s\S]{0,120}?:\s*$/im,
  /^El\b[\s\S]{0,300}?\bescribió:\s*$/im,
  /^Em\b[\s\S]{0,300}?\bescreveu:\s*$/im,
  /^Il\b[\s\S]{0,300}?\bha scritto:\s*$/im,
  /^Op\b[\s\S]{0,300}?\bschreef\b[\s\S]{0,120}?:\s*$/im,
  // Outlook: a rule line or "Original Message" banner, then From:/Sent: (or localized De:/Von:) headers.
  /^_{10,}\s*\n\s*(From|De|Von|Da|Van):/im,
  /^-{2,}\s*(Original Message|Mensagem original|Message d'origine|Ursprüngliche Nachricht|Mensaje original)\s*-{2,}/im,
  /^(From|De|Von):\s.+\n\s*(Sent|Date|Enviado|Envoyé|Gesendet):\s/im,
];

const SIGNATURE_DELIMITER = /^-- ?$/m; // RFC 3676: "-- " alone on a line
const MOBILE_SIGNATURES = /^(Sent from my \w+.*|Sent from Outlook for \w+|Get Outlook for \w+|Enviado do meu \w+.*|Envoyé de mon \w+.*|Von meinem \w+ gesendet)\s*$/im;

export interface StrippedText {
  text: string;
  stripped: boolean;
}

export function stripReplyText(full: string): StrippedText {
  const normalized = full.replace(/\r\n/g, '\n');
  let text = normalized;
  for (const pattern of REPLY_HEADERS) {
    const m = pattern.exec(text);
    if (m) text = text.slice(0, m.index);
  }
  // Remaining quoted lines ("> …") belong to history even without a header line above them.
  text = text.split('\n').filter((l) => !/^\s*>/.test(l)).join('\n');
  const sig = SIGNATURE_DELIMITER.exec(text);
  if (sig) text = text.slice(0, sig.index);
  const mobile = MOBILE_SIGNATURES.exec(text);
  if (mobile) text = text.slice(0, mobile.index);
  text = text.replace(/\n{3,}/g, '\n\n').trim();
  if (!text) return { text: normalized.trim(), stripped: false };
  return { text, stripped: text !== normalized.trim() };
}

const SKIPPED = new Set(['script', 'style', 'head', 'title']);
const BREAKS_AFTER = new Set(['p', 'div', 'li', 'tr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6']);

/**
 * HTML → text for HTML-only mails (mailparser usually fills `text` already): htmlparser2's
 * tokenizer, one pass, linear in the input. The regex chain it replaces was quadratic on hostile
 * HTML (100 KB of '<' took 14 s: each '<' scanned to the end for a '>'; issue 15 #6).
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let skipping = 0;
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIPPED.has(name)) skipping++;
        else if (name === 'br' && !skipping) out.push('\n');
      },
      ontext(text) {
        if (!skipping) out.push(text);
      },
      onclosetag(name) {
        if (SKIPPED.has(name)) skipping = Math.max(0, skipping - 1);
        else if (BREAKS_AFTER.has(name) && !skipping) out.push('\n');
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();
  return out.join('').replace(/\u00a0/g, ' ').replace(/\n{3,}/g, '\n\n').trim();
}
