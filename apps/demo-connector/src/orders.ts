/** The demo shop's orders (what `npm run up` can look up: try "where is my order ORD-12345?"). */
export interface DemoOrder {
  number: string;
  status: 'processing' | 'shipped' | 'delivered' | 'cancelled';
  carrier?: string;
  /** Days from today; absent when delivered or cancelled. */
  etaInDays?: number;
  total: number;
  currency: string;
}

export const DEMO_ORDERS: readonly DemoOrder[] = [
  { number: 'ORD-12345', status: 'shipped', carrier: 'DHL', etaInDays: 2, total: 259, currency: 'EUR' },
  { number: 'ORD-483920', status: 'delivered', carrier: 'UPS', total: 89.9, currency: 'USD' },
  { number: 'ORD-558213', status: 'processing', etaInDays: 5, total: 45.5, currency: 'BRL' },
  { number: 'ORD-998877', status: 'cancelled', total: 120, currency: 'EUR' },
  { number: 'ORD-777001', status: 'shipped', carrier: 'Correios', etaInDays: 1, total: 49.9, currency: 'EUR' },
];

/** "ORD-12345", "ord 12345", "#12345" and "12345" name the same order: the digits decide. */
export function orderKey(raw: string): string {
  return raw.replace(/\D/g, '');
}
