import { analyzeSentiment } from './sentiment';

describe('analyzeSentiment', () => {
  it.each([
    ['en', 'terrible service, I am very disappointed'],
    ['es', 'pésimo servicio, estoy muy decepcionado'],
    ['pt', 'péssimo atendimento, estou muito decepcionado'],
    ['fr', 'service horrible, je suis très déçu'],
    ['de', 'schrecklicher Service, ich bin sehr enttäuscht'],
    ['ar', 'خدمة سيئة جداً، أنا محبط'],
    ['th', 'บริการแย่มาก ผิดหวังสุดๆ'],
    ['id', 'pelayanan buruk, saya sangat kecewa'],
    ['vi', 'dịch vụ tệ quá, tôi rất thất vọng'],
    ['zh', '服务太差了，我很失望'],
  ])('negative (%s)', (lang, text) => {
    const s = analyzeSentiment(text, lang);
    expect(s.label).toBe('negative');
    expect(s.score).toBeLessThan(0);
  });

  it.each([
    ['en', 'great, thanks for the help'],
    ['es', 'genial, gracias por la ayuda'],
    ['pt', 'ótimo, obrigado pela ajuda'],
    ['fr', 'super, merci pour votre aide'],
    ['de', 'super, danke für die Hilfe'],
    ['ar', 'ممتاز، شكراً على المساعدة'],
    ['th', 'เยี่ยมเลย ขอบคุณที่ช่วย'],
    ['id', 'mantap, terima kasih bantuannya'],
    ['vi', 'tuyệt, cảm ơn đã giúp'],
    ['zh', '太好了，谢谢帮忙'],
  ])('positive (%s)', (lang, text) => {
    expect(analyzeSentiment(text, lang).label).toBe('positive');
  });

  it.each([
    ['en', 'where is my order?'],
    ['de', 'wie lange dauert der Versand?'],
    ['th', 'ส่งกี่วันคะ'],
    ['zh', '可以机洗吗？'],
  ])('neutral (%s)', (lang, text) => {
    const s = analyzeSentiment(text, lang);
    expect(s.label).toBe('neutral');
    expect(s.escalate).toBe(false);
  });

  it.each([
    ['en', 'I will call my lawyer and do a chargeback'],
    ['es', 'voy a poner una denuncia, es una estafa'],
    ['pt', 'vou reclamar no procon'],
    ['fr', "je vais porter plainte, c'est une arnaque"],
    ['de', 'ich schalte meinen Anwalt ein'],
    ['ar', 'سأشتكي لحماية المستهلك'],
    ['th', 'จะไปแจ้งความ'],
    ['id', 'saya akan lapor polisi'],
    ['vi', 'tôi sẽ kiện shop'],
    ['zh', '我要报警'],
  ])('escalates on legal threats (%s)', (lang, text) => {
    expect(analyzeSentiment(text, lang).escalate).toBe(true);
  });

  it('escalates on shouting with anger and reports the cues', () => {
    const s = analyzeSentiment('WHERE IS MY ORDER?!!! THIS IS RIDICULOUS 😡', 'en');
    expect(s.escalate).toBe(true);
    expect(s.cues).toEqual(expect.arrayContaining(['shouting', 'angry emoji', 'ridiculous']));
  });

  it('does not match a Latin cue inside another word ("mal" in "normal")', () => {
    expect(analyzeSentiment('envío normal por favor', 'es').label).toBe('neutral');
  });
});
