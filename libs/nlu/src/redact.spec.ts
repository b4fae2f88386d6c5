import { DEFAULT_ORDER_PATTERNS, EntityExtractor } from './entities';
import { normalizeText } from './normalize';
import { createRedactor } from './redact';

const NOW = new Date('2026-12-01T00:00:00Z');
const extractor = new EntityExtractor({ orderPatterns: DEFAULT_ORDER_PATTERNS, defaultCountry: 'DE' });

function redactorFor(text: string) {
  const normalized = normalizeText(text);
  return { normalized, redactor: createRedactor(extractor.extract(normalized), { now: NOW }) };
}

describe('createRedactor', () => {
  it.each([
    ['en', 'My order ORD-483920 never came, mail me at jane.doe@example.com or call +44 7700 900123', ['ORD-483920', 'jane.doe@example.com', '7700 900123']],
    ['es', 'Pedido #558213, mi correo es ana@correo.es y mi móvil +34 612 345 678', ['558213', 'ana@correo.es', '612 345 678']],
    ['ar', 'طلبي رقم ORD-٤٨٣٩٢٠ ورقمي +٩٧١٥٠١٢٣٤٥٦٧', ['483920', '971501234567', '+971']],
    ['th', 'ออเดอร์ #๕๕๘๒๑๓ โทร +66 81 234 5678', ['558213', '81 234 5678']],
    ['zh', '我的订单ORD-77881234，邮箱 li@example.cn，电话 +86 138 0013 8000', ['77881234', 'li@example.cn', '138 0013 8000']],
  ])('leaves no order number, e-mail or phone in a %s message', (_lang, text, secrets) => {
    const { normalized, redactor } = redactorFor(text);
    const out = redactor.redact(normalized);
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out).toMatch(/\[(order_number|email|phone|number)_1\]/);
  });

  it('catches digit runs and e-mails the extractor did not recognise, and restores every placeholder', () => {
    const redactor = createRedactor([], { now: NOW });
    const out = redactor.redact('account 1234 5678 9012, write to x.y@weird-domain.shop');
    expect(out).toBe('account [number_1], write to [email_1]');
    expect(redactor.restore('I have noted [number_1] and [email_1]; [other_9] stays')).toBe('I have noted 1234 5678 9012 and x.y@weird-domain.shop; [other_9] stays');
  });

  it('uses one placeholder per value across texts, so a slot-filled article matches the message', () => {
    const { normalized, redactor } = redactorFor('where is ORD-123456?');
    expect(redactor.redact(normalized)).toBe('where is [order_number_1]?');
    expect(redactor.redact("I'm checking order ORD-123456 for you.")).toBe("I'm checking order [order_number_1] for you.");
  });

  it('replaces names, street addresses, birth dates and IBANs whole, before digit runs cut them, and restores them', () => {
    const { normalized, redactor } = redactorFor('I am Maria Fernandes, 221B Baker Street, born 12/03/1985, IBAN DE89 3704 0044 0532 0130 00, order ORD-123456');
    const out = redactor.redact(normalized);
    expect(out).toBe('I am [name_1], [address_1], born [date_of_birth_1], IBAN [iban_1], order [order_number_1]');
    expect(redactor.restore('Thanks [name_1], refund to [iban_1] for [order_number_1].')).toBe('Thanks Maria Fernandes, refund to DE89 3704 0044 0532 0130 00 for ORD-123456.');
  });

  it('keeps dates and short numbers, which identify nobody', () => {
    const redactor = createRedactor([], { now: NOW });
    expect(redactor.redact('2 items, delivered on 12/03')).toBe('2 items, delivered on 12/03');
  });
});
