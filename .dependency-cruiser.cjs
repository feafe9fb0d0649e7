// Layering rules, checked on every `npm test`: platform knows no feature, rules.ts does no I/O,
// no cycles, nothing imports tests.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'Imports must not form a cycle.',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'platform-knows-no-feature',
      severity: 'error',
      comment: 'src/platform is shared plumbing: it must not import a feature.',
      from: { path: '^src/platform/' },
      to: { path: '^src/(?!platform/)' },
    },
    {
      name: 'rules-are-pure',
      severity: 'error',
      comment: 'rules.ts holds pure decisions: no database, network, file system or clock.',
      from: { path: '(^|/)rules\\.ts$' },
      to: { path: '(^src/platform/(db|jobs|http|secret|log)|node_modules/(pg|better-sqlite3|kysely|fastify)|^(fs|net|http|https|child_process)$|^node:(fs|net|http|https|child_process)$)' },
    },
    {
      name: 'no-test-imports-in-src',
      severity: 'error',
      from: { path: '^src/', pathNot: '\\.test\\.ts$' },
      to: { path: '(^test/|\\.test\\.ts$)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
