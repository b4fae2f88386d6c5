#!/usr/bin/env node
// Cheap checks of the chart without a cluster:  node deploy/helm/check.mjs
// - Chart.yaml and every values file parse (the `yaml` package);
// - every env key in values (env.*, apps.<app>.env.*) is a name the apps actually read (found in
//   apps/ and libs/ sources) or a standard OTEL_* variable: values map one-to-one to env names;
// - every `.Values.x.y` path used by a template exists in values.yaml;
// - with a `helm` binary on PATH (or HELM=/path/to/helm): `helm lint` and `helm template` per region,
//   and every rendered document parses.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

// The helm the chart is checked with when none is installed (built from the Go module proxy, below).
const HELM_VERSION = 'v3.21.4';
const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');
const CHART = join(ROOT, 'deploy/helm/omni-gateway');
const problems = [];
const ok = (msg) => process.stdout.write(`ok   ${msg}\n`);

function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sourceFiles(p);
    return /\.ts$/.test(e.name) && !/spec\.ts$/.test(e.name) ? [p] : [];
  });
}
const known = new Set();
for (const f of [...sourceFiles(join(ROOT, 'apps')), ...sourceFiles(join(ROOT, 'libs'))]) {
  const src = readFileSync(f, 'utf8');
  for (const m of src.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)) known.add(m[1]);
  for (const m of src.matchAll(/^\s+([A-Z][A-Z0-9_]+): z\./gm)) known.add(m[1]);
}
const isEnvName = (k) => known.has(k) || /^OTEL_[A-Z0-9_]+$/.test(k) || /^[A-Z0-9_]+_PORT$/.test(k);

const parse = (file) => YAML.parse(readFileSync(join(CHART, file), 'utf8'));
const chart = parse('Chart.yaml');
if (chart.apiVersion !== 'v2' || !chart.name || !chart.version) problems.push('Chart.yaml: apiVersion v2, name and version are required');
const base = parse('values.yaml');
const regions = readdirSync(CHART).filter((f) => /^values-.+\.yaml$/.test(f));
for (const file of ['values.yaml', ...regions]) {
  const v = parse(file);
  const envs = [['env', v.env ?? {}], ...Object.entries(v.apps ?? {}).map(([a, s]) => [`apps.${a}.env`, s?.env ?? {}])];
  for (const [where, env] of envs) {
    for (const k of Object.keys(env)) if (!isEnvName(k)) problems.push(`${file}: ${where}.${k} is not an env name the apps read`);
  }
  for (const k of Object.keys(v)) if (!(k in base)) problems.push(`${file}: top-level key "${k}" is not in values.yaml`);
  if (file !== 'values.yaml') {
    for (const need of ['REGION', 'KAFKA_BROKERS', 'MONGODB_URI']) if (!v.env?.[need]) problems.push(`${file}: env.${need} must be set per region`);
    // Production Kafka: TLS, SASL with a username (the password only in the Secret), topics with 3 replicas, 2 in sync.
    const env = { ...base.env, ...v.env };
    if (env.KAFKA_SSL !== 'true') problems.push(`${file}: env.KAFKA_SSL must be "true" in production`);
    if (env.KAFKA_SASL_MECHANISM && !env.KAFKA_SASL_USERNAME) problems.push(`${file}: env.KAFKA_SASL_USERNAME is required with KAFKA_SASL_MECHANISM`);
    if (Number(env.KAFKA_REPLICATION_FACTOR) < 3) problems.push(`${file}: env.KAFKA_REPLICATION_FACTOR must be at least 3 in production`);
    if (Number(env.KAFKA_MIN_INSYNC_REPLICAS) < 2) problems.push(`${file}: env.KAFKA_MIN_INSYNC_REPLICAS must be at least 2 in production`);
  }
  // The admin port (/metrics) is a port of its own in every pod, never one the Service publishes.
  const adminPort = Number(v.admin?.port ?? base.admin?.port);
  if (!Number.isInteger(adminPort) || adminPort < 1 || adminPort > 65535) problems.push(`${file}: admin.port must be a port number`);
  for (const [a, s] of Object.entries({ ...base.apps, ...v.apps })) {
    const spec = { ...base.apps?.[a], ...s };
    const published = [spec.port, ...(spec.service?.extraPorts ?? []).map((p) => p.port)].map(Number);
    if (published.includes(adminPort)) problems.push(`${file}: admin.port ${adminPort} is also a published port of ${a}`);
  }
  if (v.env && 'KAFKA_SASL_PASSWORD' in v.env) problems.push(`${file}: KAFKA_SASL_PASSWORD is a secret: it belongs in the Secret, not in values`);
  ok(`${file} parses`);
}

