import { findHumanRequest, foldText } from './keywords';

describe('findHumanRequest', () => {
  it.each([
    ['en', 'Can I talk to a real person please?'],
    ['es', 'Quiero hablar con un humano'],
    ['pt', 'Preciso de um atendente!'],
    ['fr', "Je veux parler à quelqu'un"],
    ['de', 'Bitte einen Mitarbeiter'],
    ['ar', 'أريد التحدث مع موظف'],
    ['th', 'ขอคุยกับพนักงานหน่อยครับ'],
    ['id', 'saya mau bicara dengan orang CS'],
    ['vi', 'cho tôi gặp nhân viên'],
    ['zh', '我要转人工'],
  ])('finds a %s request', (language, text) => {
    expect(findHumanRequest(text)?.language).toBe(language);
  });

  it.each([
    ['Where is my order 12345?'],
    ['¿Cuál es el horario?'],
    ['agentless setup'],
    ['Humanity is great'],
    ['我的订单在哪里'],
    [''],
  ])('ignores %p', (text) => {
    expect(findHumanRequest(text)).toBeUndefined();
  });

  it('reports the language whose phrase matched', () => {
    expect(findHumanRequest('Bitte einen Mitarbeiter')).toEqual({ language: 'de', phrase: 'mitarbeiter' });
    expect(findHumanRequest('cho tôi gặp nhân viên')).toEqual({ language: 'vi', phrase: 'nhân viên' });
    expect(findHumanRequest('我要转人工')).toEqual({ language: 'zh', phrase: '人工' });
  });

  it('accepts tenant phrases first', () => {
    expect(findHumanRequest('ich will den Chef', ['den chef'])).toEqual({ language: 'custom', phrase: 'den chef' });
  });

  it('folds accents, case and Arabic letter variants', () => {
    expect(foldText('Olá, ATENÇÃO!')).toBe(' ola atencao ');
    expect(foldText('إنسان')).toBe(' انسان ');
  });
});
