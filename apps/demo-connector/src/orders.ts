/** The demo shop's orders (what `npm run up` can look up: try "where is my order ORD-12345?"). */
export interface DemoOrder {
  number: string;
  status: 'processing' | 'shipped' | 'delivered' | 'cancelled';
  carrier?: string;
  /** Days from today; absent when delivered or cancelled. */
  etaInDays?: number;
  total: number;
  currency: string;
  /** The contacts on file (E.164 phone, lower-case email): only a customer verified as one of them sees the order. */
  contacts: { phones: readonly string[]; emails: readonly string[] };
}

export const DEMO_ORDERS: readonly DemoOrder[] = [
  { number: 'ORD-12345', status: 'shipped', carrier: 'DHL', etaInDays: 2, total: 259, currency: 'EUR', contacts: { phones: ['+351912345678'], emails: ['ana.silva@example.com'] } },
  { number: 'ORD-483920', status: 'delivered', carrier: 'UPS', total: 89.9, currency: 'USD', contacts: { phones: ['+14155550123'], emails: ['sam@example.org'] } },
  { number: 'ORD-558213', status: 'processing', etaInDays: 5, total: 45.5, currency: 'BRL', contacts: { phones: ['+5511912345678'], emails: [] } },
  { number: 'ORD-998877', status: 'cancelled', total: 120, currency: 'EUR', contacts: { phones: [], emails: ['lea@example.de'] } },
  { number: 'ORD-777001', status: 'shipped', carrier: 'Correios', etaInDays: 1, total: 49.9, currency: 'EUR', contacts: { phones: ['+351912345678'], emails: ['joao.costa@example.com'] } },
];

/** "ORD-12345", "ord 12345", "#12345" and "12345" name the same order: the digits decide. */
export function orderKey(raw: string): string {
  return raw.replace(/\D/g, '');
}

/** The verified contacts the router sends (`Omni-Verified-Contacts`) include one the order has on file. */
export function ownsOrder(order: DemoOrder, contacts: ReadonlyArray<{ kind: string; value: string }>): boolean {
  return contacts.some((c) => (c.kind === 'phone' ? order.contacts.phones.includes(c.value) : c.kind === 'email' && order.contacts.emails.includes(c.value.toLowerCase())));
}
