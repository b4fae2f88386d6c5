// One build for every app: dist/apps/<app>/main.js (the Nest monorepo layout; what a container runs).
// swc-loader transpiles (type checking is `npm run typecheck`), node_modules stay external so
// OpenTelemetry's require hooks see kafkajs, mongodb, http and grpc.
// `npm run build` builds all apps in one webpack run; `nest build <app>` uses the same rules.
const path = require('node:path');
const nodeExternals = require('webpack-node-externals');
const CopyPlugin = require('copy-webpack-plugin');
const { compilerOptions } = require('./tsconfig.json');

// Every folder apps/<app>/src/main.ts is an app.
const APPS = require('node:fs')
  .readdirSync(path.resolve(__dirname, 'apps'))
  .filter((a) => require('node:fs').existsSync(path.resolve(__dirname, 'apps', a, 'src', 'main.ts')))
  .sort();

const alias = {};
for (const [key, [target]] of Object.entries(compilerOptions.paths)) {
  if (!key.endsWith('/*')) alias[key + '$'] = path.resolve(__dirname, target, 'index.ts');
  else alias[key.slice(0, -2)] = path.resolve(__dirname, target.slice(0, -2));
}

const swc = {
  loader: 'swc-loader',
  options: {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2023',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: true,
  },
};

// Data files an app reads at run time, copied next to its main.js.
const ASSETS = {
  // The demo tenant's training data and KB: the AI worker trains its model from them at start (ADR 0103).
  // … and the word-vector table its intent classifier reads (libs/nlu/src/embeddings.ts, ADR 0100).
  'ai-worker': [
    { from: path.resolve(__dirname, 'libs/nlu/data/demo-tenant'), to: 'nlu/demo-tenant', globOptions: { ignore: ['**/test.jsonl'] } },
    { from: path.resolve(__dirname, 'libs/nlu/data/embeddings'), to: 'nlu/embeddings' },
  ],
  // The gRPC server loads the ★ proto at run time.
  router: [{ from: path.resolve(__dirname, 'libs/contracts/proto'), to: 'proto' }],
  // The agents' workspace bundle, built by Vite (ADR 0700) before this app is built.
  workspace: [{ from: path.resolve(__dirname, 'dist/workspace-web'), to: 'public' }],
};

/** Builds the workspace's browser bundle with Vite (once per webpack run, before the copy above). */
class ViteBuild {
  apply(compiler) {
    compiler.hooks.beforeRun.tap('ViteBuild', () => {
      const r = require('node:child_process').spawnSync(process.execPath, [path.resolve(__dirname, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'apps/workspace/vite.config.mts'], {
        cwd: __dirname, stdio: 'inherit',
      });
      if (r.status !== 0) throw new Error(`vite build of the workspace exited with ${r.status ?? r.signal}`);
    });
  }
}

function configFor(app) {
  const plugins = [];
  const patterns = [...(ASSETS[app] || [])];
  const publicDir = path.resolve(__dirname, 'apps', app, 'public');
  if (require('node:fs').existsSync(publicDir)) patterns.push({ from: publicDir, to: 'public' });
  if (app === 'workspace') plugins.push(new ViteBuild());
  if (patterns.length) plugins.push(new CopyPlugin({ patterns }));
  return {
    name: app,
    target: 'node',
    mode: 'none',
    devtool: 'source-map',
    entry: path.resolve(__dirname, 'apps', app, 'src', 'main.ts'),
    output: { path: path.resolve(__dirname, 'dist', 'apps', app), filename: 'main.js', clean: true },
    resolve: { extensions: ['.ts', '.js', '.json'], alias },
    externals: [nodeExternals({ modulesDir: path.resolve(__dirname, 'node_modules') })],
    externalsPresets: { node: true },
    module: { rules: [{ test: /\.ts$/, exclude: /node_modules/, use: swc }] },
    optimization: { nodeEnv: false, minimize: false },
    node: { __dirname: false, __filename: false },
    plugins,
    stats: 'errors-warnings',
    ignoreWarnings: [/Critical dependency/],
  };
}

// Called by `nest build <app>` as a function of Nest's defaults; by webpack-cli with no argument.
module.exports = (nestDefaults) => {
  if (nestDefaults && nestDefaults.entry) {
    const entry = String(Array.isArray(nestDefaults.entry) ? nestDefaults.entry[0] : nestDefaults.entry);
    const app = APPS.find((a) => entry.includes(path.join('apps', a))) || APPS[0];
    return configFor(app);
  }
  const only = process.env.APPS ? process.env.APPS.split(',') : APPS;
  return only.map(configFor);
};
module.exports.APPS = APPS;
