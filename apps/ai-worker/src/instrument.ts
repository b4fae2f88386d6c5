// First import of main.ts: tracing must be running before Nest and the instrumented libraries load.
// Not in a training thread (nlu/trainer.ts), which only trains a model and posts it back.
import { isMainThread } from 'node:worker_threads';
import { startTelemetry } from '@omni/telemetry';

if (isMainThread) startTelemetry('ai-worker');
