import type { MessageType } from '@omni/contracts';

/** Message types that carry content only a person (or a configured provider) can read. */
export const MEDIA_FOR_A_PERSON: ReadonlySet<MessageType> = new Set(['audio', 'image', 'video', 'document']);

/** What the customer reads if the router sends the bot's answer anyway (it normally sends its handoff notice). */
const TO_A_PERSON: Readonly<Record<string, string>> = {
  en: 'I cannot open voice notes, images or files here, so a person from our team will look at it. Please stay in this chat.',
  es: 'No puedo abrir notas de voz, imágenes ni archivos aquí, así que una persona de nuestro equipo lo revisará. Por favor, permanece en este chat.',
  pt: 'Não consigo abrir áudios, imagens ou arquivos aqui, então uma pessoa da nossa equipe vai verificar. Por favor, continue neste chat.',
  fr: "Je ne peux pas ouvrir les messages vocaux, images ou fichiers ici : une personne de notre équipe va s'en occuper. Merci de rester dans ce chat.",
  de: 'Sprachnachrichten, Bilder oder Dateien kann ich hier nicht öffnen, deshalb schaut sich eine Person aus unserem Team das an. Bitte bleiben Sie in diesem Chat.',
  ar: 'لا يمكنني فتح الرسائل الصوتية أو الصور أو الملفات هنا، لذلك سيطّلع عليها أحد أعضاء فريقنا. يرجى البقاء في هذه المحادثة.',
  th: 'ขออภัย ระบบไม่สามารถเปิดข้อความเสียง รูปภาพ หรือไฟล์ได้ เจ้าหน้าที่ของเราจะตรวจสอบให้ กรุณารออยู่ในแชทนี้',
  id: 'Saya tidak dapat membuka pesan suara, gambar, atau file di sini, jadi tim kami yang akan memeriksanya. Mohon tetap di obrolan ini.',
  vi: 'Tôi không thể mở tin nhắn thoại, hình ảnh hay tệp ở đây, nên nhân viên của chúng tôi sẽ xem giúp bạn. Vui lòng ở lại cuộc trò chuyện này.',
  zh: '我无法在这里打开语音、图片或文件，我们的工作人员会为您查看。请留在此对话中。',
};

/** Asked of the customer when a message has nothing to read and nothing to forward (a sticker, a location). */
const NOTHING_TO_READ: Readonly<Record<string, string>> = {
  en: 'Could you tell me in a few words how I can help?',
  es: '¿Me cuentas en pocas palabras en qué puedo ayudarte?',
  pt: 'Pode me dizer em poucas palavras como posso ajudar?',
  fr: "Pouvez-vous me dire en quelques mots comment je peux vous aider ?",
  de: 'Können Sie mir in ein paar Worten sagen, wobei ich helfen kann?',
  ar: 'هل يمكنك أن تخبرني ببضع كلمات كيف يمكنني مساعدتك؟',
  th: 'รบกวนพิมพ์สั้น ๆ ว่าต้องการให้ช่วยเรื่องอะไรคะ',
  id: 'Bisa jelaskan singkat apa yang bisa saya bantu?',
  vi: 'Bạn có thể cho tôi biết ngắn gọn tôi có thể giúp gì không?',
  zh: '能简单说一下需要什么帮助吗？',
};

/** The fallback `handoff` of a tenant without NLU data: a person answers (the router normally sends its own handoff notice). */
const NO_BOT_TO_A_PERSON: Readonly<Record<string, string>> = {
  en: 'Thank you for your message. A person from our team will answer you here shortly.',
  es: 'Gracias por tu mensaje. Una persona de nuestro equipo te responderá aquí en breve.',
  pt: 'Obrigado pela sua mensagem. Uma pessoa da nossa equipe vai responder aqui em breve.',
  fr: 'Merci pour votre message. Une personne de notre équipe va vous répondre ici sous peu.',
  de: 'Danke für Ihre Nachricht. Eine Person aus unserem Team antwortet Ihnen hier in Kürze.',
  ar: 'شكرًا لرسالتك. سيرد عليك أحد أعضاء فريقنا هنا قريبًا.',
  th: 'ขอบคุณสำหรับข้อความ เจ้าหน้าที่ของเราจะตอบกลับในแชทนี้เร็ว ๆ นี้',
  id: 'Terima kasih atas pesan Anda. Tim kami akan segera membalas di sini.',
  vi: 'Cảm ơn bạn đã nhắn tin. Nhân viên của chúng tôi sẽ sớm trả lời bạn tại đây.',
  zh: '感谢您的留言。我们的工作人员会尽快在这里回复您。',
};

/** The fallback `message` of a tenant without NLU data: neutral, promising nothing about the company's business. */
const NEUTRAL: Readonly<Record<string, string>> = {
  en: 'Thank you for your message. We have received it and will get back to you here.',
  es: 'Gracias por tu mensaje. Lo hemos recibido y te responderemos por aquí.',
  pt: 'Obrigado pela sua mensagem. Nós a recebemos e vamos responder por aqui.',
  fr: 'Merci pour votre message. Nous l’avons bien reçu et vous répondrons ici.',
  de: 'Danke für Ihre Nachricht. Wir haben sie erhalten und melden uns hier bei Ihnen.',
  ar: 'شكرًا لرسالتك. لقد استلمناها وسنرد عليك هنا.',
  th: 'ขอบคุณสำหรับข้อความ เราได้รับแล้วและจะติดต่อกลับทางแชทนี้',
  id: 'Terima kasih atas pesan Anda. Kami sudah menerimanya dan akan membalas di sini.',
  vi: 'Cảm ơn bạn đã nhắn tin. Chúng tôi đã nhận được và sẽ phản hồi bạn tại đây.',
  zh: '感谢您的留言。我们已收到，会在这里回复您。',
};

export function noBotNote(language: string): { language: string; text: string } {
  return localized(NO_BOT_TO_A_PERSON, language);
}

export function neutralReply(language: string): { language: string; text: string } {
  return localized(NEUTRAL, language);
}

export function mediaNote(language: string): { language: string; text: string } {
  return localized(TO_A_PERSON, language);
}

export function nothingToRead(language: string): { language: string; text: string } {
  return localized(NOTHING_TO_READ, language);
}

function localized(texts: Readonly<Record<string, string>>, language: string): { language: string; text: string } {
  const text = texts[language];
  return text === undefined ? { language: 'en', text: texts.en ?? '' } : { language, text };
}
