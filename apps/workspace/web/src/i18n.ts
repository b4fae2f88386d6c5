/** Message catalogues (ADR 0700): en is the reference; es, zh and ar have every key (a unit test checks). */
export const LANGUAGES = ['en', 'es', 'zh', 'ar'] as const;
export type Lang = (typeof LANGUAGES)[number];

const en = {
  appName: 'Omni workspace',
  language: 'Language',
  signIn: 'Sign in',
  signOut: 'Sign out',
  tenant: 'Company',
  email: 'Email',
  password: 'Password',
  wrongCredentials: 'Wrong email or password.',
  sessionExpired: 'Your session expired. Please sign in again.',
  connectionLost: 'Connection lost. Reconnecting… Your draft is kept.',
  connecting: 'Connecting…',
  live: 'Live',
  networkError: 'The server cannot be reached. Check your connection and try again.',
  rejected: 'Action refused',
  presence: 'Presence',
  online: 'Online',
  away: 'Away',
  offline: 'Offline',
  inbox: 'Inbox',
  wallboard: 'Wallboard',
  mine: 'My conversations',
  queues: 'Queues I may take',
  noConversations: 'Nothing here.',
  channel: 'Channel',
  status: 'Status',
  all: 'All',
  take: 'Take',
  waiting: 'waiting {t}',
  open: 'Open',
  conversation: 'Conversation',
  selectConversation: 'Select a conversation.',
  history: 'Customer history (all channels)',
  aiUnderstood: 'What the AI understood',
  handoffSummary: 'Bot handoff summary',
  intent: 'Intent',
  confidence: 'confidence',
  sentiment: 'Sentiment',
  reasons: 'Reasons',
  reply: 'Reply',
  replyPlaceholder: 'Type a reply… (Ctrl+Enter sends)',
  send: 'Send',
  transfer: 'Transfer',
  transferTo: 'Transfer to',
  group: 'Group',
  agent: 'Agent',
  resolve: 'Resolve',
  resolved: 'Resolved.',
  sent: 'Sent.',
  transferred: 'Transferred.',
  taken: 'Assigned to you.',
  customer: 'Customer',
  bot: 'Bot',
  system: 'System',
  queueSize: 'In queue',
  longestWait: 'Longest wait',
  agents: 'Agents',
  load: 'Load',
  byChannel: 'Queues by channel',
  byLanguage: 'Queues by language',
  assigned: 'assigned',
  queued: 'queued',
  bot_state: 'with the bot',
  resolved_state: 'resolved',
  total: 'Total',
  none: 'none',
  attach: 'Attach files',
};
export type Key = keyof typeof en;

const es: Record<Key, string> = {
  appName: 'Espacio de trabajo Omni', language: 'Idioma', signIn: 'Iniciar sesión', signOut: 'Cerrar sesión', tenant: 'Empresa',
  email: 'Correo electrónico', password: 'Contraseña', wrongCredentials: 'Correo o contraseña incorrectos.',
  sessionExpired: 'Tu sesión ha caducado. Vuelve a iniciar sesión.', connectionLost: 'Conexión perdida. Reconectando… Tu borrador se conserva.',
  connecting: 'Conectando…', live: 'En directo', networkError: 'No se puede contactar con el servidor. Revisa tu conexión e inténtalo de nuevo.',
  rejected: 'Acción rechazada', presence: 'Presencia', online: 'Disponible', away: 'Ausente', offline: 'Desconectado', inbox: 'Bandeja',
  wallboard: 'Panel en vivo', mine: 'Mis conversaciones', queues: 'Colas que puedo atender', noConversations: 'No hay nada aquí.', channel: 'Canal',
  status: 'Estado', all: 'Todos', take: 'Atender', waiting: 'esperando {t}', open: 'Abrir', conversation: 'Conversación',
  selectConversation: 'Selecciona una conversación.', history: 'Historial del cliente (todos los canales)', aiUnderstood: 'Lo que entendió la IA',
  handoffSummary: 'Resumen del traspaso del bot', intent: 'Intención', confidence: 'confianza', sentiment: 'Sentimiento', reasons: 'Motivos',
  reply: 'Responder', replyPlaceholder: 'Escribe una respuesta… (Ctrl+Intro envía)', send: 'Enviar', transfer: 'Transferir', transferTo: 'Transferir a',
  group: 'Grupo', agent: 'Agente', resolve: 'Resolver', resolved: 'Resuelta.', sent: 'Enviado.', transferred: 'Transferida.', taken: 'Asignada a ti.',
  customer: 'Cliente', bot: 'Bot', system: 'Sistema', queueSize: 'En cola', longestWait: 'Espera máxima', agents: 'Agentes', load: 'Carga',
  byChannel: 'Colas por canal', byLanguage: 'Colas por idioma', assigned: 'asignada', queued: 'en cola', bot_state: 'con el bot',
  resolved_state: 'resuelta', total: 'Total', none: 'ninguna',
  attach: 'Adjuntar archivos',
};

