import type { AiRequest } from '@omni/contracts';
import type { Answerer, Understanding } from './answerer.port';

/** Whole words in any script: JS `\b` is ASCII-only, so a keyword ending in "á" (está) never matched. */
function words(alternatives: string): RegExp {
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, 'iu');
}

/**
 * The spine's first real answerer: greetings and a small FAQ matched by keywords in English and
 * Spanish. Deliberately simple; the NLU issue replaces it behind the same port.
 */
interface Faq {
  intent: string;
  keywords: Record<'en' | 'es', RegExp>;
  answers: Record<'en' | 'es', string>;
}

const FAQ: Faq[] = [
  {
    intent: 'greeting',
    keywords: { en: words('hello|hi|hey|good (morning|afternoon|evening)'), es: words('hola|buen[oa]s (d[ií]as|tardes|noches)|saludos') },
    answers: { en: 'Hello! How can I help you today?', es: '¡Hola! ¿En qué puedo ayudarte hoy?' },
  },
  {
    intent: 'order_status',
    keywords: { en: words('where is my order|order status|track(ing)?|my order'), es: words('mi pedido|d[oó]nde est[aá]|estado del pedido|seguimiento') },
    answers: {
      en: 'You can track your order from the link in your confirmation email. Share your order number and I will check it.',
      es: 'Puedes seguir tu pedido con el enlace del correo de confirmación. Dime tu número de pedido y lo reviso.',
    },
  },
  {
    intent: 'shipping_time',
    keywords: { en: words('shipping|delivery time|how long|when will .* arrive'), es: words('env[ií]o|cu[aá]nto tarda|plazo de entrega|cu[aá]ndo llega') },
    answers: { en: 'Standard shipping takes 3–5 business days; express takes 1–2.', es: 'El envío estándar tarda de 3 a 5 días hábiles; el exprés, de 1 a 2.' },
  },
  {
    intent: 'refund',
    keywords: { en: words('refund|money back|return'), es: words('reembolso|devoluci[oó]n|devolver') },
    answers: {
      en: 'Refunds are issued within 5 business days after we receive the return.',
      es: 'Los reembolsos se emiten en 5 días hábiles tras recibir la devolución.',
    },
  },
  {
    intent: 'talk_to_human',
    keywords: { en: words('human|agent|person|representative'), es: words('humano|agente|persona|asesor') },
    answers: { en: 'I will connect you with a person from our team.', es: 'Te comunico con una persona de nuestro equipo.' },
  },
  {
    intent: 'thanks',
    keywords: { en: words('thanks|thank you|thx'), es: words('gracias|muchas gracias') },
    answers: { en: 'You are welcome!', es: '¡De nada!' },
  },
];

const SPANISH_HINTS = new RegExp(`${words('hola|gracias|pedido|por favor|qu[eé]|d[oó]nde|cu[aá]ndo|quiero|necesito|env[ií]o|buen[oa]s').source}|[ñ¿¡]`, 'iu');

const FALLBACK = {
  en: 'Sorry, I did not understand that. Could you rephrase it, or shall I connect you with a person?',
  es: 'Perdona, no lo he entendido. ¿Puedes decirlo de otra forma, o prefieres hablar con una persona?',
};

export class KeywordAnswerer implements Answerer {
  async understand(request: AiRequest): Promise<Understanding> {
    const text = request.text.trim();
    const language: 'en' | 'es' = SPANISH_HINTS.test(text) ? 'es' : request.previousLanguage === 'es' && !/[a-z]{3,}/i.test(text) ? 'es' : 'en';
    if (!text) {
      return this.abstain(language, `no text in a ${request.messageType} message`);
    }
    const hits = FAQ.filter((f) => f.keywords[language].test(text) || f.keywords[language === 'en' ? 'es' : 'en'].test(text));
    if (!hits.length) return this.abstain(language, 'no keyword matched');
    const [best, ...rest] = hits;
    return {
      language,
      intent: { name: best.intent, confidence: rest.length ? 0.6 : 0.9 },
      alternatives: rest.map((f) => ({ name: f.intent, confidence: 0.3 })),
      entities: [],
      answer: { text: best.answers[language], articleId: `faq:${best.intent}` },
      abstained: false,
      reasons: [`keyword match for ${best.intent} (${language})`],
      engine: 'keyword-v1',
    };
  }

  private abstain(language: 'en' | 'es', reason: string): Understanding {
    return {
      language,
      intent: null,
      alternatives: [],
      entities: [],
      answer: { text: FALLBACK[language] },
      abstained: true,
      reasons: [reason],
      engine: 'keyword-v1',
    };
  }
}
