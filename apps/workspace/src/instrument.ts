// First import of main.ts: tracing must be running before Nest and the instrumented libraries load.
import { startTelemetry } from '@omni/telemetry';

startTelemetry('workspace');