const zh: Record<Key, string> = {
  appName: 'Omni 工作台', language: '语言', signIn: '登录', signOut: '退出登录', tenant: '公司', email: '电子邮件', password: '密码',
  wrongCredentials: '电子邮件或密码错误。', sessionExpired: '您的会话已过期，请重新登录。', connectionLost: '连接已断开，正在重新连接……您的草稿已保留。',
  connecting: '正在连接……', live: '实时', networkError: '无法连接服务器。请检查网络后重试。', rejected: '操作被拒绝', presence: '状态', online: '在线',
  away: '离开', offline: '离线', inbox: '收件箱', wallboard: '实时看板', mine: '我的会话', queues: '我可以接入的队列', noConversations: '暂无内容。',
  channel: '渠道', status: '状态', all: '全部', take: '接入', waiting: '已等待 {t}', open: '打开', conversation: '会话', selectConversation: '请选择一个会话。',
  history: '客户历史（所有渠道）', aiUnderstood: 'AI 的理解', handoffSummary: '机器人转接摘要', intent: '意图', confidence: '置信度', sentiment: '情绪',
  reasons: '原因', reply: '回复', replyPlaceholder: '输入回复……（Ctrl+Enter 发送）', send: '发送', transfer: '转接', transferTo: '转接给', group: '组',
  agent: '坐席', resolve: '解决', resolved: '已解决。', sent: '已发送。', transferred: '已转接。', taken: '已分配给您。', customer: '客户', bot: '机器人',
  system: '系统', queueSize: '排队中', longestWait: '最长等待', agents: '坐席', load: '负载', byChannel: '按渠道的队列', byLanguage: '按语言的队列',
  assigned: '已分配', queued: '排队中', bot_state: '机器人处理中', resolved_state: '已解决', total: '合计', none: '无',
  attach: '添加附件',
};

const ar: Record<Key, string> = {
  appName: 'مساحة عمل أومني', language: 'اللغة', signIn: 'تسجيل الدخول', signOut: 'تسجيل الخروج', tenant: 'الشركة', email: 'البريد الإلكتروني',
  password: 'كلمة المرور', wrongCredentials: 'البريد الإلكتروني أو كلمة المرور غير صحيحة.', sessionExpired: 'انتهت صلاحية جلستك. يرجى تسجيل الدخول مرة أخرى.',
  connectionLost: 'انقطع الاتصال. جارٍ إعادة الاتصال… تم الاحتفاظ بمسودتك.', connecting: 'جارٍ الاتصال…', live: 'مباشر',
  networkError: 'تعذر الوصول إلى الخادم. تحقق من اتصالك وحاول مرة أخرى.', rejected: 'تم رفض الإجراء', presence: 'الحالة', online: 'متصل', away: 'بعيد',
  offline: 'غير متصل', inbox: 'صندوق الوارد', wallboard: 'لوحة المتابعة', mine: 'محادثاتي', queues: 'الطوابير المتاحة لي', noConversations: 'لا يوجد شيء هنا.',
  channel: 'القناة', status: 'الحالة', all: 'الكل', take: 'استلام', waiting: 'في الانتظار منذ {t}', open: 'فتح', conversation: 'المحادثة',
  selectConversation: 'اختر محادثة.', history: 'سجل العميل (كل القنوات)', aiUnderstood: 'ما فهمه الذكاء الاصطناعي', handoffSummary: 'ملخص تحويل الروبوت',
  intent: 'النية', confidence: 'الثقة', sentiment: 'المشاعر', reasons: 'الأسباب', reply: 'الرد', replyPlaceholder: 'اكتب ردًا… (Ctrl+Enter للإرسال)',
  send: 'إرسال', transfer: 'تحويل', transferTo: 'تحويل إلى', group: 'مجموعة', agent: 'موظف', resolve: 'إغلاق', resolved: 'تم الإغلاق.', sent: 'تم الإرسال.',
  transferred: 'تم التحويل.', taken: 'تم إسنادها إليك.', customer: 'العميل', bot: 'الروبوت', system: 'النظام', queueSize: 'في الطابور',
  longestWait: 'أطول انتظار', agents: 'الموظفون', load: 'الحمل', byChannel: 'الطوابير حسب القناة', byLanguage: 'الطوابير حسب اللغة', assigned: 'مسندة',
  queued: 'في الطابور', bot_state: 'مع الروبوت', resolved_state: 'مغلقة', total: 'المجموع', none: 'لا شيء',
  attach: 'إرفاق ملفات',
};

export const CATALOGUES: Record<Lang, Record<Key, string>> = { en, es, zh, ar };
export const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', es: 'Español', zh: '中文', ar: 'العربية' };

export function direction(lang: Lang): 'rtl' | 'ltr' {
  return lang === 'ar' ? 'rtl' : 'ltr';
}

export function translator(lang: Lang) {
  const cat = CATALOGUES[lang];
  return (key: Key, vars: Record<string, string> = {}): string => cat[key].replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? '');
}
export type T = ReturnType<typeof translator>;

/** "3 min", "1 h" in the interface's language (Intl). */
export function duration(lang: Lang, ms: number): string {
  const min = Math.max(0, Math.round(ms / 60_000));
  const f = (n: number, unit: 'second' | 'minute' | 'hour') => new Intl.NumberFormat(lang, { style: 'unit', unit, unitDisplay: 'short' }).format(n);
  if (ms < 60_000) return f(Math.max(0, Math.round(ms / 1000)), 'second');
  return min < 90 ? f(min, 'minute') : f(Math.round(min / 60), 'hour');
}
