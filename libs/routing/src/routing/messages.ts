import { fill, textLanguage, type Localized } from '../languages';

const OUT_OF_HOURS: Localized<{ readonly at: string; readonly later: string }> = {
  en: { at: "Thanks for your message. Our team is away right now; we are back {when}. We'll reply as soon as we open.",
    later: "Thanks for your message. Our team is away right now; we'll reply as soon as we're back." },
  es: { at: 'Gracias por tu mensaje. Nuestro equipo no está disponible ahora; volvemos el {when}. Te responderemos en cuanto abramos.',
    later: 'Gracias por tu mensaje. Nuestro equipo no está disponible ahora; te responderemos en cuanto volvamos.' },
  pt: { at: 'Obrigado pela mensagem. Nossa equipe não está disponível agora; voltamos {when}. Responderemos assim que abrirmos.',
    later: 'Obrigado pela mensagem. Nossa equipe não está disponível agora; responderemos assim que voltarmos.' },
  fr: { at: "Merci pour votre message. Notre équipe est absente pour le moment ; retour {when}. Nous vous répondrons dès l'ouverture.",
    later: 'Merci pour votre message. Notre équipe est absente pour le moment ; nous vous répondrons dès notre retour.' },
  de: { at: 'Danke für Ihre Nachricht. Unser Team ist gerade nicht erreichbar; wir sind ab {when} wieder da und antworten dann sofort.',
    later: 'Danke für Ihre Nachricht. Unser Team ist gerade nicht erreichbar; wir antworten, sobald wir wieder da sind.' },
  ar: { at: 'شكرًا لرسالتك. فريقنا غير متاح الآن، وسنعود {when}. سنرد عليك فور عودتنا.',
    later: 'شكرًا لرسالتك. فريقنا غير متاح الآن، وسنرد عليك فور عودتنا.' },
  th: { at: 'ขอบคุณสำหรับข้อความ ขณะนี้อยู่นอกเวลาทำการ เราจะกลับมา {when} และจะตอบกลับโดยเร็วที่สุด',
    later: 'ขอบคุณสำหรับข้อความ ขณะนี้อยู่นอกเวลาทำการ เราจะตอบกลับทันทีที่กลับมา' },
  id: { at: 'Terima kasih atas pesan Anda. Tim kami sedang tidak tersedia; kami kembali {when}. Kami akan membalas segera setelah buka.',
    later: 'Terima kasih atas pesan Anda. Tim kami sedang tidak tersedia; kami akan membalas segera setelah kembali.' },
  vi: { at: 'Cảm ơn bạn đã nhắn tin. Hiện đang ngoài giờ làm việc; chúng tôi sẽ quay lại vào {when} và phản hồi ngay khi mở cửa.',
    later: 'Cảm ơn bạn đã nhắn tin. Hiện đang ngoài giờ làm việc; chúng tôi sẽ phản hồi ngay khi quay lại.' },
  zh: { at: '感谢您的留言。我们的团队目前不在线，将于{when}恢复服务，届时会尽快回复您。',
    later: '感谢您的留言。我们的团队目前不在线，恢复服务后会尽快回复您。' },
};

const QUEUED: Localized<string> = {
  en: "Thanks! You're number {position} in line. Estimated wait: about {minutes} min.",
  es: '¡Gracias! Estás en la posición {position} de la fila. Espera estimada: unos {minutes} min.',
  pt: 'Obrigado! Você é o número {position} na fila. Espera estimada: cerca de {minutes} min.',
  fr: 'Merci ! Vous êtes en position {position} dans la file. Attente estimée : environ {minutes} min.',
  de: 'Danke! Sie sind an Position {position} in der Warteschlange. Geschätzte Wartezeit: etwa {minutes} Min.',
  ar: 'شكرًا! ترتيبك {position} في قائمة الانتظار. وقت الانتظار المتوقع: حوالي {minutes} دقيقة.',
  th: 'ขอบคุณ! คุณอยู่ลำดับที่ {position} ในคิว เวลารอโดยประมาณ {minutes} นาที',
  id: 'Terima kasih! Anda berada di antrean nomor {position}. Perkiraan waktu tunggu: sekitar {minutes} menit.',
  vi: 'Cảm ơn bạn! Bạn đang ở vị trí số {position} trong hàng chờ. Thời gian chờ dự kiến: khoảng {minutes} phút.',
  zh: '谢谢！您目前排在第 {position} 位，预计等待约 {minutes} 分钟。',
};

/**
 * The reply when a group is closed, in the customer's language (English when unsupported). The
 * opening time is shown in `timeZone` with its name, since the customer may live elsewhere.
 */
export function outOfHoursMessage(locale: string | undefined, nextOpenAt: Date | null, timeZone: string): string {
  const lang = textLanguage(locale);
  const texts = OUT_OF_HOURS[lang];
  if (!nextOpenAt) return texts.later;
  const when = new Intl.DateTimeFormat(locale && textLanguage(locale) === lang ? [locale, lang] : lang, {
    timeZone, weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZoneName: 'short',
  }).format(nextOpenAt);
  return fill(texts.at, { when });
}

/** The reply when a conversation waits in a queue. */
export function queuedMessage(locale: string | undefined, position: number, expectedWaitSeconds: number): string {
  const lang = textLanguage(locale);
  const n = new Intl.NumberFormat(lang);
  return fill(QUEUED[lang], { position: n.format(position), minutes: n.format(Math.max(1, Math.ceil(expectedWaitSeconds / 60))) });
}
