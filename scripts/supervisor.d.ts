// Types of scripts/supervisor.js (CommonJS, loaded by up.mjs and by the unit tests).
import type { ChildProcess } from 'node:child_process';

export interface BackoffOptions {
  /** First restart delay (default 1000 ms); doubles per consecutive failure. */
  initialBackoffMs?: number;
  /** Upper bound of the delay (default 30000 ms). */
  maxBackoffMs?: number;
}

export interface SupervisorOptions extends BackoffOptions {
  /** Spawns the child; called again for every restart. */
  start: () => ChildProcess;
  /** A run that stayed up this long resets the backoff to initialBackoffMs (default 60000 ms). */
  resetAfterMs?: number;
  /** stop() sends SIGKILL when the child has not exited this long after the stop signal (default 15000 ms). */
  killAfterMs?: number;
  /** After every spawn; restarts = 0 for the first. */
  onStart?: (proc: ChildProcess, restarts: number) => void;
  /** The child exited while not stopping; it is started again after delayMs. */
  onExit?: (info: ExitInfo) => void;
  /** The child process emitted 'error' (e.g. it could not be spawned). */
  onError?: (err: Error) => void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  uptimeMs: number;
  /** 1 for the first restart. */
  restart: number;
  delayMs: number;
}

export interface Supervised {
  /** The child currently running (or the last one, while a restart is pending). */
  readonly proc: ChildProcess;
  readonly restarts: number;
  readonly stopping: boolean;
  /** No restart from now on; ends the running child and resolves once it has exited. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export const DEFAULTS: Required<BackoffOptions> & { resetAfterMs: number; killAfterMs: number };
export function backoffDelay(consecutive: number, options?: BackoffOptions): number;
export function supervise(options: SupervisorOptions): Supervised;
