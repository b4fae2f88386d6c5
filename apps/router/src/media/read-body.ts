import type { Request } from 'express';
import { OmniError } from '@omni/contracts';

/**
 * The raw request body up to `maxBytes` (the JSON parser leaves other content types unread). A larger
 * declared or streamed body is a 413: the rest is drained unbuffered, so the answer reaches the client.
 */
export function readBody(req: Request, maxBytes: number): Promise<Buffer> {
  const tooLarge = () => new OmniError('payload_too_large', `the upload exceeds MEDIA_MAX_BYTES (${maxBytes} bytes)`, false);
  return new Promise((resolve, reject) => {
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      req.resume();
      reject(tooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      reject(tooLarge());
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
