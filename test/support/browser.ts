import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Browser, chromium } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (no downloaded browser). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
    ],
  });
}

/**
 * Runs a browser test body; when it fails, every open page's screenshot and HTML are saved under
 * `dir` as `<name>-<n>.png|html` (the test reports), then the failure is thrown on unchanged.
 */
export async function withFailureArtifacts(browser: Browser, dir: string, name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    mkdirSync(dir, { recursive: true });
    const pages = browser.contexts().flatMap((c) => c.pages());
    await Promise.all(pages.map(async (page, i) => {
      const file = resolve(dir, `${name}-failed-${i}`);
      await page.screenshot({ path: `${file}.png`, fullPage: true, timeout: 10_000 }).catch(() => undefined);
      await page.content().then((html) => writeFileSync(`${file}.html`, `<!-- ${page.url()} -->\n${html}`), () => undefined);
    }));
    throw err;
  }
}
