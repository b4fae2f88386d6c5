import { type Localized, textLanguage } from '@omni/routing';

const HANDOFF: Localized<string> = {
  en: "I'm connecting you with a person from our team. Please stay in this chat.",
  es: 'Te comunico con una persona de nuestro equipo. Por favor, permanece en este chat.',
  pt: 'Vou transferir você para uma pessoa da nossa equipe. Por favor, continue neste chat.',
  fr: 'Je vous mets en relation avec une personne de notre équipe. Merci de rester dans cette conversation.',
  de: 'Ich verbinde Sie mit einer Person aus unserem Team. Bitte bleiben Sie in diesem Chat.',
  ar: 'سأقوم بتحويلك إلى أحد أفراد فريقنا. يرجى البقاء في هذه المحادثة.',
  th: 'กำลังโอนสายให้คุณคุยกับเจ้าหน้าที่ของเรา กรุณารออยู่ในแชทนี้',
  id: 'Saya akan menghubungkan Anda dengan anggota tim kami. Mohon tetap di obrolan ini.',
  vi: 'Tôi đang kết nối bạn với một nhân viên của chúng tôi. Vui lòng ở lại cuộc trò chuyện này.',
  zh: '正在为您转接人工客服，请不要离开此对话。',
};

/** What the customer reads when a human is about to take over, in their language (English otherwise). */
export function handoffNotice(language: string | undefined): string {
  return HANDOFF[textLanguage(language)];
}
