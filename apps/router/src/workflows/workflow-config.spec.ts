import { matchWorkflow, workflowConfig } from './workflow-config';

const order = { type: 'order_number', value: 'ORD-12345', start: 0, end: 9 };
const ai = (name: string | null, confidence = 0.9, entities = [order]) => ({ intent: name ? { name, confidence } : null, entities });

describe('matchWorkflow', () => {
  const config = workflowConfig({});
  it.each([
    ['order status with a number', ai('order_status'), 'where is ORD-12345', { workflow: 'lookup_order', inputs: { orderNumber: 'ORD-12345' } }],
    ['refund with a number', ai('refund'), 'refund ORD-12345', { workflow: 'start_refund', inputs: { orderNumber: 'ORD-12345' } }],
    ['complaint', ai('complaint', 0.9, []), 'the box was wet', { workflow: 'create_ticket', inputs: { description: 'the box was wet' } }],
    ['order status without a number: the bot asks', ai('order_status', 0.9, []), 'where is my order', null],
    ['low confidence', ai('order_status', 0.4), 'order?', null],
    ['no rule', ai('shipping_time'), 'how long', null],
    ['no intent', ai(null), '???', null],
  ])('%s', (_name, r, text, expected) => {
    const m = matchWorkflow(config, r, text);
    if (expected === null) expect(m).toBeNull();
    else expect(m).toMatchObject(expected);
  });

  it('follows the tenant’s rules and switch', () => {
    expect(matchWorkflow(workflowConfig({ rules: [{ intent: 'where_is_it', workflow: 'lookup_order' }] }), ai('where_is_it'))).toMatchObject({ workflow: 'lookup_order' });
    expect(matchWorkflow(workflowConfig({ enabled: false }), ai('order_status'))).toBeNull();
  });

  it('rejects a bad config with the paths', () => {
    expect(() => workflowConfig({ connectorBaseUrl: 'ftp://x', rules: [{ intent: 'a', workflow: 'launch_rocket' }] })).toThrow(expect.objectContaining({
      code: 'validation_failed', issues: expect.arrayContaining([expect.objectContaining({ path: 'connectorBaseUrl' }), expect.objectContaining({ path: 'rules.0.workflow' })]),
    }));
  });
});
