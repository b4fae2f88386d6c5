import type { Consumer, Producer } from 'kafkajs';
import { counter } from '@omni/telemetry';

const requests = counter('omni_kafka_requests_total', 'Requests this process sent to Kafka brokers, by client role and API (Fetch, Produce, Heartbeat…)', ['client', 'api']);

/**
 * Counts every request a kafkajs client sends (its REQUEST instrumentation event). A broker's CPU
 * follows its request count more than its record count: one fetch answering one record costs about
 * what one answering a hundred does — this is how to see which client asks most.
 */
export function countRequests(client: Consumer | Producer, role: string): void {
  // Both clients emit REQUEST with the API's name; their typings declare `on` per event union.
  const emitter = client as unknown as { on(event: string, listener: (e: { payload: { apiName: string } }) => void): void };
  emitter.on(client.events.REQUEST, (e) => requests.inc({ client: role, api: e.payload.apiName }));
}
