import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Api } from './api';
import { Lang, T, duration } from './i18n';
import { explain } from './errors';
import { ConversationReport, DayRow, ExperimentReport, NluReport, SEGMENTS, VariantRow, biasFlags, dayRanges, dayRow, reportCsv, segmentRows, variantRows } from './report-figures';
import { saveFile } from './save-file';

/** Report requests at once (one per day, and the period's). */
const PARALLEL = 4;

async function limited<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += PARALLEL) out.push(...(await Promise.all(items.slice(i, i + PARALLEL).map(run))));
  return out;
}

/**
 * The supervisor's reports (loaded only when opened: uPlot stays out of the first screen's bundle):
 * first response and resolution (medians) and containment per day on a uPlot chart; first response,
 * the agent's first reply, resolution, the resolution SLA, containment and CSAT per channel, language
 * and group (the period report's `by`: one request, not one per channel); the NLU's accuracy per language with the bias flag
 * (from the AI worker), the A/B experiments per variant with their 95% intervals, and the whole as CSV.
 */
export function Reports({ api, t, lang }: { api: Api; t: T; lang: Lang }) {
  const [days, setDays] = useState(7);
  const [rows, setRows] = useState<DayRow[]>([]);
  const [total, setTotal] = useState<ConversationReport | null>(null);
  const [experiments, setExperiments] = useState<ExperimentReport[]>([]);
  const [nlu, setNlu] = useState<NluReport | null>(null);
  const [nluError, setNluError] = useState('');
  const [error, setError] = useState('');
  const [loading, setLoading] = useState(true);
  const chart = useRef<HTMLDivElement>(null);

  useEffect(() => {
    let current = true;
    setLoading(true);
    const ranges = dayRanges(days, Date.now());
    const range = { from: ranges[0]!.from, to: ranges.at(-1)!.to };
    const get = (q: Record<string, string>) => api.call<ConversationReport>('GET', `/v1/reports/conversations?${new URLSearchParams(q).toString()}`);
    Promise.all([limited(ranges, (r) => get(r)), get(range)]).then(([daily, all]) => {
      if (!current) return;
      setRows(daily.map(dayRow));
      setTotal(all);
      setError('');
    }, (e: unknown) => { if (current) setError(explain(t, e)); }).finally(() => { if (current) setLoading(false); });
    return () => { current = false; };
  }, [days]);

  // The NLU over the same period, from the AI worker (its own proxy: a failure there leaves the rest).
  useEffect(() => {
    let current = true;
    const ranges = dayRanges(days, Date.now());
    api.call<NluReport>('GET', `/ai/v1/nlu/report?${new URLSearchParams({ from: ranges[0]!.from, to: ranges.at(-1)!.to }).toString()}`)
      .then((r) => { if (current) { setNlu(r); setNluError(''); } }, (e: unknown) => { if (current) setNluError(explain(t, e)); });
    return () => { current = false; };
  }, [days]);

  // The tenant's experiments (at most 10), each with its per-variant report.
  useEffect(() => {
    let current = true;
    api.call<{ experimentId: string }[]>('GET', '/v1/experiments')
      .then((list) => limited(list.slice(0, 10), (e) => api.call<ExperimentReport>('GET', `/v1/experiments/${encodeURIComponent(e.experimentId)}/report`)))
      .then((reports) => { if (current) setExperiments(reports); }, (e: unknown) => { if (current) setError(explain(t, e)); });
    return () => { current = false; };
  }, []);

  useEffect(() => {
    const el = chart.current;
    if (!el || !rows.length) return undefined;
    const x = rows.map((r) => Date.parse(`${r.day}T00:00:00Z`) / 1000);
    const plot = new uPlot({
      width: Math.max(320, el.clientWidth), height: 260, legend: { show: false },
      scales: { x: { time: true }, s: { auto: true }, pct: { range: [0, 100] } },
      axes: [{}, { scale: 's', label: t('seconds') }, { scale: 'pct', side: 1, label: '%', grid: { show: false } }],
      series: [
        {},
        { label: t('firstResponse'), scale: 's', stroke: '#3056a0', width: 2, spanGaps: true },
        { label: t('resolutionTime'), scale: 's', stroke: '#8a3b00', width: 2, spanGaps: true },
        { label: t('containment'), scale: 'pct', stroke: '#059669', width: 2, dash: [6, 4], spanGaps: true },
      ],
    }, [x, rows.map((r) => r.firstResponseP50), rows.map((r) => r.resolutionP50), rows.map((r) => (r.containment === null ? null : r.containment * 100))], el);
    return () => plot.destroy();
  }, [rows, lang]);

  const secs = (s: number | null) => (s === null ? '—' : duration(lang, s * 1000));
  const pct = (r: number | null) => (r === null ? '—' : new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 }).format(r));
  const score = (m: number | null) => (m === null ? '—' : new Intl.NumberFormat(lang, { maximumFractionDigits: 2 }).format(m));
  const variants: VariantRow[] = experiments.flatMap((r) => variantRows(r, { pct: (x) => pct(x), num: (x) => score(x), secs: (x) => secs(x) }));
  const exportCsv = () => saveFile(new Blob([reportCsv(rows, total)], { type: 'text/csv' }), `omni-report-${rows[0]?.day ?? ''}-${rows.at(-1)?.day ?? ''}.csv`);

  return (
    <main class="reports" aria-label={t('reports')} aria-busy={loading}>
      <div class="actions">
        <label>{t('period')}
          <select value={days} onChange={(e) => setDays(Number((e.currentTarget).value))} data-testid="report-days">
            {[7, 14, 30].map((n) => <option key={n} value={n}>{t('lastDays', { n: String(n) })}</option>)}
          </select>
        </label>
        <button onClick={exportCsv} disabled={loading || !rows.length} data-testid="export-csv">{t('exportCsv')}</button>
      </div>
      {error && <p class="error" role="alert">{error}</p>}
      {total && (
        <div class="tiles">
          <div class="tile"><span class="big" data-testid="report-total">{total.conversations}</span><span>{t('conversations')}</span></div>
          <div class="tile"><span class="big">{secs(total.firstResponse.p50Seconds)}</span><span>{t('firstResponse')}</span></div>
          <div class="tile"><span class="big">{secs(total.resolution.p50Seconds)}</span><span>{t('resolutionTime')}</span></div>
          <div class="tile"><span class="big">{pct(total.containment.rate)}</span><span>{t('containment')}</span></div>
          <div class={`tile${total.resolutionSla.breached ? ' breached' : ''}`}><span class="big" data-testid="report-resolution-breaches">{total.resolutionSla.breached}</span><span>{t('resolutionBreaches')} ({total.resolutionSla.met + total.resolutionSla.breached})</span></div>
          <div class="tile"><span class="big">{score(total.csat.mean)}</span><span>{t('csat')} (n={total.csat.n})</span></div>
        </div>
      )}
      <section class="card">
        <h3>{t('overTime')}</h3>
        <p class="muted legend">
          <span class="key fr">{t('firstResponse')}</span> <span class="key res">{t('resolutionTime')}</span> <span class="key cont">{t('containment')} (%)</span>
        </p>
        <div ref={chart} class="chart" role="img" aria-label={t('overTime')} data-testid="report-chart" />
      </section>
      {SEGMENTS.map((section) => {
        const segmentRowsOf = segmentRows(total, section);
        return (
          <section class="card" key={section}>
            <h3>{t(section === 'channel' ? 'reportByChannel' : section === 'language' ? 'reportByLanguage' : 'reportByGroup')}</h3>
            <table data-testid={`report-${section}s`}>
              <thead><tr>
                <th scope="col">{t(section)}</th><th scope="col">{t('conversations')}</th><th scope="col">{t('firstResponse')}</th><th scope="col">{t('agentFirstResponse')}</th>
                <th scope="col">{t('resolutionTime')}</th><th scope="col">{t('resolutionBreaches')}</th><th scope="col">{t('containment')}</th><th scope="col">{t('csat')}</th>
              </tr></thead>
              <tbody>
                {segmentRowsOf.length ? segmentRowsOf.map((r) => (
                  <tr key={r.key} data-key={r.key}>
                    <th scope="row">{r.key}</th><td>{r.conversations}</td><td>{secs(r.firstResponseP50)}</td><td>{secs(r.agentFirstResponseP50)}</td><td>{secs(r.resolutionP50)}</td>
                    <td class={r.resolutionBreached ? 'breached' : ''}>{r.resolutionBreached}/{r.resolutionJudged}</td><td>{pct(r.containment)}</td><td>{score(r.csatMean)} (n={r.csatN})</td>
                  </tr>
                )) : <tr><td colSpan={8} class="muted">{t('none')}</td></tr>}
              </tbody>
            </table>
          </section>
        );
      })}
      <section class="card">
        <h3>{t('nluByLanguage')}</h3>
        {nluError && <p class="error" role="alert">{nluError}</p>}
        {nlu && biasFlags(nlu).map((f) => (
          <p class="warning" role="status" key={f.language} data-testid="bias-flag">
            {t(f.by === 'accuracy' ? 'biasAccuracy' : 'biasHandoff', { language: f.language, points: String(Math.round(f.gap * 100)) })}
          </p>
        ))}
        <table data-testid="report-nlu">
          <thead><tr><th scope="col">{t('language')}</th><th scope="col">{t('predictions')}</th><th scope="col">{t('accuracy')}</th><th scope="col">{t('answeredRate')}</th><th scope="col">{t('handoffRate')}</th><th scope="col">{t('csat')}</th></tr></thead>
          <tbody>
            {nlu?.byLanguage.length ? nlu.byLanguage.map((l) => (
              <tr key={l.language} data-language={l.language}><th scope="row">{l.language}</th><td>{l.predictions}</td><td>{pct(l.accuracy)} (n={l.labelled})</td><td>{pct(l.outcomes.answeredRate)}</td><td>{pct(l.outcomes.handoffRate)}</td><td>{score(l.outcomes.csat.mean)} (n={l.outcomes.csat.rated})</td></tr>
            )) : <tr><td colSpan={6} class="muted">{t('none')}</td></tr>}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h3>{t('experiments')}</h3>
        <p class="muted">{t('experimentsNote')}</p>
        <table data-testid="report-experiments">
          <thead><tr><th scope="col">{t('experiment')}</th><th scope="col">{t('variant')}</th><th scope="col">{t('conversations')}</th><th scope="col">{t('containment')}</th><th scope="col">{t('csat')}</th><th scope="col">{t('resolutionTime')}</th></tr></thead>
          <tbody>
            {variants.length ? variants.map((v) => (
              <tr key={`${v.experimentId}/${v.variantId}`} data-variant={`${v.experimentId}/${v.variantId}`}><th scope="row">{v.experimentId}</th><td>{v.variantId}</td><td>{v.conversations}</td><td>{v.containment}</td><td>{v.csat}</td><td>{v.resolution}</td></tr>
            )) : <tr><td colSpan={6} class="muted">{t('none')}</td></tr>}
          </tbody>
        </table>
      </section>
    </main>
  );
}
