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

/** Very small HTML → text for HTML-only mails (mailparser usually fills `text` already). */
export function htmlToText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h\d)>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
