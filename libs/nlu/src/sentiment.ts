/**
 * Stage 5: sentiment and the escalation signal for the router's handoff policy.
 *
 * A lexicon per language rather than a trained model: the router needs a stable, explainable
 * signal ("escalate because: 'lawyer', 😡") more than a fine-grained score, and a tenant's
 * intent examples carry no sentiment labels to learn from. Latin-script entries match at a word
 * start (so "disappoint" matches "disappointed", "mal" does not match "normal"); entries in scripts
 * without spaces (Thai, Chinese) and Arabic match as substrings.
 */
export interface Sentiment {
  /** -1 (very negative) … +1 (very positive). */
  readonly score: number;
  readonly label: 'negative' | 'neutral' | 'positive';
  /** True when a person should take over: strong anger, threats, legal or chargeback talk. */
  readonly escalate: boolean;
  /** Lexicon entries that fired, for the "why". */
  readonly cues: readonly string[];
}

interface Lexicon {
  readonly negative: readonly string[];
  readonly positive: readonly string[];
  /** Phrases that escalate on their own (legal action, chargeback, public complaint, insults). */
  readonly escalation: readonly string[];
  readonly negators: readonly string[];
}

const LEXICONS: Record<string, Lexicon> = {
  en: {
    negative: ['terrible', 'awful', 'horrible', 'worst', 'bad', 'disappoint', 'unacceptable', 'angry', 'annoy', 'frustrat', 'ridiculous', 'useless', 'broken', 'damaged', 'late', 'never', 'scam', 'rubbish', 'hate', 'unhappy', 'poor', 'wrong', 'fed up', 'still nothing', 'nobody answers'],
    positive: ['thank', 'thx', 'great', 'perfect', 'awesome', 'love', 'excellent', 'happy', 'good', 'appreciate', 'nice', 'helpful', 'cheers', 'solved'],
    escalation: ['lawyer', 'legal action', 'sue ', 'chargeback', 'police', 'consumer protection', 'scam', 'fraud', 'report you', 'never again', 'bullshit', 'wtf', 'fuck', 'shit', 'idiot'],
    negators: ['not', "n't", 'no', 'never'],
  },
  es: {
    negative: ['pésim', 'horrible', 'terrible', 'peor', 'mal', 'decepcion', 'inaceptable', 'enfad', 'molest', 'ridícul', 'inútil', 'roto', 'dañad', 'tarde', 'nunca', 'estafa', 'queja', 'harto', 'descontent', 'equivocad'],
    positive: ['gracias', 'genial', 'perfecto', 'excelente', 'encant', 'buen', 'feliz', 'agradec', 'resuelto', 'grax'],
    escalation: ['abogado', 'denuncia', 'demanda', 'policía', 'consumo', 'estafa', 'fraude', 'mierda', 'idiota', 'profeco'],
    negators: ['no', 'nunca', 'sin'],
  },
  pt: {
    negative: ['péssim', 'horrível', 'terrível', 'pior', 'ruim', 'decepcion', 'inaceitável', 'irritad', 'ridícul', 'inútil', 'quebrad', 'danificad', 'atras', 'nunca', 'golpe', 'reclama', 'insatisfeit', 'errad'],
    positive: ['obrigad', 'ótimo', 'perfeito', 'excelente', 'adorei', 'bom', 'feliz', 'agradeç', 'resolveu', 'valeu', 'vlw'],
    escalation: ['advogado', 'processo', 'procon', 'polícia', 'reclame aqui', 'golpe', 'fraude', 'merda', 'idiota'],
    negators: ['não', 'nunca', 'sem'],
  },
  fr: {
    negative: ['horrible', 'nul', 'pire', 'mauvais', 'déçu', 'décevant', 'inadmissible', 'inacceptable', 'énerv', 'ridicule', 'inutile', 'cassé', 'abîmé', 'retard', 'jamais', 'arnaque', 'réclamation', 'mécontent', 'marre'],
    positive: ['merci', 'super', 'parfait', 'excellent', 'génial', 'content', 'ravi', 'bien', 'réglé'],
    escalation: ['avocat', 'plainte', 'justice', 'police', 'arnaque', 'fraude', 'merde', 'connard', 'putain', 'dgccrf'],
    negators: ['ne', 'pas', 'jamais', 'sans'],
  },
  de: {
    negative: ['schrecklich', 'furchtbar', 'schlecht', 'schlimm', 'enttäusch', 'inakzeptabel', 'unverschämt', 'ärger', 'lächerlich', 'nutzlos', 'kaputt', 'beschädigt', 'spät', 'nie ', 'betrug', 'beschwer', 'unzufrieden', 'falsch'],
    positive: ['danke', 'super', 'perfekt', 'toll', 'prima', 'klasse', 'gut', 'zufrieden', 'hilfreich', 'geholfen'],
    escalation: ['anwalt', 'klage', 'verbraucherzentrale', 'polizei', 'anzeige', 'betrug', 'scheiße', 'scheiss', 'idiot'],
    negators: ['nicht', 'kein', 'nie'],
  },
  id: {
    negative: ['buruk', 'jelek', 'kecewa', 'parah', 'terburuk', 'tidak bisa diterima', 'marah', 'kesal', 'rusak', 'telat', 'terlambat', 'penipu', 'komplain', 'keterlaluan', 'salah'],
    positive: ['terima kasih', 'makasih', 'mantap', 'bagus', 'sempurna', 'senang', 'puas', 'trims', 'keren', 'beres'],
    escalation: ['pengacara', 'lapor polisi', 'polisi', 'ylki', 'penipuan', 'penipu', 'viralkan', 'anjing', 'bangsat', 'goblok'],
    negators: ['tidak', 'nggak', 'gak', 'belum', 'bukan'],
  },
  vi: {
    negative: ['tệ', 'kém', 'thất vọng', 'không chấp nhận', 'bực', 'tức', 'hư', 'hỏng', 'vỡ', 'trễ', 'chậm', 'lừa đảo', 'khiếu nại', 'quá đáng', 'không hài lòng', 'sai'],
    positive: ['cảm ơn', 'cám ơn', 'tuyệt', 'tốt', 'hài lòng', 'ok', 'thanks', 'xong rồi'],
    escalation: ['luật sư', 'kiện', 'công an', 'lừa đảo', 'tố cáo', 'bóc phốt', 'đm', 'vãi'],
    negators: ['không', 'chưa', 'chẳng'],
  },
  ar: {
    negative: ['سيء', 'سيئة', 'أسوأ', 'غير مقبول', 'محبط', 'زعلان', 'غاضب', 'تالف', 'مكسور', 'متأخر', 'تأخر', 'نصب', 'شكوى', 'سخيف', 'غير راض', 'خاطئ'],
    positive: ['شكرا', 'شكراً', 'ممتاز', 'رائع', 'تمام', 'مشكور', 'يعطيك العافية', 'سعيد'],
    escalation: ['محامي', 'قضية', 'الشرطة', 'حماية المستهلك', 'نصب', 'احتيال', 'حرامية'],
    negators: ['لا', 'لم', 'ليس', 'غير'],
  },
  th: {
    negative: ['แย่', 'ผิดหวัง', 'รับไม่ได้', 'โกรธ', 'หงุดหงิด', 'ชำรุด', 'เสียหาย', 'แตก', 'ช้า', 'โกง', 'ร้องเรียน', 'ไร้สาระ', 'ไม่พอใจ', 'ผิด'],
    positive: ['ขอบคุณ', 'ขอบใจ', 'เยี่ยม', 'ดีมาก', 'ประทับใจ', 'แต๊งกิ้ว', 'เรียบร้อย'],
    escalation: ['ทนาย', 'ฟ้อง', 'ตำรวจ', 'สคบ', 'แจ้งความ', 'โกง', 'ฉ้อโกง'],
    negators: ['ไม่'],
  },
  zh: {
    negative: ['差', '失望', '不像话', '生气', '坏', '损坏', '延迟', '太慢', '骗', '投诉', '离谱', '不满意', '错误', '垃圾'],
    positive: ['谢谢', '感谢', '多谢', '太好了', '满意', '不错', '解决了', '谢啦'],
    escalation: ['律师', '起诉', '报警', '消协', '12315', '骗子', '诈骗', '曝光'],
    negators: ['不', '没'],
  },
};

