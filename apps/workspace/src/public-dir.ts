import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The Vite bundle: copied next to main.js by the build (webpack.config.js), or named by WORKSPACE_PUBLIC_DIR. */
export function publicDir(configured: string | undefined): string {
  const candidates = [configured, resolve(__dirname, 'public')].filter(Boolean) as string[];
  const found = candidates.find((c) => existsSync(resolve(c, 'index.html')));
  if (!found) throw new Error(`workspace: no built bundle (index.html) among ${candidates.join(', ')}; run npm run build`);
  return found;
}
