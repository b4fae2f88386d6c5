import { findPersonalData } from './personal-data';

const now = new Date('2026-12-01T00:00:00Z');
const found = (text: string) => findPersonalData(text, { now }).map((m) => `${m.kind}:${m.text}`);

describe('findPersonalData', () => {
  it.each([
    ['en', 'Hi, my name is Maria Fernandes, I live at 221B Baker Street, London. Refund to DE89 3704 0044 0532 0130 00 please. I was born on 12/03/1985.',
      ['iban:DE89 3704 0044 0532 0130 00', 'address:221B Baker Street', 'name:Maria Fernandes', 'date_of_birth:12/03/1985']],
    ['es', 'Me llamo Carlos Ruiz, vivo en Calle Mayor 5, Madrid; nací el 3 de marzo de 1985. IBAN ES91 2100 0418 4502 0005 1332',
      ['iban:ES91 2100 0418 4502 0005 1332', 'address:Calle Mayor 5', 'name:Carlos Ruiz', 'date_of_birth:3 de marzo de 1985']],
    ['pt', 'Meu nome é João Silva, moro na Rua das Flores, 123. Nascido em 1990-07-21. IBAN PT50 0002 0123 1234 5678 9015 4',
      ['iban:PT50 0002 0123 1234 5678 9015 4', 'address:Rua das Flores, 123', 'name:João Silva', 'date_of_birth:1990-07-21']],
    ['fr', "Bonjour, je m'appelle Léa Martin, 12 rue de la Paix, Paris. Née le 04/05/1979.", ['address:12 rue de la Paix', 'name:Léa Martin', 'date_of_birth:04/05/1979']],
    ['de', 'Hallo, ich heiße Jonas Weber, Hauptstraße 12, 10115 Berlin, geboren am 01.02.1980', ['address:Hauptstraße 12', 'name:Jonas Weber', 'date_of_birth:01.02.1980']],
    ['id', 'Nama saya Budi Santoso, alamat Jl. Sudirman No. 5 Jakarta', ['address:Jl. Sudirman No. 5', 'name:Budi Santoso']],
    ['vi', 'Tên tôi là Nguyễn Văn An, địa chỉ Đường Lê Lợi 12', ['address:Đường Lê Lợi 12', 'name:Nguyễn Văn An']],
    ['zh', '我叫王小明，住在北京市朝阳区建国路88号，出生1985年3月12日', ['address:住在北京市朝阳区建国路88号', 'name:王小明', 'date_of_birth:1985年3月12日']],
    ['ar', 'اسمي أحمد علي، عنواني شارع الملك فهد 12', ['address:شارع الملك فهد 12', 'name:أحمد علي']],
    ['th', 'ผมชื่อสมชาย บ้านอยู่ถนนสุขุมวิท 21', ['address:ถนนสุขุมวิท 21', 'name:สมชาย']],
  ])('finds the IBAN, address, birth date and name in a %s message', (_lang, text, expected) => {
    expect(found(text)).toEqual(expect.arrayContaining(expected));
  });

  it('finds people the customer mentions without introducing themselves', () => {
    expect(found('John Smith from the courier called me twice')).toContain('name:John Smith');
  });

  it('takes an IBAN only when its checksum holds, whole, however it is written', () => {
    expect(found('pay NL91ABNA0417164300 now')).toEqual(['iban:NL91ABNA0417164300']);
    expect(found('pay NL91ABNA0417164301 now')).toEqual([]);
    expect(found('GB82-WEST-1234-5698-7654-32 thanks')).toEqual(['iban:GB82-WEST-1234-5698-7654-32']);
  });

  it('keeps recent dates and order talk, which identify nobody', () => {
    expect(found('Where is my order ORD-12345? It should arrive 12/12/2026, shipped 2026-11-30.')).toEqual([]);
    // Any full date twelve or more years back is taken for a birth date, with or without a birth word.
    expect(found('my details: 07/08/1961')).toEqual(['date_of_birth:07/08/1961']);
  });
});