const ANGRY_EMOJI = /[😡😠🤬👎💢]/gu;
const HAPPY_EMOJI = /[😊🙂😀😃😄😍🥰👍🙏❤]/gu;

function compile(entry: string): RegExp {
  const esc = entry.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Word-start boundary only for Latin-script entries (see file comment).
  return /^[\p{Script=Latin}\s'’-]+$/u.test(entry) ? new RegExp(`(?<![\\p{L}])${esc}`, 'iu') : new RegExp(esc, 'iu');
}

const COMPILED = new Map<string, { neg: [string, RegExp][]; pos: [string, RegExp][]; esc: [string, RegExp][] }>();
function compiled(lang: string) {
  let c = COMPILED.get(lang);
  if (!c) {
    const lex = LEXICONS[lang] ?? LEXICONS.en;
    c = {
      neg: lex.negative.map((e) => [e, compile(e)]),
      pos: lex.positive.map((e) => [e, compile(e)]),
      esc: lex.escalation.map((e) => [e, compile(e)]),
    };
    COMPILED.set(lang, c);
  }
  return c;
}

export const SENTIMENT_LANGUAGES = Object.keys(LEXICONS);

export function analyzeSentiment(text: string, language: string): Sentiment {
  const cues: string[] = [];
  const lex = compiled(language);
  // English cues also count elsewhere: mixed-language complaints ("worst shop ever" in a Thai
  // conversation) are common.
  const sets = language === 'en' ? [lex] : [lex, compiled('en')];
  let neg = 0;
  let pos = 0;
  let escalation = false;
  for (const set of sets) {
    for (const [e, re] of set.neg) if (re.test(text)) { neg++; cues.push(e); }
    for (const [e, re] of set.pos) if (re.test(text)) { pos++; cues.push(e); }
    for (const [e, re] of set.esc) if (re.test(text)) { escalation = true; cues.push(e); }
  }
  const angry = text.match(ANGRY_EMOJI)?.length ?? 0;
  const happy = text.match(HAPPY_EMOJI)?.length ?? 0;
  if (angry) cues.push('angry emoji');
  neg += angry * 1.5;
  pos += happy * 0.5;
  // Shouting: several exclamation marks or a mostly upper-case Latin message.
  const letters = text.match(/\p{Lu}|\p{Ll}/gu) ?? [];
  const upper = text.match(/\p{Lu}/gu)?.length ?? 0;
  const shouting = /!{3,}/.test(text) || (letters.length >= 8 && upper / letters.length > 0.7);
  if (shouting) cues.push('shouting');
  let score = (pos - neg) / Math.max(1, Math.sqrt(pos + neg) * 1.5);
  if (shouting && score < 0) score *= 1.5;
  score = Math.max(-1, Math.min(1, score));
  const label = score <= -0.2 ? 'negative' : score >= 0.2 ? 'positive' : 'neutral';
  const escalate = escalation || score <= -0.6 || (shouting && neg > 0);
  return { score: Math.round(score * 100) / 100, label, escalate, cues };
}
