/**
 * The part of mailparser's `ParsedMail` the decoder reads, structurally: a `ParsedMail` from
 * `simpleParser` fits as is, and the lib needs no mail parser at runtime.
 */
export interface MailAddress {
  address?: string;
  name?: string;
}

export interface MailAddressObject {
  value: MailAddress[];
  text?: string;
}

export interface MailAttachment {
  contentType: string;
  filename?: string;
  size: number;
  content: Buffer;
  contentDisposition?: string;
  /** true for inline parts referenced from the HTML (logos in signatures). */
  related?: boolean;
}

export interface MailLike {
  headers: ReadonlyMap<string, unknown>;
  messageId?: string;
  inReplyTo?: string;
  references?: string | string[];
  from?: MailAddressObject;
  to?: MailAddressObject | MailAddressObject[];
  cc?: MailAddressObject | MailAddressObject[];
  subject?: string;
  date?: Date;
  text?: string;
  html?: string | false;
  attachments: MailAttachment[];
}

/** `<a@b>` → `a@b`; message ids are compared without brackets, case kept (RFC 5322 local parts are case-sensitive). */
export function bareId(id: string): string {
  return id.trim().replace(/^<|>$/g, '');
}

/** All message ids of a References / In-Reply-To value, in order. */
export function messageIds(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const joined = Array.isArray(value) ? value.join(' ') : value;
  const found = joined.match(/<[^<>\s]+>/g);
  return (found ?? joined.split(/\s+/)).map(bareId).filter(Boolean);
}

export function addresses(value: MailAddressObject | MailAddressObject[] | undefined): MailAddress[] {
  if (!value) return [];
  return (Array.isArray(value) ? value : [value]).flatMap((v) => v.value);
}

export function headerText(mail: MailLike, name: string): string | undefined {
  const v = mail.headers.get(name.toLowerCase());
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'object') {
    // mailparser turns address headers into { value: [...], text } and parameterized ones into { value, params }.
    const o = v as { value?: unknown; text?: unknown };
    if (typeof o.text === 'string') return o.text;
    if (typeof o.value === 'string') return o.value;
  }
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined;
}