// values.schema.json (helm applies it on lint, template and install): it parses, and names every key of
// values.yaml and of each region's values (the region's pairs included), so a misspelt key fails here too.
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));
for (const file of ['values.yaml', ...regions]) {
  const v = parse(file);
  const walk = (node, sch, where) => {
    if (!sch || typeof node !== 'object' || node === null || Array.isArray(node) || sch.type !== 'object') return;
    for (const [k, val] of Object.entries(node)) {
      const sub = sch.properties?.[k] ?? (typeof sch.additionalProperties === 'object' ? sch.additionalProperties : undefined);
      if (!sub && sch.additionalProperties === false) problems.push(`${file}: ${where}${k} is not in values.schema.json`);
      walk(val, sub, `${where}${k}.`);
    }
  };
  walk(v, schema, '');
  // A region that runs MirrorMaker 2 pulls only from the peers its routers know (REGION_PEERS).
  const peers = String(v.env?.REGION_PEERS ?? '').split(',').filter(Boolean).map((p) => p.split('=')[0]);
  for (const p of v.mirrorMaker?.enabled ? v.mirrorMaker.peers ?? [] : []) {
    if (!peers.includes(p.alias)) problems.push(`${file}: mirrorMaker.peers ${p.alias} is not in env.REGION_PEERS`);
  }
}
ok('values.schema.json parses and names every key of every values file');

const get = (obj, path) => path.reduce((o, k) => (o && typeof o === 'object' && k in o ? o[k] : undefined), obj);
for (const t of readdirSync(join(CHART, 'templates'))) {
  const src = readFileSync(join(CHART, 'templates', t), 'utf8');
  for (const m of src.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)) {
    if (get(base, m[1].slice(1).split('.')) === undefined) problems.push(`templates/${t}: .Values${m[1]} is not in values.yaml`);
  }
}
ok('template value paths exist in values.yaml');

const helm = resolveHelm();
if (helm) {
  // Each region as shipped, and once more with every app and every optional object enabled.
  const everyApp = [
    ...Object.keys(base.apps).flatMap((app) => ['--set', `apps.${app}.enabled=true`]),
    '--set', 'ingress.enabled=true', '--set', 'ingress.host=chat.example.com', '--set', 'monitoring.serviceMonitor.enabled=true',
    '--set', 'monitoring.prometheusRule.enabled=true', '--set', 'monitoring.prometheusRule.lagExporter.enabled=true',
  ];
  for (const [file, extra] of [...regions.map((r) => [r, []]), [regions[0], everyApp]]) {
    // A `go install`ed helm assumes Kubernetes 1.20 unless told; render for a current cluster.
    const args = ['-f', join(CHART, file), '--kube-version', process.env.KUBE_VERSION ?? '1.30.0', ...extra];
    const lint = spawnSync(helm, ['lint', '--strict', CHART, ...args], { encoding: 'utf8' });
    if (lint.status !== 0) problems.push(`helm lint ${file}:\n${lint.stdout}${lint.stderr}`);
    const rendered = spawnSync(helm, ['template', 'omni', CHART, ...args], { encoding: 'utf8' });
    if (rendered.status !== 0) {
      problems.push(`helm template ${file}:\n${rendered.stderr}`);
      continue;
    }
    const out = rendered.stdout;
    const docs = YAML.parseAllDocuments(out).filter((d) => d.contents);
    const errors = docs.flatMap((d) => d.errors.map((e) => e.message));
    if (errors.length) problems.push(`helm template ${file}: ${errors.join('; ')}`);
    const kinds = docs.map((d) => d.toJS().kind).sort().join(', ');
    ok(`helm lint + template ${file}${extra.length ? ' (every app enabled)' : ''}: ${docs.length} documents (${kinds})`);
  }
} else {
  process.stdout.write('skip helm lint/template: no helm binary and no Go to build it (set HELM=/path/to/helm)\n');
}

/**
 * HELM, else `helm` on PATH, else helm built once from the Go module proxy into
 * ~/.cache/omni-gateway/helm/<version> (a few minutes the first time on a 2-core machine; CI runs
 * this on a fresh machine, so the chart is linted there too). OMNI_HELM_BUILD=off skips the build.
 */
function resolveHelm() {
  const works = (bin) => spawnSync(bin, ['version', '--short'], { encoding: 'utf8' }).status === 0;
  if (process.env.HELM) return works(process.env.HELM) ? process.env.HELM : null;
  if (works('helm')) return 'helm';
  const dir = join(homedir(), '.cache', 'omni-gateway', 'helm', HELM_VERSION);
  const cached = join(dir, 'helm');
  if (existsSync(cached) && works(cached)) return cached;
  if (process.env.OMNI_HELM_BUILD === 'off' || spawnSync('go', ['version']).status !== 0) return null;
  process.stdout.write(`building helm ${HELM_VERSION} from the Go module proxy into ${dir} (once per machine)\n`);
  const gopath = join(homedir(), '.cache', 'omni-gateway', 'go');
  const built = spawnSync('go', ['install', `helm.sh/helm/v3/cmd/helm@${HELM_VERSION}`], {
    encoding: 'utf8',
    env: { ...process.env, GOBIN: dir, GOPATH: gopath, GOMODCACHE: join(gopath, 'pkg', 'mod'), GOFLAGS: '-mod=mod' },
  });
  if (built.status !== 0) problems.push(`building helm ${HELM_VERSION} failed:\n${built.stderr.slice(-2000)}`);
  return built.status === 0 && works(cached) ? cached : null;
}

if (problems.length) {
  process.stderr.write(`${problems.map((p) => `FAIL ${p}`).join('\n')}\n`);
  process.exit(1);
}
