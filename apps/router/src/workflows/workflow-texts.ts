import { type Localized, fill, textLanguage } from '@omni/routing';

export type OrderStatus = 'processing' | 'shipped' | 'delivered' | 'cancelled';

interface Texts {
  status: Record<OrderStatus, string>;
  /** {n} order number, {s} status, {c} carrier, {d} expected date. */
  order: string;
  withCarrier: string;
  eta: string;
  /** For a verified customer: no such order for their contacts (the same answer whether it exists or not). */
  notFound: string;
  /** For a customer not proven to own the order: how to prove it (ADR 0226). */
  verifyFirst: string;
  ticket: string;
  /** {a} amount, {r} refund id. */
  refund: string;
}

const T: Localized<Texts> = {
  en: {
    status: { processing: 'being prepared', shipped: 'on its way', delivered: 'delivered', cancelled: 'cancelled' },
    order: 'Order {n} is {s}.', withCarrier: ' Carrier: {c}.', eta: ' Expected delivery: {d}.',
    notFound: "I couldn't find order {n} for the phone number or email address you're writing from. Please check the number, or write from the contact used for the order.",
    verifyFirst: "To keep order details private, I can only share them with whoever placed the order, and I can't tell it's you from this chat. Write to us from the WhatsApp number or the email address used for order {n}, or ask for a person, who can verify you.",
    ticket: "I've opened ticket {r} for you; our team will get back to you here.",
    refund: "I've started refund {r} of {a} for order {n}. You'll see it in 3–5 business days.",
  },
  es: {
    status: { processing: 'en preparación', shipped: 'en camino', delivered: 'entregado', cancelled: 'cancelado' },
    order: 'El pedido {n} está {s}.', withCarrier: ' Transportista: {c}.', eta: ' Entrega prevista: {d}.',
    notFound: 'No encontré el pedido {n} para el número o el correo desde el que escribes. Revisa el número o escríbenos desde el contacto usado en el pedido.',
    verifyFirst: 'Para proteger los datos de los pedidos, solo puedo compartirlos con quien hizo el pedido, y desde este chat no puedo comprobar que eres tú. Escríbenos desde el número de WhatsApp o el correo electrónico del pedido {n}, o pide hablar con una persona, que podrá verificarte.',
    ticket: 'Abrí el ticket {r}; nuestro equipo te responderá por aquí.',
    refund: 'Inicié el reembolso {r} de {a} del pedido {n}. Lo verás en 3 a 5 días hábiles.',
  },
  pt: {
    status: { processing: 'em preparação', shipped: 'a caminho', delivered: 'entregue', cancelled: 'cancelado' },
    order: 'O pedido {n} está {s}.', withCarrier: ' Transportadora: {c}.', eta: ' Entrega prevista: {d}.',
    notFound: 'Não encontrei o pedido {n} para o número ou e-mail de onde você está escrevendo. Confira o número ou escreva do contato usado no pedido.',
    verifyFirst: 'Para proteger os dados dos pedidos, só posso compartilhá-los com quem fez o pedido, e por este chat não consigo confirmar que é você. Escreva para nós do número de WhatsApp ou do e-mail usado no pedido {n}, ou peça para falar com uma pessoa, que pode verificar sua identidade.',
    ticket: 'Abri o chamado {r}; nossa equipe vai responder por aqui.',
    refund: 'Iniciei o reembolso {r} de {a} do pedido {n}. Ele aparece em 3 a 5 dias úteis.',
  },
  fr: {
    status: { processing: 'en préparation', shipped: 'en route', delivered: 'livrée', cancelled: 'annulée' },
    order: 'La commande {n} est {s}.', withCarrier: ' Transporteur : {c}.', eta: ' Livraison prévue : {d}.',
    notFound: "Je n'ai pas trouvé la commande {n} pour le numéro ou l'adresse e-mail depuis lesquels vous écrivez. Vérifiez le numéro, ou écrivez-nous depuis le contact utilisé pour la commande.",
    verifyFirst: "Pour protéger les informations de commande, je ne peux les partager qu'avec la personne qui a passé la commande, et je ne peux pas vérifier que c'est vous depuis cette conversation. Écrivez-nous depuis le numéro WhatsApp ou l'adresse e-mail utilisés pour la commande {n}, ou demandez à parler à une personne, qui pourra vous identifier.",
    ticket: "J'ai ouvert le ticket {r} ; notre équipe vous répondra ici.",
    refund: "J'ai lancé le remboursement {r} de {a} pour la commande {n}. Comptez 3 à 5 jours ouvrés.",
  },
  de: {
    status: { processing: 'in Vorbereitung', shipped: 'unterwegs', delivered: 'zugestellt', cancelled: 'storniert' },
    order: 'Bestellung {n} ist {s}.', withCarrier: ' Versand mit {c}.', eta: ' Voraussichtliche Zustellung: {d}.',
    notFound: 'Ich habe die Bestellung {n} für die Nummer oder E-Mail-Adresse, von der Sie schreiben, nicht gefunden. Bitte prüfen Sie die Nummer oder schreiben Sie von dem Kontakt, der bei der Bestellung angegeben wurde.',
    verifyFirst: 'Zum Schutz der Bestelldaten kann ich sie nur mit der Person teilen, die bestellt hat, und in diesem Chat kann ich nicht prüfen, dass Sie es sind. Schreiben Sie uns von der WhatsApp-Nummer oder der E-Mail-Adresse der Bestellung {n}, oder fragen Sie nach einem Mitarbeiter, der Sie verifizieren kann.',
    ticket: 'Ich habe das Ticket {r} eröffnet; unser Team meldet sich hier bei Ihnen.',
    refund: 'Ich habe die Erstattung {r} über {a} für Bestellung {n} gestartet. Sie sehen sie in 3–5 Werktagen.',
  },
  ar: {
    status: { processing: 'قيد التجهيز', shipped: 'في الطريق', delivered: 'تم التسليم', cancelled: 'ملغى' },
    order: 'حالة الطلب {n}: {s}.', withCarrier: ' شركة الشحن: {c}.', eta: ' التسليم المتوقع: {d}.',
    notFound: 'لم أجد الطلب {n} المرتبط بالرقم أو البريد الإلكتروني الذي تراسلنا منه. تحقق من الرقم، أو راسلنا من جهة الاتصال المستخدمة في الطلب.',
    verifyFirst: 'لحماية بيانات الطلبات، لا يمكنني مشاركتها إلا مع صاحب الطلب، ولا يمكنني التحقق من هويتك من هذه المحادثة. راسلنا من رقم واتساب أو البريد الإلكتروني المستخدم في الطلب {n}، أو اطلب التحدث إلى أحد موظفينا للتحقق من هويتك.',
    ticket: 'فتحت لك التذكرة {r}، وسيرد عليك فريقنا هنا.',
    refund: 'بدأت استرداد المبلغ {r} بقيمة {a} للطلب {n}. سيظهر خلال 3 إلى 5 أيام عمل.',
  },
  th: {
    status: { processing: 'กำลังเตรียมสินค้า', shipped: 'อยู่ระหว่างจัดส่ง', delivered: 'จัดส่งแล้ว', cancelled: 'ยกเลิกแล้ว' },
    order: 'คำสั่งซื้อ {n} {s}', withCarrier: ' ขนส่งโดย {c}', eta: ' คาดว่าจะได้รับ {d}',
    notFound: 'ไม่พบคำสั่งซื้อ {n} ของหมายเลขหรืออีเมลที่คุณใช้ติดต่อมา รบกวนตรวจสอบหมายเลข หรือติดต่อจากช่องทางที่ใช้สั่งซื้อ',
    verifyFirst: 'เพื่อปกป้องข้อมูลคำสั่งซื้อ ระบบแจ้งรายละเอียดได้เฉพาะเจ้าของคำสั่งซื้อเท่านั้น และไม่สามารถยืนยันตัวตนของคุณจากแชทนี้ได้ กรุณาติดต่อเราจากหมายเลข WhatsApp หรืออีเมลที่ใช้กับคำสั่งซื้อ {n} หรือขอคุยกับเจ้าหน้าที่เพื่อยืนยันตัวตน',
    ticket: 'เปิดเรื่อง {r} ให้แล้ว ทีมงานจะติดต่อกลับในแชทนี้',
    refund: 'เริ่มคืนเงิน {r} จำนวน {a} สำหรับคำสั่งซื้อ {n} แล้ว จะได้รับภายใน 3–5 วันทำการ',
  },
  id: {
    status: { processing: 'sedang disiapkan', shipped: 'dalam perjalanan', delivered: 'sudah diterima', cancelled: 'dibatalkan' },
    order: 'Pesanan {n} {s}.', withCarrier: ' Kurir: {c}.', eta: ' Perkiraan tiba: {d}.',
    notFound: 'Saya tidak menemukan pesanan {n} untuk nomor atau email yang Anda pakai saat ini. Silakan cek nomornya, atau hubungi kami dari kontak yang dipakai untuk pesanan.',
    verifyFirst: 'Demi menjaga kerahasiaan data pesanan, saya hanya bisa membagikannya kepada pemilik pesanan, dan dari chat ini saya tidak bisa memastikan bahwa ini Anda. Silakan hubungi kami dari nomor WhatsApp atau alamat email yang dipakai untuk pesanan {n}, atau minta bicara dengan petugas yang dapat memverifikasi Anda.',
    ticket: 'Saya sudah membuka tiket {r}; tim kami akan membalas di sini.',
    refund: 'Saya sudah memulai refund {r} sebesar {a} untuk pesanan {n}. Dana masuk dalam 3–5 hari kerja.',
  },
  vi: {
    status: { processing: 'đang được chuẩn bị', shipped: 'đang được giao', delivered: 'đã giao', cancelled: 'đã hủy' },
    order: 'Đơn hàng {n} {s}.', withCarrier: ' Đơn vị vận chuyển: {c}.', eta: ' Dự kiến giao: {d}.',
    notFound: 'Tôi không tìm thấy đơn hàng {n} gắn với số điện thoại hoặc email bạn đang dùng. Bạn kiểm tra lại số, hoặc nhắn từ liên hệ đã dùng khi đặt hàng nhé.',
    verifyFirst: 'Để bảo vệ thông tin đơn hàng, tôi chỉ có thể chia sẻ với người đã đặt hàng, và từ cuộc trò chuyện này tôi không xác minh được đó là bạn. Hãy nhắn cho chúng tôi từ số WhatsApp hoặc địa chỉ email đã dùng cho đơn hàng {n}, hoặc yêu cầu gặp nhân viên để được xác minh.',
    ticket: 'Tôi đã tạo phiếu hỗ trợ {r}; đội ngũ của chúng tôi sẽ trả lời bạn tại đây.',
    refund: 'Tôi đã bắt đầu hoàn tiền {r} số tiền {a} cho đơn hàng {n}. Bạn sẽ nhận được trong 3–5 ngày làm việc.',
  },
  zh: {
    status: { processing: '正在备货', shipped: '正在配送中', delivered: '已送达', cancelled: '已取消' },
    order: '订单 {n}{s}。', withCarrier: '承运商：{c}。', eta: '预计送达：{d}。',
    notFound: '未找到与您当前使用的电话号码或邮箱关联的订单 {n}。请核对订单号，或使用下单时登记的联系方式联系我们。',
    verifyFirst: '为保护订单信息，我只能向下单人提供详情，而在此对话中无法确认您的身份。请使用订单 {n} 登记的 WhatsApp 号码或电子邮箱联系我们，或要求转人工客服为您核实身份。',
    ticket: '已为您创建工单 {r}，我们的团队会在这里回复您。',
    refund: '已为订单 {n} 发起退款 {r}，金额 {a}，预计 3–5 个工作日到账。',
  },
};

