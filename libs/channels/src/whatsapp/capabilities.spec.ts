import { FatalError } from '@omni/contracts';
import { TemplateRegistry } from '../common/templates';
import { outboundCommand } from '../testing/commands';
import { WHATSAPP_CAPABILITIES, planWhatsAppSend, templateParam } from './capabilities';

const NOW = new Date('2026-06-10T12:00:00Z');
const templates = new TemplateRegistry([
  { name: 'reengage', language: 'pt_BR', status: 'APPROVED', bodyParams: 1 },
  { name: 'reengage', language: 'en', status: 'APPROVED', bodyParams: 1 },
]);
const plan = (hoursAgo: number | undefined, registry = templates) => ({
  lastCustomerMessageAt: hoursAgo === undefined ? undefined : new Date(NOW.getTime() - hoursAgo * 3_600_000),
  now: NOW, templates: registry, fallbackTemplate: 'reengage', customerLocale: 'pt-BR',
});

describe('WhatsApp capabilities and the 24-hour window', () => {
  it('publishes the documented limits', () => {
    expect(WHATSAPP_CAPABILITIES.maxTextLength).toBe(4096);
    expect(WHATSAPP_CAPABILITIES.rateLimits.perAccount).toEqual({ limit: 80, intervalMs: 1000 });
  });

  it('sends free text unchanged within 24 h', () => {
    const cmd = outboundCommand({ message: { text: 'hi' } });
    expect(planWhatsAppSend(cmd, plan(3))).toBe(cmd);
  });

  it('uses the approved template in the customer language outside the window', () => {
    const out = planWhatsAppSend(outboundCommand({ message: { text: 'Your order\nshipped' } }), plan(30));
    expect(out.message.template).toEqual({ name: 'reengage', language: 'pt_BR', params: ['Your order shipped'] });
    expect(planWhatsAppSend(outboundCommand({ message: { text: 'x' } }), plan(undefined)).message.template?.name).toBe('reengage');
  });

  it('refuses free text outside the window when no template exists, with a clear reason', () => {
    const none = new TemplateRegistry([{ name: 'reengage', language: 'de', status: 'PENDING' }]);
    const send = () => planWhatsAppSend(outboundCommand({ message: { text: 'late' } }), plan(25, none));
    expect(send).toThrow(FatalError);
    expect(send).toThrow(/25 h since the customer's last message.*no approved template "reengage"/);
  });

  it('lets template commands through at any time', () => {
    const cmd = outboundCommand({ message: { template: { name: 'order', language: 'en', params: [] } } });
    expect(planWhatsAppSend(cmd, plan(100))).toBe(cmd);
  });

  it('cleans template parameters the way Meta requires', () => {
    expect(templateParam('a\n\tb      c')).toBe('a b    c');
  });
});
