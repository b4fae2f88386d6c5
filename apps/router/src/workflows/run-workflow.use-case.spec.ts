import { RetryableError, type ConnectorContact } from '@omni/contracts';
import type { ConversationDoc, WorkflowRunDoc, WorkflowRunRepository } from '@omni/persistence';
import type { ConnectorClient, ConnectorRequest, ConnectorResponse } from './connector.client';
import { RunWorkflowUseCase } from './run-workflow.use-case';
import { workflowConfig, type WorkflowMatch } from './workflow-config';

const at = new Date('2026-03-02T10:00:00Z');
const conversation: ConversationDoc = {
  _id: 'c1', tenantId: 't', region: 'local', channel: 'web', accountId: 'a', customerId: 'cu1', channelUserId: 'u1',
  state: 'bot', version: 0, lastMessageAt: at, createdAt: at, updatedAt: at,
};
const ANA: ConnectorContact[] = [{ kind: 'phone', value: '+351912345678' }];
const ORDER = { number: 'ORD-12345', status: 'shipped', carrier: 'DHL', eta: '2026-03-04', total: 259, currency: 'EUR' };

function setup(answer: (req: ConnectorRequest) => ConnectorResponse | Error) {
  const runs = new Map<string, WorkflowRunDoc>();
  const repo: WorkflowRunRepository = {
    start: async (run) => (runs.has(run._id) ? { run: runs.get(run._id) as WorkflowRunDoc, created: false } : (runs.set(run._id, run), { run, created: true })),
    finish: async (id, fields) => { runs.set(id, { ...(runs.get(id) as WorkflowRunDoc), ...fields }); },
    ofConversation: async () => [...runs.values()],
  };
  const calls: ConnectorRequest[] = [];
  const connector = {
    call: async (_target: unknown, req: ConnectorRequest) => {
      calls.push(req);
      const a = answer(req);
      if (a instanceof Error) throw a;
      return a;
    },
  } as unknown as ConnectorClient;
  const useCase = new RunWorkflowUseCase(repo, connector);
  const run = (match: WorkflowMatch, language = 'en', messageId = 'm1', contacts: readonly ConnectorContact[] = ANA) =>
    useCase.execute({ conversation, messageId, language, match, config: workflowConfig({}), connector: { baseUrl: 'http://connector/', signingSecrets: [] }, contacts });
  return { run, runs, calls };
}

const lookup: WorkflowMatch = { workflow: 'lookup_order', intent: 'order_status', inputs: { orderNumber: 'ORD-12345' } };
const refund = (orderNumber: string): WorkflowMatch => ({ workflow: 'start_refund', intent: 'refund', inputs: { orderNumber } });

