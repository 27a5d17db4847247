/**
 * Import rules for src/ (`npm run check:imports`, part of `npm test`): no cycles, and imports flow one way along the
 * data flow. A folder (or root file) may import its own layer's modules and those of the layers listed before it,
 * never after; the views and sinks of one layer stay independent of each other.
 */
const LAYERS = [
  ['util'],
  ['kinds'],
  ['objects'],
  ['metrics'],
  ['cache.ts'],
  ['kube'],
  ['leanix', 'events', 'report'],
  ['http'],
  ['config'],
  ['exporter.ts', 'collector', 'demo', 'main.ts'],
];

const pathOf = (part) => (part.endsWith('.ts') ? `^src/${part.replace('.', '\\.')}$` : `^src/${part}/`);
const anyOf = (parts) => parts.map(pathOf).join('|');

const layerRules = LAYERS.flatMap((layer, index) => {
  const later = LAYERS.slice(index + 1).flat();
  return later.length === 0
    ? []
    : [
        {
          name: `layer-${layer.join('-')}`,
          severity: 'error',
          comment: `${layer.join(', ')} may not import a later stage (${later.join(', ')})`,
          from: { path: anyOf(layer) },
          to: { path: anyOf(later) },
        },
      ];
});

const siblingRules = LAYERS.filter((layer) => layer.length > 1 && !layer.includes('main.ts')).flatMap((layer) =>
  layer.map((part) => ({
    name: `independent-${part}`,
    severity: 'error',
    comment: `${part} may not import its siblings ${layer.filter((other) => other !== part).join(', ')}`,
    from: { path: pathOf(part) },
    to: { path: anyOf(layer.filter((other) => other !== part)) },
  })),
);

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'import cycles hide the data flow',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
    ...siblingRules,
    {
      name: 'exporter-program-apart',
      severity: 'error',
      comment: 'the exporter shares no program code with the collector or the demo',
      from: { path: '^src/exporter\\.ts$' },
      to: { path: '^src/(collector/|demo/|main\\.ts)' },
    },
    {
      name: 'collector-program-apart',
      severity: 'error',
      comment: 'the collector shares no program code with the exporter or the demo',
      from: { path: '^src/collector/' },
      to: { path: '^src/(exporter\\.ts|demo/|main\\.ts)' },
    },
    {
      name: 'demo-program-apart',
      severity: 'error',
      comment: 'the demo runs the exporter, not the collector',
      from: { path: '^src/demo/' },
      to: { path: '^src/(collector/|main\\.ts)' },
    },
    {
      name: 'demo-not-shipped',
      severity: 'error',
      comment:
        'the demo and the simulated API server stay out of the production image: nothing outside src/demo/ imports them',
      from: { path: '^src/', pathNot: '^src/demo/' },
      to: { path: '^src/demo/' },
    },
    { name: 'no-unresolvable', severity: 'error', from: {}, to: { couldNotResolve: true } },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js'],
    },
  },
};
