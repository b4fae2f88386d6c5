import { SUPPORTED_LANGUAGES } from '../languages';
import { outOfHoursMessage, queuedMessage } from './messages';

const monday9SaoPaulo = new Date('2026-03-09T12:00:00Z');

describe('out-of-hours and queue texts', () => {
  it.each(SUPPORTED_LANGUAGES)('%s has both texts filled, without placeholders', (lang) => {
    const at = outOfHoursMessage(lang, monday9SaoPaulo, 'America/Sao_Paulo');
    const later = outOfHoursMessage(lang, null, 'America/Sao_Paulo');
    const queued = queuedMessage(lang, 3, 600);
    for (const text of [at, later, queued]) expect(text).not.toMatch(/[{}]/);
    expect(at).not.toBe(later);
    expect(at).toMatch(/09|٠٩|๐๙/);
  });

  it('renders the time in the group zone, in the customer locale', () => {
    expect(outOfHoursMessage('en-US', monday9SaoPaulo, 'America/Sao_Paulo')).toContain('Monday, March 9');
    expect(outOfHoursMessage('pt-BR', monday9SaoPaulo, 'America/Sao_Paulo')).toContain('segunda-feira, 9 de março');
    expect(outOfHoursMessage('de', monday9SaoPaulo, 'Europe/Berlin')).toContain('Montag, 9. März um 13:00');
  });

  it('falls back to English for unsupported languages', () => {
    expect(outOfHoursMessage('ja', null, 'UTC')).toBe("Thanks for your message. Our team is away right now; we'll reply as soon as we're back.");
  });

  it.each([
    ['en', 3, 600, "Thanks! You're number 3 in line. Estimated wait: about 10 min."],
    ['es', 1, 30, '¡Gracias! Estás en la posición 1 de la fila. Espera estimada: unos 1 min.'],
    ['zh', 12, 3600, '谢谢！您目前排在第 12 位，预计等待约 60 分钟。'],
  ] as const)('queued %s #%d %ds', (lang, position, wait, expected) => {
    expect(queuedMessage(lang, position, wait)).toBe(expected);
  });
});
