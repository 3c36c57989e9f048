// Layer rules for src/ (docs/architecture.md): ui -> worker -> engine, one direction, no cycles.
// Run by `npm run arch` (part of `npm test`). Type-only imports count as dependencies (tsPreCompilationDeps):
// a layer that borrows another's types is coupled to it all the same.

// dependency-cruiser parses .ts/.tsx through TypeScript's JS compiler API (typescript 2 to 6; TypeScript 7 has none).
// Without it, it cruises no TypeScript file at all and reports success ("0 modules"): stop here instead.
const ts = require('typescript');
if (typeof ts.createSourceFile !== 'function' || Number(ts.version.split('.')[0]) >= 7) {
  throw new Error(
    `dependency-cruiser needs TypeScript's JS API (typescript 2 to 6) but node_modules/typescript is ${ts.version}: ` +
      'package.json keeps "typescript" on @typescript/typescript6 and TypeScript 7 (tsc) under "@typescript/native".',
  );
}

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a circle (types included): pull the shared part into a leaf module.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      comment: 'A module nothing imports and that imports nothing is dead code: delete it or import it.',
      from: { orphan: true, path: '^src/', pathNot: '\\.d\\.ts$' },
      to: {},
    },
    {
      name: 'engine-not-to-outer-layers',
      severity: 'error',
      comment: 'src/engine is plain TypeScript under the worker: it never imports the worker, the page or the service worker.',
      from: { path: '^src/engine/' },
      to: { path: '^src/(worker|ui|sw)/|^src/main\\.tsx$' },
    },
    {
      name: 'engine-not-to-react',
      severity: 'error',
      comment: 'src/engine has no React: it runs in the worker and under Node.',
      from: { path: '^src/engine/' },
      to: { path: '(^|/)node_modules/(react|react-dom|recharts)/' },
    },
    {
      name: 'ui-only-engine-config',
      severity: 'error',
      comment: 'The page reads only src/engine/config (tfjs-free data, types and validators); everything else goes through the worker.',
      from: { path: '^src/ui/|^src/main\\.tsx$' },
      to: { path: '^src/engine/', pathNot: '^src/engine/config/' },
    },
    {
      name: 'worker-only-engine-facade',
      severity: 'error',
      comment: 'The worker exposes the engine facade and registers kernels; it imports nothing else from src/engine.',
      from: { path: '^src/worker/' },
      to: {
        path: '^src/engine/',
        pathNot: '^src/engine/(services/engine\\.ts|kernels/registry\\.ts|config/)',
      },
    },
    {
      name: 'config-stays-pure',
      severity: 'error',
      comment: 'src/engine/config is what the page bundles: it imports only itself (no tfjs, no other engine code).',
      from: { path: '^src/engine/config/' },
      to: { path: '^src/|(^|/)node_modules/@tensorflow/', pathNot: '^src/engine/config/' },
    },
    {
      name: 'page-not-to-tfjs',
      severity: 'error',
      comment: 'tfjs loads only in the worker (new Worker(new URL(...)) is no import): nothing the page imports may reach it.',
      from: { path: '^src/main\\.tsx$' },
      to: { path: '(^|/)node_modules/@tensorflow/', reachable: true },
    },
    {
      name: 'sw-types-only',
      severity: 'error',
      comment: 'vite/serviceWorker.ts emits src/sw/sw.ts as one classic script with its import lines deleted: only types may be imported.',
      from: { path: '^src/sw/sw\\.ts$' },
      to: { dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'compact-loader-standalone',
      severity: 'error',
      comment:
        'src/engine/io/compactLoader.ts ships as dist/nnq-loader.js with its types stripped and nothing bundled: it may import @tensorflow/tfjs only.',
      from: { path: '^src/engine/io/compactLoader\\.ts$' },
      to: { pathNot: '(^|/)node_modules/@tensorflow/tfjs/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to no file or package (a typo, a missing dependency).',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '\\.css$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
      extensions: ['.ts', '.tsx', '.d.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
