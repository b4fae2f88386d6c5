import { DEFAULT_ORDER_PATTERNS, EntityExtractor, maskEntities, parseAmount } from './entities';
import { normalizeText } from './normalize';

const extractor = new EntityExtractor({ orderPatterns: DEFAULT_ORDER_PATTERNS, defaultCountry: 'DE' });
const REF = new Date(2026, 2, 10, 12); // 10 March 2026, local time

function run(text: string, lang: string) {
  const n = normalizeText(text);
  const found = extractor.extract(n);
  const all = [...found, ...extractor.extractDates(n, lang, found, REF)].sort((a, b) => a.start - b.start);
  return { n, all, pairs: all.map((e) => [e.type, e.value]) };
}

describe('EntityExtractor', () => {
  it.each([
    ['en', 'Where is order ORD-483920?', [['order_number', 'ORD-483920']]],
    ['es', '¿Dónde está mi pedido #558213?', [['order_number', '558213']]],
    ['pt', 'reembolso do pedido ord 998877', [['order_number', 'ORD-998877']]],
    ['fr', 'commande ORD-112233 pas reçue', [['order_number', 'ORD-112233']]],
    ['de', 'Bestellung ORD483920 fehlt', [['order_number', 'ORD483920']]],
    ['ar', 'ماذا حدث للطلب ORD-١١٢٢٣٣؟', [['order_number', 'ORD-112233']]],
    ['th', 'ออเดอร์ ORD-๔๘๓๙๒๐ ถึงไหนแล้ว', [['order_number', 'ORD-483920']]],
    ['id', 'pesanan #٥٥٨٢١٣ belum sampai', [['order_number', '558213']]],
    ['vi', 'đơn ORD-221144 sao rồi', [['order_number', 'ORD-221144']]],
    ['zh', '订单ORD-774411的地址写错了', [['order_number', 'ORD-774411']]],
  ])('order numbers (%s): %s', (lang, text, expected) => {
    expect(run(text, lang).pairs).toEqual(expected);
  });

  it('supports tenant-specific order patterns', () => {
    const custom = new EntityExtractor({ orderPatterns: ['\\bSO-[A-Z]{2}\\d{4}\\b'] });
    expect(custom.extract('status of SO-BR1234 please').map((e) => e.value)).toEqual(['SO-BR1234']);
    expect(custom.extract('status of ORD-483920').filter((e) => e.type === 'order_number')).toEqual([]);
  });

  it.each([
    ['en', 'you owe me 49.99 EUR', '49.99 EUR'],
    ['es', 'me cobraron $59.90 dos veces', '59.9 USD'],
    ['pt', 'vocês me devem R$ 249,90', '249.9 BRL'],
    ['fr', 'débité de 59,90 € deux fois', '59.9 EUR'],
    ['de', 'Sie schulden mir 1.290,50 €', '1290.5 EUR'],
    ['ar', 'لي عندكم ١٩٩ ريال', '199 SAR'],
    ['ar decimal', 'خُصم ٥٩٫٩٠ دولار', '59.9 USD'],
    ['th', 'ค้างเงินคืน ๑,๒๙๐ บาท', '1290 THB'],
    ['id', 'berhutang Rp 499.000', '499000 IDR'],
    ['vi', 'còn nợ tôi 499.000đ', '499000 VND'],
    ['zh', '被扣了两次¥59.90', '59.9 CNY'],
  ])('amounts (%s): %s', (lang, text, value) => {
    expect(run(text, lang.split(' ')[0]).all.filter((e) => e.type === 'amount').map((e) => e.value)).toEqual([value]);
  });

  it('parses decimal and thousands separators by position', () => {
    expect(parseAmount('1.290,50')).toBe(1290.5);
    expect(parseAmount('1,290.50')).toBe(1290.5);
    expect(parseAmount('499.000')).toBe(499000);
    expect(parseAmount('59,9')).toBe(59.9);
  });

  it('finds emails and phone numbers, with E.164 values and spans into the normalized text', () => {
    const { n, all } = run('mail Jo.Doe@Example.com or call +49 171 2345678 / 030 1234567', 'en');
    expect(all.map((e) => [e.type, e.value])).toEqual([
      ['email', 'jo.doe@example.com'],
      ['phone', '+491712345678'],
      ['phone', '+49301234567'],
    ]);
    for (const e of all) expect(n.slice(e.start, e.end)).toBe(e.text);
  });

  it('reads phones written in Thai and Arabic digits', () => {
    expect(run('โทร +66 ๘๑ ๒๓๔ ๕๖๗๘', 'th').pairs).toEqual([['phone', '+66812345678']]);
    expect(run('اتصل على +٩٦٦ ٥٠ ١٢٣ ٤٥٦٧', 'ar').pairs).toEqual([['phone', '+966501234567']]);
  });

  it('never reads an order number as a phone number', () => {
    expect(run('order ORD-483920 and #5582131', 'de').pairs).toEqual([
      ['order_number', 'ORD-483920'],
      ['order_number', '5582131'],
    ]);
  });

  it.each([
    ['en', 'can it arrive tomorrow?', '2026-03-11'],
    ['es', '¿llega mañana?', '2026-03-11'],
    ['pt', 'chega amanhã?', '2026-03-11'],
    ['fr', 'livré demain ?', '2026-03-11'],
    ['de', 'kommt es morgen?', '2026-03-11'],
    ['ar', 'هل يصل غداً؟', '2026-03-11'],
    ['th', 'ส่งพรุ่งนี้ได้ไหม', '2026-03-11'],
    ['th', 'สั่งเมื่อ ๕/๓/๒๕๖๙', '2026-03-05'],
    ['id', 'besok sampai?', '2026-03-11'],
    ['vi', 'ngày mai giao nhé', '2026-03-11'],
    ['zh', '明天能到吗', '2026-03-11'],
    ['en', 'ordered on 2026-02-28', '2026-02-28'],
  ])('dates (%s): %s', (lang, text, iso) => {
    expect(run(text, lang).all.filter((e) => e.type === 'date').map((e) => e.value)).toEqual([iso]);
  });

  it('does not read "3-5 days" as a date', () => {
    expect(run('shipping takes 3-5 days', 'en').all).toEqual([]);
  });

  it('masks entities as placeholders', () => {
    const { n, all } = run('refund 49.99 EUR for ORD-998877, mail a@b.co', 'en');
    expect(maskEntities(n, all)).toBe('refund <amount> for <order> , mail <email>');
  });
});
