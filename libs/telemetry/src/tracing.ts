import {
  Context, Span, SpanKind, SpanStatusCode, context, propagation, trace, ROOT_CONTEXT,
} from '@opentelemetry/api';

/** Tracing helpers: business code uses these, never a vendor SDK (STYLE.md §10). */
const tracer = () => trace.getTracer('omni-gateway');

export { SpanKind };

/** Runs fn inside a new span (child of `parent` or of the active context) and ends it. */
export async function withSpan<T>(
  name: string,
  kind: SpanKind,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
  parent: Context = context.active(),
): Promise<T> {
  const span = tracer().startSpan(name, { kind, attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}

/** Starts a span without making it active (for work that ends elsewhere, e.g. a batched send). */
export function startSpan(name: string, kind: SpanKind, attributes: Record<string, string | number | boolean>): Span {
  return tracer().startSpan(name, { kind, attributes }, context.active());
}

/** W3C trace-context headers (`traceparent`, `tracestate`) of a span, for a Kafka record. */
export function traceHeadersOf(span: Span): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(trace.setSpan(context.active(), span), carrier);
  return carrier;
}

/** The context a consumer continues: the producer's span as remote parent. */
export function contextFromHeaders(headers: { traceparent?: string; tracestate?: string }): Context {
  const carrier: Record<string, string> = {};
  if (headers.traceparent) carrier.traceparent = headers.traceparent;
  if (headers.tracestate) carrier.tracestate = headers.tracestate;
  return propagation.extract(ROOT_CONTEXT, carrier);
}

export function activeTraceIds(): { trace_id?: string; span_id?: string } {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const ctx = span.spanContext();
  return { trace_id: ctx.traceId, span_id: ctx.spanId };
}
