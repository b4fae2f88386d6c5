import { type Localized, textLanguage } from '@omni/routing';

const AGENT_JOINED: Localized<string> = {
  en: '{name} from our team has joined the conversation.',
  es: '{name}, de nuestro equipo, se ha unido a la conversación.',
  pt: '{name}, da nossa equipe, entrou na conversa.',
  fr: "{name}, de notre équipe, a rejoint la conversation.",
  de: '{name} aus unserem Team ist dem Gespräch beigetreten.',
  ar: 'انضم {name} من فريقنا إلى المحادثة.',
  th: '{name} จากทีมของเราเข้าร่วมการสนทนาแล้ว',
  id: '{name} dari tim kami telah bergabung dalam percakapan.',
  vi: '{name} từ đội ngũ của chúng tôi đã tham gia cuộc trò chuyện.',
  zh: '我们团队的 {name} 已加入对话。',
};

export function agentJoinedMessage(language: string | undefined, name: string): string {
  return AGENT_JOINED[textLanguage(language)].replace('{name}', name);
}
