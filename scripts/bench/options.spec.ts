import { parseOptions } from './options';

describe('bench options', () => {
  it('runs every section and channel with the full profile by default', () => {
    const o = parseOptions([], {});
    expect(o).not.toBe('help');
    if (o === 'help') return;
    expect([...o.sections]).toEqual(['webchat', 'kafka', 'ingest', 'outbound', 'replicas', 'email', 'conversation', 'workspace']);
    expect(o.channels).toEqual(['whatsapp', 'messenger', 'telegram']);
    expect(o).toMatchObject({ quick: false, ingestRate: 1_000, sessions: 40, loadSeconds: 75, emailConnections: 8, emailRate: 50, convCustomers: 600, convRate: 60 });
  });

  it('shortens the phases with --quick and keeps env knobs above the profile', () => {
    const o = parseOptions(['--quick'], { BENCH_SESSIONS: '7' });
    if (o === 'help') throw new Error('unexpected help');
    expect(o).toMatchObject({ quick: true, sessions: 7, loadSeconds: 20, ingestSeconds: 5, outboundSeconds: 5 });
  });

  it("plays Meta's status webhooks in the conversation section unless BENCH_CONV_STATUSES=0", () => {
    const on = parseOptions(['--quick'], {});
    const off = parseOptions(['--quick'], { BENCH_CONV_STATUSES: '0' });
    if (on === 'help' || off === 'help') throw new Error('unexpected help');
    expect([on.convStatuses, off.convStatuses]).toEqual([true, false]);
    expect(() => parseOptions([], { BENCH_CONV_STATUSES: 'maybe' })).toThrow(/BENCH_CONV_STATUSES must be 1 or 0/);
  });

  it('selects sections and channels', () => {
    const o = parseOptions(['--only', 'ingest, outbound', '--channels=telegram'], {});
    if (o === 'help') throw new Error('unexpected help');
    expect([...o.sections]).toEqual(['ingest', 'outbound']);
    expect(o.channels).toEqual(['telegram']);
  });

  it('refuses what it does not know, with the usage', () => {
    expect(() => parseOptions(['--only', 'ingest,speed'], {})).toThrow(/unknown section: speed[\s\S]*usage/);
    expect(() => parseOptions(['--channels', 'fax'], {})).toThrow(/unknown channel: fax/);
    expect(() => parseOptions(['--fast'], {})).toThrow();
    expect(() => parseOptions([], { BENCH_INGEST_RATE: 'lots' })).toThrow(/BENCH_INGEST_RATE/);
    expect(parseOptions(['--help'], {})).toBe('help');
  });
});
