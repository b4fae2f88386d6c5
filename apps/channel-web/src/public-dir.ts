import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The demo page and widget: copied next to the bundle by the build, or read from the source tree. */
export function publicDir(): string {
  const candidates = [process.env.WEB_PUBLIC_DIR, resolve(__dirname, 'public'), resolve(__dirname, '../public')].filter(Boolean) as string[];
  const found = candidates.find((c) => existsSync(resolve(c, 'widget.js')));
  if (!found) throw new Error(`channel-web: no public/ folder with widget.js among ${candidates.join(', ')}`);
  return found;
}