describe('RunWorkflowUseCase', () => {
  it('answers an order lookup in the customer’s language and records the step', async () => {
    const { run, runs } = setup(() => ({ status: 200, body: ORDER }));
    const { outcome } = await run(lookup, 'de');
    expect(outcome).toEqual({ kind: 'reply', text: 'Bestellung ORD-12345 ist unterwegs. Versand mit DHL. Voraussichtliche Zustellung: 4. März 2026.' });
    const [stored] = runs.values();
    expect(stored).toMatchObject({ status: 'succeeded', inputs: { orderNumber: 'ORD-12345', verifiedBy: 'phone' }, steps: [{ name: 'lookup_order', input: { method: 'GET', path: 'orders/ORD-12345' }, output: { status: 200 } }] });
  });

  it('sends the verified contacts with every call', async () => {
    const { run, calls } = setup((req) => (req.method === 'GET' ? { status: 200, body: { ...ORDER, total: 49.9 } } : { status: 201, body: { id: 'R-7' } }));
    await run(refund('ORD-12345'));
    expect(calls.map((c) => c.contacts)).toEqual([ANA, ANA]);
  });

  it('tells a verified customer when their contacts own no such order (404 is an answer, not a failure)', async () => {
    const { run } = setup(() => ({ status: 404, body: null }));
    expect((await run(lookup, 'es')).outcome).toEqual({ kind: 'reply', text: 'No encontré el pedido ORD-12345 para el número o el correo desde el que escribes. Revisa el número o escríbenos desde el contacto usado en el pedido.' });
  });

  it.each([lookup, refund('ORD-777001')])('asks a customer proven to be no one to verify, and calls nothing (%#)', async (match) => {
    const { run, calls, runs } = setup(() => ({ status: 200, body: ORDER }));
    const { outcome } = await run(match, 'en', 'm1', []);
    expect(outcome).toEqual({ kind: 'reply', text: expect.stringMatching(/^To keep order details private, .*WhatsApp number or the email address used for order ORD-(12345|777001), or ask for a person/) });
    expect(calls).toEqual([]);
    expect([...runs.values()][0]).toMatchObject({ status: 'succeeded', inputs: { verifiedBy: 'none' }, steps: [] });
  });

  it('asks to verify when the connector says ownership is not proven (403), and starts no refund', async () => {
    const { run, calls } = setup(() => ({ status: 403, body: { error: 'verification_required' } }));
    expect((await run(refund('ORD-777001'), 'pt')).outcome).toEqual({ kind: 'reply', text: expect.stringMatching(/^Para proteger os dados dos pedidos/) });
    expect(calls.map((c) => c.method)).toEqual(['GET']);
  });

  it('still opens a ticket for an unverified customer (a person follows up), saying so to the connector', async () => {
    const { run, calls } = setup(() => ({ status: 201, body: { id: 'T-1' } }));
    const { outcome } = await run({ workflow: 'create_ticket', intent: 'complaint', inputs: { description: 'box arrived wet', orderNumber: 'ORD-1' } }, 'en', 'm1', []);
    expect(outcome).toEqual({ kind: 'reply', text: "I've opened ticket T-1 for you; our team will get back to you here." });
    expect(calls).toMatchObject([{ method: 'POST', path: 'tickets', contacts: [] }]);
  });

  it('hands a refund above the threshold to a person without creating it', async () => {
    const { run, calls, runs } = setup(() => ({ status: 200, body: ORDER }));
    expect((await run(refund('ORD-12345'))).outcome).toEqual({ kind: 'handoff', code: 'human_only_intent', detail: 'refund of 259 EUR for order ORD-12345 is above the automatic limit 100' });
    expect(calls.map((c) => c.method)).toEqual(['GET']);
    expect([...runs.values()][0]?.status).toBe('handed_off');
  });

  it('starts a small refund with an idempotency key per run and step', async () => {
    const { run, calls } = setup((req) => (req.method === 'GET' ? { status: 200, body: { ...ORDER, total: 49.9 } } : { status: 201, body: { id: 'R-7' } }));
    const { runId, outcome } = await run(refund('ORD-12345'));
    expect(outcome).toEqual({ kind: 'reply', text: "I've started refund R-7 of €49.90 for order ORD-12345. You'll see it in 3–5 business days." });
    expect(calls[1]).toMatchObject({ method: 'POST', path: 'refunds', idempotencyKey: `${runId}:start_refund`, body: { orderNumber: 'ORD-12345', amount: 49.9, currency: 'EUR' } });
  });

  it.each([
    ['an unreachable connector', new RetryableError('connector_unreachable', 'connector x unreachable (ECONNREFUSED)'), 'lookup_order: step lookup_order failed (connector_unreachable: connector x unreachable (ECONNREFUSED))'],
    ['a payload that does not parse', { status: 200, body: { number: 'ORD-12345', status: 'lost' } }, expect.stringMatching(/^lookup_order: the connector's order did not parse: status/)],
  ])('turns %s into a handoff with the reason', async (_name, answer, detail) => {
    const { run, runs } = setup(() => answer);
    expect((await run(lookup)).outcome).toEqual({ kind: 'handoff', code: 'workflow_failed', detail });
    expect([...runs.values()][0]?.status).toBe('failed');
  });

  it('replays a finished run on redelivery without calling the connector again', async () => {
    const { run, calls } = setup(() => ({ status: 200, body: ORDER }));
    const first = await run(lookup);
    const again = await run(lookup);
    expect(again).toEqual(first);
    expect(calls).toHaveLength(1);
  });
});
