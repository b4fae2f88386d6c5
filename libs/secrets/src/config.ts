import { z } from 'zod';
import { LocalKms, parseKek } from './kms';

const kek = z.string().refine((v) => { try { parseKek(v); return true; } catch { return false; } }, '<id>:<base64 of 32 random bytes>');

/**
 * The KEK env of every app that reads or writes channel credentials. SECRETS_KEK is required outside
 * the demo/test profiles (no default secret in production); rotation: put the new KEK in SECRETS_KEK and
 * the old one in SECRETS_KEK_PREVIOUS until the router has rewrapped every data key (it logs when done).
 */
export const SecretsEnvShape = {
  SECRETS_KEK: kek,
  SECRETS_KEK_PREVIOUS: z.string().optional().transform((v, ctx) => {
    const list = (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const p of list) {
      try { parseKek(p); } catch { ctx.addIssue({ code: 'custom', message: 'comma-separated <id>:<base64 of 32 random bytes>' }); }
    }
    return list;
  }),
};

/**
 * The demo/test profiles' KEK (loadConfig fills it only there): a published value, so nothing
 * encrypted under it is secret — fine for the local demo's placeholder credentials only.
 */
export const DEMO_SECRETS_KEK = `demo:${Buffer.alloc(32, 'omni-demo-kek').toString('base64')}`;

export function kmsFromConfig(c: { SECRETS_KEK: string; SECRETS_KEK_PREVIOUS: string[] }): LocalKms {
  return new LocalKms(c.SECRETS_KEK, c.SECRETS_KEK_PREVIOUS);
}
