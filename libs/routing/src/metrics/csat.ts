import { asciiDigits } from '../digits';
import { textLanguage, type Localized } from '../languages';

const PROMPT: Localized<{ readonly ask: string; readonly thanks: string }> = {
  en: { ask: 'How would you rate your experience? Reply with a number from 1 (very poor) to 5 (excellent).', thanks: 'Thank you for your feedback!' },
  es: { ask: '¿Cómo calificarías tu experiencia? Responde con un número del 1 (muy mala) al 5 (excelente).', thanks: '¡Gracias por tu opinión!' },
  pt: { ask: 'Como você avalia o seu atendimento? Responda com um número de 1 (muito ruim) a 5 (excelente).', thanks: 'Obrigado pela sua avaliação!' },
  fr: { ask: 'Comment évaluez-vous votre expérience ? Répondez par un chiffre de 1 (très mauvaise) à 5 (excellente).', thanks: 'Merci pour votre avis !' },
  de: { ask: 'Wie bewerten Sie Ihre Erfahrung? Antworten Sie mit einer Zahl von 1 (sehr schlecht) bis 5 (ausgezeichnet).', thanks: 'Vielen Dank für Ihr Feedback!' },
  ar: { ask: 'كيف تقيّم تجربتك؟ أرسل رقمًا من 1 (سيئة جدًا) إلى 5 (ممتازة).', thanks: 'شكرًا لتقييمك!' },
  th: { ask: 'คุณพอใจกับการให้บริการครั้งนี้แค่ไหน? ตอบกลับเป็นตัวเลข 1 (แย่มาก) ถึง 5 (ดีเยี่ยม)', thanks: 'ขอบคุณสำหรับความคิดเห็น!' },
  id: { ask: 'Bagaimana penilaian Anda atas layanan kami? Balas dengan angka 1 (sangat buruk) sampai 5 (sangat baik).', thanks: 'Terima kasih atas penilaian Anda!' },
  vi: { ask: 'Bạn đánh giá trải nghiệm của mình thế nào? Hãy trả lời bằng một số từ 1 (rất tệ) đến 5 (tuyệt vời).', thanks: 'Cảm ơn bạn đã đánh giá!' },
  zh: { ask: '您对本次服务满意吗？请回复 1（非常不满意）到 5（非常满意）之间的数字。', thanks: '感谢您的评价！' },
};

export type CsatScore = 1 | 2 | 3 | 4 | 5;

export interface CsatPrompt {
  readonly language: string;
  /** Works on every channel: the customer may simply type the number. */
  readonly text: string;
  /** For channels with buttons or lists; titles fit WhatsApp's 20-character limit. */
  readonly options: ReadonlyArray<{ readonly id: string; readonly score: CsatScore; readonly title: string }>;
}

const SCORES: readonly CsatScore[] = [5, 4, 3, 2, 1];

export function csatPrompt(locale: string | undefined): CsatPrompt {
  const language = textLanguage(locale);
  return {
    language,
    text: PROMPT[language].ask,
    options: SCORES.map((score) => ({ id: `csat:${score}`, score, title: `${score} ${'⭐'.repeat(score)}` })),
  };
}

export function csatThanks(locale: string | undefined): string {
  return PROMPT[textLanguage(locale)].thanks;
}

/**
 * A rating from the customer's reply, or undefined when the reply is something else: only a lone
 * digit 1-5 (any script, optionally "/5"), 1-5 stars, or a button id "csat:N". Stricter than "find a
 * digit" so "I have 2 more questions" is not taken for a rating.
 */
export function parseCsatReply(reply: string): CsatScore | undefined {
  const text = asciiDigits(reply.normalize('NFKC')).trim();
  const m = /^(?:csat:)?([1-5])(?:\s*\/\s*5)?\s*[.!]?$/.exec(text) ?? /^([⭐★]{1,5})$/u.exec(text.replace(/\s|\uFE0F/g, ''));
  if (!m?.[1]) return undefined;
  const n = /^[1-5]$/.test(m[1]) ? Number(m[1]) : [...m[1]].length;
  return n >= 1 && n <= 5 ? (n as CsatScore) : undefined;
}
