import { NodeSDK } from '@opentelemetry/sdk-node';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, NoopSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { MongoDBInstrumentation } from '@opentelemetry/instrumentation-mongodb';
import { MongooseInstrumentation } from '@opentelemetry/instrumentation-mongoose';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import type { IncomingMessage } from 'node:http';

let sdk: NodeSDK | undefined;

const QUIET_PATHS = ['/health/live', '/health/ready', '/metrics'];

/**
 * Starts the OpenTelemetry Node SDK. Must run before Nest and the instrumented libraries are loaded
 * (each app's `instrument.ts` is its first import). The exporter follows the standard OTEL_* variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL grpc | http/protobuf | http/json,
 * OTEL_TRACES_SAMPLER...). Without an endpoint nothing is exported or recorded, but every span still
 * has a trace id (non-recording spans), so trace ids reach logs and Kafka headers.
 *
 * kafkajs is traced by libs/messaging itself, not by @opentelemetry/instrumentation-kafkajs: the
 * publisher batches records of many callers into one sendBatch, and the instrumentation would give
 * them all the first caller's parent (see docs/adr/0004-kafka-tracing-in-the-binding.md).
 */
export function startTelemetry(serviceName: string): void {
  if (sdk) return;
  // One name for traces and for every log line of this process (libs log through rootLogger()).
  process.env.OTEL_SERVICE_NAME ??= serviceName;
  const exporting = Boolean(
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || process.env.OTEL_TRACES_EXPORTER,
  );
  if (!exporting) process.env.OTEL_TRACES_EXPORTER = 'none';
  // Metrics are served by prom-client on /metrics; logs go to stdout as JSON (pino).
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  // Nothing exported: the SDK would register no tracer at all (sdk-node skips the provider without a
  // span processor), so a request that came without a traceparent had the all-zero trace id in its logs
  // and Kafka headers. A provider that samples nothing gives every span a real trace id (a parent's is
  // continued) and records nothing; the MongoDB statement is not serialized for a span nobody reads
  // (that serializer alone was 5% of the router's CPU under load, ADR 0011 fifth step).
  // OTEL_TRACES_SAMPLER, when the operator sets it, still wins.
  const quiet = exporting ? {} : { spanProcessors: [new NoopSpanProcessor()], ...(process.env.OTEL_TRACES_SAMPLER ? {} : { sampler: new AlwaysOffSampler() }) };
  sdk = new NodeSDK({
    resource: resourceFromAttributes({
      [ATTR_SERVICE_NAME]: process.env.OTEL_SERVICE_NAME,
      [ATTR_SERVICE_VERSION]: process.env.npm_package_version ?? '0.1.0',
      'service.namespace': 'omni',
      'cloud.region': process.env.REGION ?? 'local',
    }),
    ...quiet,
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req: IncomingMessage) => QUIET_PATHS.some((p) => req.url?.startsWith(p)),
      }),
      new MongoDBInstrumentation(exporting ? {} : { dbStatementSerializer: () => '' }),
      new MongooseInstrumentation(),
      new GrpcInstrumentation(),
    ],
  });
  sdk.start();
}

/** Flushes pending spans; called on shutdown after the app has drained. */
export async function shutdownTelemetry(): Promise<void> {
  const current = sdk;
  sdk = undefined;
  await current?.shutdown().catch(() => undefined);
}
