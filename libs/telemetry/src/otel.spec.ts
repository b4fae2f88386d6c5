import { ROOT_CONTEXT, context, propagation, trace } from '@opentelemetry/api';
import { shutdownTelemetry, startTelemetry } from './otel';

describe('startTelemetry without an exporter', () => {
  const saved = { ...process.env };
  beforeAll(() => {
    for (const k of ['OTEL_EXPORTER_OTLP_ENDPOINT', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_TRACES_EXPORTER', 'OTEL_TRACES_SAMPLER']) delete process.env[k];
    startTelemetry('otel-spec');
  });
  afterAll(async () => {
    await shutdownTelemetry();
    process.env = saved;
  });

  it('records nothing, but a span still continues its parent’s trace id and propagates it', () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const parent = propagation.extract(ROOT_CONTEXT, { traceparent: `00-${traceId}-00f067aa0ba902b7-01` });
    const span = trace.getTracer('spec').startSpan('work', {}, parent);
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe(traceId);
    const carrier: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), carrier);
    expect(carrier.traceparent).toContain(`-${traceId}-`);
    span.end();
  });

  it('gives a root span its own valid trace id for the logs', () => {
    const span = trace.getTracer('spec').startSpan('root');
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    span.end();
  });
});
