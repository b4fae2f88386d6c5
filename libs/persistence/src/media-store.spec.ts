import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DiskMediaStore, MemoryMediaStore, type MediaStore, mimeAllowed, sha256Hex } from './media-store';

async function read(store: MediaStore, tenant: string, id: string): Promise<Buffer | null> {
  const opened = await store.open(tenant, id);
  if (!opened) return null;
  const chunks: Buffer[] = [];
  for await (const c of opened.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

interface Made {
  store: MediaStore;
  files: () => Promise<string[]>;
  done: () => Promise<void>;
}

describe.each([
  ['DiskMediaStore', async (): Promise<Made> => {
    const dir = await mkdtemp(join(tmpdir(), 'media-store-'));
    return { store: new DiskMediaStore(dir), files: async () => (await readdir(dir, { recursive: true })).filter((f) => /[a-f0-9]{64}/.test(f)), done: () => rm(dir, { recursive: true, force: true }) };
  }],
  ['MemoryMediaStore', async (): Promise<Made> => {
    const store = new MemoryMediaStore();
    return { store: store, files: async () => [...store.objects.keys()], done: async () => undefined };
  }],
])('%s', (_name, make) => {
  const pdf = Buffer.from('%PDF-1.7 a customer’s scan');
  const id = sha256Hex(pdf);

  it('opens a stream with the size and metadata, per tenant, and deletes idempotently', async () => {
    const { store, files, done } = await make();
    try {
      await store.put('t1', pdf, { mime: 'application/pdf', filename: 'scan.pdf', source: 'test' });
      await store.put('t2', pdf, { mime: 'application/pdf', source: 'test' });
      expect(await store.open('t1', id)).toMatchObject({ mime: 'application/pdf', filename: 'scan.pdf', size: pdf.length });
      expect((await read(store, 't1', id))?.equals(pdf)).toBe(true);
      expect(await store.open('t3', id)).toBeNull();
      expect(await store.delete('t1', id)).toBe(true);
      expect(await store.open('t1', id)).toBeNull();
      expect(await store.get('t1', id)).toBeNull();
      expect(await store.delete('t1', id)).toBe(false);
      expect((await read(store, 't2', id))?.equals(pdf)).toBe(true); // the other tenant's copy stays
      expect((await files()).length).toBeGreaterThan(0);
      await store.delete('t2', id);
      expect(await files()).toEqual([]);
    } finally {
      await done();
    }
  });
});

describe('DiskMediaStore ids', () => {
  it('never turns an id into a path outside its directory', async () => {
    const store = new DiskMediaStore(join(tmpdir(), 'never-created'));
    expect(await store.open('t1', '../../etc/passwd')).toBeNull();
    expect(await store.delete('t1', '../../etc/passwd')).toBe(false);
  });
});

describe('mimeAllowed', () => {
  it('matches exact types and type/* and ignores parameters and case', () => {
    expect(mimeAllowed('image/JPEG', ['image/*'])).toBe(true);
    expect(mimeAllowed('text/plain; charset=utf-8', ['text/plain'])).toBe(true);
    expect(mimeAllowed('text/html', ['text/plain', 'image/*'])).toBe(false);
  });
});
