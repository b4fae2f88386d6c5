import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { KnowledgeBase, NluEngine, NluEngineOptions, NluModelJSON, TrainingExample } from '@omni/nlu';

export interface TrainingData {
  readonly examples: readonly TrainingExample[];
  readonly kb: Record<string, unknown> | KnowledgeBase | null;
  readonly options: Record<string, unknown> | NluEngineOptions;
}

/** Trains a tenant model. */
export interface ModelTrainer {
  /** For the start-up log. */
  readonly where: 'in a worker thread' | 'in process';
  train(data: TrainingData): Promise<NluEngine>;
}

function trainNow(data: TrainingData): NluEngine {
  return NluEngine.train(data.examples, data.kb as KnowledgeBase | null, data.options);
}

/** On the calling thread (specs, tsx): simple, but blocks the event loop for the training time. */
export class InProcessTrainer implements ModelTrainer {
  readonly where = 'in process';

  train(data: TrainingData): Promise<NluEngine> {
    try {
      return Promise.resolve(trainNow(data));
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
  }
}

const KIND = 'omni-nlu-training';

type Reply = { ok: true; model: NluModelJSON } | { ok: false; error: string };

/**
 * In a worker thread running the built main.js again (one bundle, no second entry point): the
 * Kafka consumer's heartbeats and the HTTP API keep running while a tenant model trains (seconds for
 * the demo, a minute for Banking77-size data on a busy machine). The model comes back as JSON.
 */
export class ThreadTrainer implements ModelTrainer {
  readonly where = 'in a worker thread';

  constructor(private readonly script: string) {}

  train(data: TrainingData): Promise<NluEngine> {
    return new Promise((resolve, reject) => {
      const worker = new Worker(this.script, { workerData: { kind: KIND, data } });
      let settled = false;
      worker.once('message', (reply: Reply) => {
        settled = true;
        if (reply.ok) resolve(NluEngine.fromJSON(reply.model));
        else reject(new Error(reply.error));
        void worker.terminate();
      });
      worker.once('error', (err: Error) => {
        settled = true;
        reject(err);
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`the training thread exited with code ${code} before answering`));
      });
    });
  }
}

/** True in a thread started by ThreadTrainer (main.ts then trains instead of starting the app). */
export function isTrainingThread(): boolean {
  return !isMainThread && (workerData as { kind?: string } | null)?.kind === KIND;
}

/** The training thread's whole job: train, post the model (or the error), end. */
export function runTrainingThread(): void {
  const { data } = workerData as { data: TrainingData };
  let reply: Reply;
  try {
    reply = { ok: true, model: trainNow(data).toJSON() };
  } catch (err) {
    reply = { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
  parentPort?.postMessage(reply);
}

/**
 * The built app trains in a thread (main.js can be started again as one); specs and tsx, which run
 * TypeScript sources a worker could not load, train in process. In the bundle `__filename` is main.js
 * (webpack `node.__filename: false`); webpack rewrites `require.main`, so that cannot tell.
 */
export function defaultTrainer(entry: string | undefined = __filename): ModelTrainer {
  return entry?.endsWith('.js') ? new ThreadTrainer(entry) : new InProcessTrainer();
}
