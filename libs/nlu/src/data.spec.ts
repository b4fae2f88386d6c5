import { parseExamples } from './data';

describe('parseExamples', () => {
  it('reads CSV with quoted fields, embedded commas and quotes (Banking77 style text,category)', () => {
    const csv = 'text,category\n"Hi, where is my card?",card_arrival\n"He said ""wait"", I waited",card_arrival\nplain,top_up\n';
    expect(parseExamples(csv, 'csv')).toEqual([
      { text: 'Hi, where is my card?', label: 'card_arrival' },
      { text: 'He said "wait", I waited', label: 'card_arrival' },
      { text: 'plain', label: 'top_up' },
    ]);
  });

  it('reads CSV text,label,lang', () => {
    expect(parseExamples('text,label,lang\nhola,greeting,es\n', 'csv')).toEqual([{ text: 'hola', label: 'greeting', lang: 'es' }]);
  });

  it('reads JSONL and skips blank lines', () => {
    const jsonl = '{"text":"你好","label":"greeting","lang":"zh"}\n\n{"text":"hi","label":"greeting"}\n';
    expect(parseExamples(jsonl, 'jsonl')).toEqual([
      { text: '你好', label: 'greeting', lang: 'zh' },
      { text: 'hi', label: 'greeting' },
    ]);
  });

  it('rejects rows without text or label, naming the row', () => {
    expect(() => parseExamples('text,foo\nhi,bar\n', 'csv')).toThrow(/row 2/);
  });
});
