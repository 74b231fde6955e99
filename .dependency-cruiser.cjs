// Dependency rules (STYLE.md "Layers"), checked by `npm run lint:deps` in `npm test`.
// dependency-cruiser reads the code through TypeScript's parser, so type-only imports count too
// (it needs TypeScript 5's compiler API: scripts/typescript5.mjs gives it one).

/** Which layer may import which: commands → cli → client → api → resources → lib on the CLI
 * side; the server side may use everything but the CLI. */
const ALLOWED = {
  lib: [],
  resources: ['lib'],
  api: ['resources', 'lib'],
  client: ['api', 'resources', 'lib'],
  cli: ['client', 'api', 'resources', 'lib'],
  commands: ['cli', 'client', 'api', 'resources', 'lib'],
  store: ['resources', 'lib'],
  runtime: ['resources', 'lib'],
  scheduler: ['store', 'runtime', 'resources', 'lib', 'api'],
  server: ['api', 'resources', 'store', 'runtime', 'scheduler', 'lib'],
}
const LAYERS = Object.keys(ALLOWED)

const layerRules = LAYERS.map((layer) => ({
  name: `layer-${layer}`,
  comment: `${layer}/ may import only ${ALLOWED[layer].join(', ') || 'nothing but itself'} (STYLE.md)`,
  severity: 'error',
  from: {path: `^src/${layer}/`},
  to: {path: `^src/(${LAYERS.filter((l) => l !== layer && !ALLOWED[layer].includes(l)).join('|')})/`},
}))

module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'no-cycles',
      comment: 'no import cycles, type-only ones included',
      severity: 'error',
      from: {},
      to: {circular: true},
    },
    {
      name: 'concrete-store-only-in-main',
      comment: 'only server/main.ts names a concrete store; everything else uses the store port (store/store.ts)',
      severity: 'error',
      from: {path: '^src/', pathNot: ['^src/store/(sqlite|postgres)/', '^src/server/main\\.ts$']},
      to: {path: '^src/store/(sqlite|postgres)/'},
    },
    {
      name: 'postgres-driver-only-in-its-store',
      comment: 'the PostgreSQL driver is loaded by the server only when the store is PostgreSQL',
      severity: 'error',
      from: {path: '^src/', pathNot: '^src/store/postgres/postgres-store\\.ts$'},
      to: {path: 'node_modules/postgres/'},
    },
    {
      name: 'concrete-runtime-only-in-main',
      comment: 'only server/main.ts names the local runtime; everything else uses the runtime port (runtime/runtime.ts)',
      severity: 'error',
      from: {path: '^src/', pathNot: ['^src/runtime/local/', '^src/server/main\\.ts$']},
      to: {path: '^src/runtime/local/'},
    },
    {
      name: 'kubernetes-dataplane-only-in-main',
      comment:
        'only server/main.ts names the Kubernetes dataplane (and loads it lazily); everything else uses the ClusterDataplane port (runtime/runtime.ts)',
      severity: 'error',
      from: {path: '^src/', pathNot: ['^src/runtime/kubernetes/', '^src/server/main\\.ts$']},
      to: {path: '^src/runtime/kubernetes/'},
    },
    {
      name: 'kubernetes-client-only-in-the-dataplane',
      comment: '@kubernetes/client-node costs ~0.5 s to load: only runtime/kubernetes/dataplane.ts imports it',
      severity: 'error',
      from: {path: '^src/', pathNot: '^src/runtime/kubernetes/dataplane\\.ts$'},
      to: {path: 'node_modules/@kubernetes/client-node/'},
    },
    {
      name: 'no-io-in-api',
      comment: 'api/ is the wire contract: plain data and names, no I/O',
      severity: 'error',
      from: {path: '^src/api/'},
      to: {dependencyTypes: ['core'], path: '^(fs|fs/promises|child_process|net|http|https|http2|dgram|worker_threads|sqlite|tls)$'},
    },
    {
      name: 'no-unresolvable',
      comment: 'every import resolves',
      severity: 'error',
      from: {},
      to: {couldNotResolve: true},
    },
  ],
  options: {
    doNotFollow: {path: 'node_modules'},
    tsPreCompilationDeps: true,
    tsConfig: {fileName: `${__dirname}/tsconfig.json`},
    enhancedResolveOptions: {exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default']},
  },
}
