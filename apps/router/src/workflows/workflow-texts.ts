import { type Localized, fill, textLanguage } from '@omni/routing';

export type OrderStatus = 'processing' | 'shipped' | 'delivered' | 'cancelled';

interface Texts {
  status: Record<OrderStatus, string>;
  /** {n} order number, {s} status, {c} carrier, {d} expected date. */
  order: string;
  withCarrier: string;
  eta: string;
  notFound: string;
  ticket: string;
  /** {a} amount, {r} refund id. */
  refund: string;
}

const T: Localized<Texts> = {
  en: {
    status: { processing: 'being prepared', shipped: 'on its way', delivered: 'delivered', cancelled: 'cancelled' },
    order: 'Order {n} is {s}.', withCarrier: ' Carrier: {c}.', eta: ' Expected delivery: {d}.',
    notFound: "I couldn't find order {n}. Could you check the number?",
    ticket: "I've opened ticket {r} for you; our team will get back to you here.",
    refund: "I've started refund {r} of {a} for order {n}. You'll see it in 3–5 business days.",
  },
  es: {
    status: { processing: 'en preparación', shipped: 'en camino', delivered: 'entregado', cancelled: 'cancelado' },
    order: 'El pedido {n} está {s}.', withCarrier: ' Transportista: {c}.', eta: ' Entrega prevista: {d}.',
    notFound: 'No encontré el pedido {n}. ¿Puedes revisar el número?',
    ticket: 'Abrí el ticket {r}; nuestro equipo te responderá por aquí.',
    refund: 'Inicié el reembolso {r} de {a} del pedido {n}. Lo verás en 3 a 5 días hábiles.',
  },
  pt: {
    status: { processing: 'em preparação', shipped: 'a caminho', delivered: 'entregue', cancelled: 'cancelado' },
    order: 'O pedido {n} está {s}.', withCarrier: ' Transportadora: {c}.', eta: ' Entrega prevista: {d}.',
    notFound: 'Não encontrei o pedido {n}. Pode conferir o número?',
    ticket: 'Abri o chamado {r}; nossa equipe vai responder por aqui.',
    refund: 'Iniciei o reembolso {r} de {a} do pedido {n}. Ele aparece em 3 a 5 dias úteis.',
  },
  fr: {
    status: { processing: 'en préparation', shipped: 'en route', delivered: 'livrée', cancelled: 'annulée' },
    order: 'La commande {n} est {s}.', withCarrier: ' Transporteur : {c}.', eta: ' Livraison prévue : {d}.',
    notFound: "Je n'ai pas trouvé la commande {n}. Pouvez-vous vérifier le numéro ?",
    ticket: "J'ai ouvert le ticket {r} ; notre équipe vous répondra ici.",
    refund: "J'ai lancé le remboursement {r} de {a} pour la commande {n}. Comptez 3 à 5 jours ouvrés.",
  },
  de: {
    status: { processing: 'in Vorbereitung', shipped: 'unterwegs', delivered: 'zugestellt', cancelled: 'storniert' },
    order: 'Bestellung {n} ist {s}.', withCarrier: ' Versand mit {c}.', eta: ' Voraussichtliche Zustellung: {d}.',
    notFound: 'Ich habe die Bestellung {n} nicht gefunden. Können Sie die Nummer prüfen?',
    ticket: 'Ich habe das Ticket {r} eröffnet; unser Team meldet sich hier bei Ihnen.',
    refund: 'Ich habe die Erstattung {r} über {a} für Bestellung {n} gestartet. Sie sehen sie in 3–5 Werktagen.',
  },
  ar: {
    status: { processing: 'قيد التجهيز', shipped: 'في الطريق', delivered: 'تم التسليم', cancelled: 'ملغى' },
    order: 'حالة الطلب {n}: {s}.', withCarrier: ' شركة الشحن: {c}.', eta: ' التسليم المتوقع: {d}.',
    notFound: 'لم أجد الطلب {n}. هل يمكنك التحقق من الرقم؟',
    ticket: 'فتحت لك التذكرة {r}، وسيرد عليك فريقنا هنا.',
    refund: 'بدأت استرداد المبلغ {r} بقيمة {a} للطلب {n}. سيظهر خلال 3 إلى 5 أيام عمل.',
  },
  th: {
    status: { processing: 'กำลังเตรียมสินค้า', shipped: 'อยู่ระหว่างจัดส่ง', delivered: 'จัดส่งแล้ว', cancelled: 'ยกเลิกแล้ว' },
    order: 'คำสั่งซื้อ {n} {s}', withCarrier: ' ขนส่งโดย {c}', eta: ' คาดว่าจะได้รับ {d}',
    notFound: 'ไม่พบคำสั่งซื้อ {n} รบกวนตรวจสอบหมายเลขอีกครั้ง',
    ticket: 'เปิดเรื่อง {r} ให้แล้ว ทีมงานจะติดต่อกลับในแชทนี้',
    refund: 'เริ่มคืนเงิน {r} จำนวน {a} สำหรับคำสั่งซื้อ {n} แล้ว จะได้รับภายใน 3–5 วันทำการ',
  },
  id: {
    status: { processing: 'sedang disiapkan', shipped: 'dalam perjalanan', delivered: 'sudah diterima', cancelled: 'dibatalkan' },
    order: 'Pesanan {n} {s}.', withCarrier: ' Kurir: {c}.', eta: ' Perkiraan tiba: {d}.',
    notFound: 'Saya tidak menemukan pesanan {n}. Bisa dicek lagi nomornya?',
    ticket: 'Saya sudah membuka tiket {r}; tim kami akan membalas di sini.',
    refund: 'Saya sudah memulai refund {r} sebesar {a} untuk pesanan {n}. Dana masuk dalam 3–5 hari kerja.',
  },
  vi: {
    status: { processing: 'đang được chuẩn bị', shipped: 'đang được giao', delivered: 'đã giao', cancelled: 'đã hủy' },
    order: 'Đơn hàng {n} {s}.', withCarrier: ' Đơn vị vận chuyển: {c}.', eta: ' Dự kiến giao: {d}.',
    notFound: 'Tôi không tìm thấy đơn hàng {n}. Bạn kiểm tra lại số giúp tôi nhé?',
    ticket: 'Tôi đã tạo phiếu hỗ trợ {r}; đội ngũ của chúng tôi sẽ trả lời bạn tại đây.',
    refund: 'Tôi đã bắt đầu hoàn tiền {r} số tiền {a} cho đơn hàng {n}. Bạn sẽ nhận được trong 3–5 ngày làm việc.',
  },
  zh: {
    status: { processing: '正在备货', shipped: '正在配送中', delivered: '已送达', cancelled: '已取消' },
    order: '订单 {n}{s}。', withCarrier: '承运商：{c}。', eta: '预计送达：{d}。',
    notFound: '没有找到订单 {n}，请核对一下订单号。',
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

export function ticketText(language: string | undefined, ticketId: string): string {
  return fill(T[textLanguage(language)].ticket, { r: ticketId });
}

export function refundText(language: string | undefined, r: { id: string; number: string; amount: number; currency: string }): string {
  const a = new Intl.NumberFormat(textLanguage(language), { style: 'currency', currency: r.currency }).format(r.amount);
  return fill(T[textLanguage(language)].refund, { r: r.id, n: r.number, a });
}
