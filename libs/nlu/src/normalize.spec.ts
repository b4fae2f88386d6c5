import { normalizeText } from './normalize';

describe('normalizeText', () => {
  it.each([
    ['ar', 'طلبي رقم ١٢٣٤٥٦', 'طلبي رقم 123456'],
    ['ar (Persian digits)', 'شماره ۴۵۶', 'شماره 456'],
    ['ar decimal separator', '٥٩٫٩٠ ريال', '59.90 ريال'],
    ['th', 'ออเดอร์ ๑๒๓๔๕', 'ออเดอร์ 12345'],
    ['zh full-width', 'ＯＲＤ－１２３４５６ 订单', 'ORD-123456 订单'],
    ['en whitespace', '  where \t is\n\nmy   order  ', 'where is my order'],
    ['vi keeps diacritics', 'Đơn hàng của tôi', 'Đơn hàng của tôi'],
    ['de composed umlaut', 'Ru\u0308ckerstattung', 'Rückerstattung'],
    ['es', '¿Dónde está mi pedido?', '¿Dónde está mi pedido?'],
    ['id zero-width space', 'pesanan\u200bsaya', 'pesanansaya'],
  ])('%s', (_lang, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });

  it('folds the Arabic question mark and drops the tatweel', () => {
    expect(normalizeText('أيـــن طلبي؟')).toBe('أين طلبي?');
  });
});
