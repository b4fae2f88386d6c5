import { parse } from 'yaml';
import { asyncApiYaml, buildAsyncApi } from './asyncapi';
import { EVENTS, EVENT_TYPES } from './catalog';

interface Channel { address: string; messages: Record<string, { $ref: string }> }

describe('buildAsyncApi', () => {
  const doc = buildAsyncApi('1.2.3') as { asyncapi: string; info: { version: string }; channels: Record<string, Channel>; operations: Record<string, unknown>; components: { messages: Record<string, { name: string; payload: { type?: string; required?: string[] } }> } };
  const addresses = Object.values(doc.channels).map((c) => c.address);
  const topics = [...new Set(EVENT_TYPES.flatMap((t) => [...EVENTS[t].topics]))];

  it('is an AsyncAPI 3 document of the given version', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.version).toBe('1.2.3');
  });

  it('has every topic and its dead-letter topic, and nothing else', () => {
    expect(topics).toEqual(expect.arrayContaining(['omni.inbound.v1', 'omni.status.v1', 'omni.ai.request.v1', 'omni.ai.result.v1', 'omni.conversation.v1', 'omni.outbound.whatsapp.v1']));
    expect(addresses.sort()).toEqual(topics.flatMap((t) => [t, `${t}.dlq`]).sort());
    for (const t of topics) expect(doc.operations).toHaveProperty(`send_${t.replace(/\./g, '_')}`);
  });

  it('describes one message per event type whose channels reference existing messages', () => {
    expect(Object.values(doc.components.messages).map((m) => m.name).sort()).toEqual([...EVENT_TYPES].sort());
    for (const c of Object.values(doc.channels)) {
      for (const m of Object.values(c.messages)) {
        expect(doc.components.messages).toHaveProperty(m.$ref.replace('#/components/messages/', ''));
      }
    }
    const inbound = Object.values(doc.components.messages).find((m) => m.name === 'omni.message.received.v1');
    expect(inbound?.payload.type).toBe('object');
    expect(inbound?.payload.required).toEqual(expect.arrayContaining(['tenantId', 'conversationId', 'customer', 'message']));
  });

  it('renders as YAML that parses back to the same document', () => {
    expect(parse(asyncApiYaml('1.2.3'))).toEqual(JSON.parse(JSON.stringify(buildAsyncApi('1.2.3'))));
  });
});
