import { Logger } from '@nestjs/common';
import type { AiRequest, Attachment } from '@omni/contracts';
import type { MediaStore } from '@omni/channel-kit';
import type { Transcriber } from './transcriber.port';

/** The OpenAI transcription endpoint's upload limit. */
export const MAX_AUDIO_BYTES = 25 * 1024 * 1024;

/** File extensions by MIME type: transcription servers pick the decoder from the file name. */
const EXTENSIONS: Readonly<Record<string, string>> = {
  'audio/ogg': 'ogg', 'audio/opus': 'ogg', 'audio/mpeg': 'mp3', 'audio/mp3': 'mp3', 'audio/mp4': 'm4a', 'audio/m4a': 'm4a', 'audio/x-m4a': 'm4a',
  'audio/aac': 'aac', 'audio/wav': 'wav', 'audio/x-wav': 'wav', 'audio/wave': 'wav', 'audio/webm': 'webm', 'audio/amr': 'amr', 'audio/flac': 'flac',
};

export type Heard = { transcript: string; reason: string } | { failure: string };

/**
 * Reads a voice note from the media store (the channel app stored it; the event carries its
 * `storeId`) and has the configured provider transcribe it. Every way this can fail — not stored,
 * too large, provider down or breaker open, nothing said — comes back as a `failure` for the
 * handoff note, never as an exception: the customer then gets a person, not an error.
 */
export class VoiceNotes {
  private readonly logger = new Logger(VoiceNotes.name);

  constructor(
    private readonly transcriber: Transcriber,
    private readonly media: MediaStore,
  ) {}

  async transcribe(request: AiRequest): Promise<Heard> {
    const audio = (request.attachments ?? []).filter((a) => a.kind === 'audio');
    const stored = audio.find((a) => a.storeId);
    if (!stored?.storeId) return { failure: audio[0]?.storeError ? `the voice note was not stored: ${audio[0].storeError.reason}` : 'the voice note is not in the media store' };
    try {
      const file = await this.media.get(request.tenantId, stored.storeId);
      if (!file) return { failure: 'the voice note is not in the media store' };
      if (file.content.length > MAX_AUDIO_BYTES) return { failure: `the voice note is too large to transcribe (${file.content.length} bytes)` };
      const mime = (file.mime || stored.mime).split(';')[0]?.trim().toLowerCase() ?? 'audio/ogg';
      const transcript = (await this.transcriber.transcribe({ tenantId: request.tenantId, audio: file.content, mime, filename: filename(stored, mime) })).trim();
      if (!transcript) return { failure: 'nothing was understood in the voice note' };
      return { transcript, reason: `voice note transcribed by ${this.transcriber.name} (${transcript.length} characters): understood from the transcript` };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      this.logger.warn({ conversationId: request.conversationId, messageId: request.messageId, err: why }, 'voice note not transcribed, handed to a person');
      return { failure: `${this.transcriber.name}: ${why}` };
    }
  }
}

function filename(a: Attachment, mime: string): string {
  const ext = EXTENSIONS[mime] ?? 'ogg';
  const given = a.filename?.replace(/[^\w.-]+/g, '_');
  return given && /\.\w{2,5}$/.test(given) ? given : `voice-note.${ext}`;
}