export function orderStatusText(language: string | undefined, o: { number: string; status: OrderStatus; carrier?: string; eta?: string }): string {
  const t = T[textLanguage(language)];
  const eta = o.eta ? new Intl.DateTimeFormat(textLanguage(language), { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${o.eta}T00:00:00Z`)) : undefined;
  return fill(t.order, { n: o.number, s: t.status[o.status] }) + (o.carrier ? fill(t.withCarrier, { c: o.carrier }) : '') + (eta && o.status !== 'delivered' && o.status !== 'cancelled' ? fill(t.eta, { d: eta }) : '');
}

export function orderNotFoundText(language: string | undefined, number: string): string {
  return fill(T[textLanguage(language)].notFound, { n: number });
}

export function verifyFirstText(language: string | undefined, number: string): string {
  return fill(T[textLanguage(language)].verifyFirst, { n: number });
}

export function ticketText(language: string | undefined, ticketId: string): string {
  return fill(T[textLanguage(language)].ticket, { r: ticketId });
}

export function refundText(language: string | undefined, r: { id: string; number: string; amount: number; currency: string }): string {
  const a = new Intl.NumberFormat(textLanguage(language), { style: 'currency', currency: r.currency }).format(r.amount);
  return fill(T[textLanguage(language)].refund, { r: r.id, n: r.number, a });
}
