/** One voice note to transcribe (it leaves the process as is: audio cannot be redacted, ADR 0104). */
export interface TranscriptionRequest {
  readonly tenantId: string;
  readonly audio: Buffer;
  readonly mime: string;
  readonly filename: string;
}

/** Speech to text on an external provider (optional; without one, voice notes go to a person). */
export interface Transcriber {
  /** For reasons and logs, e.g. `openai-compatible:whisper-1`. */
  readonly name: string;
  transcribe(request: TranscriptionRequest): Promise<string>;
}

export const TRANSCRIBER = Symbol('Transcriber');
