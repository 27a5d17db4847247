import { readdirSync, readFileSync } from 'node:fs';
import test from 'ava';
import { FLAGS } from '../../src/config/exporter.js';
import { loadManifests, objectOfKind } from '../support/harness/manifests.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const packageJson = JSON.parse(read('package.json'));
const buildConfig = JSON.parse(read('tsconfig.build.json'));
const readme = read('README.md');

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly image: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** The Dockerfile's stages; continuation lines are not used in it, so one line is one instruction. */
function parseDockerfile(text: string): Stage[] {
  const stages: { image: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [, keyword, args] = /^(\w+)\s+(.*)$/.exec(line) ?? [];
    if (!keyword || args.endsWith('\\')) throw new Error(`unexpected Dockerfile line: ${line}`);
    if (keyword === 'FROM') {
      const [image, as, name] = args.split(/\s+/);
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)!.instructions.push({ keyword, args });
    }
  }
  return stages;
}

const stages = parseDockerfile(read('Dockerfile'));
const runtime = stages.at(-1)!;
const build = stages[0];

function argsOf(stage: Stage, keyword: string): string[] {
  return stage.instructions
    .filter((instruction) => instruction.keyword === keyword)
    .map((instruction) => instruction.args);
}

const nodeMajor = (image: string) => Number(/^node:(\d+)(?:[.-]|$)/.exec(image)?.[1]);

test('two stages on the same Node LTS major, one that package.json allows', (t) => {
  t.is(stages.length, 2);
  const majors = stages.map((stage) => nodeMajor(stage.image));
  t.is(new Set(majors).size, 1, `${stages.map((stage) => stage.image)}`);
  t.is(majors[0], 24, 'the current Node LTS');
  t.is(majors[0] % 2, 0, 'even majors are the LTS lines');
  const minimum = /^>=\s*(\d+)(?:\.\d+){0,2}$/.exec(packageJson.engines.node);
  t.truthy(minimum, `engines.node "${packageJson.engines.node}" is not of the form >=N`);
  t.true(majors[0] >= Number(minimum![1]));
});

test('the build stage compiles with dev dependencies everything tsconfig.build.json reads', (t) => {
  const copied = argsOf(build, 'COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
  const needed = [
    'package.json',
    'package-lock.json',
    'tsconfig.build.json',
    buildConfig.extends.replace(/^\.\//, ''),
    ...buildConfig.include,
  ];
  for (const file of needed) t.true(copied.includes(file), `build stage copies ${file}`);
  t.deepEqual(argsOf(build, 'RUN'), [
    'npm ci --no-audit --no-fund',
    `npm run build && rm -r ${buildConfig.compilerOptions.outDir}/demo`,
  ]);
  t.is(packageJson.scripts.build, 'tsc -p tsconfig.build.json');
});

test('the runtime stage has production dependencies and the compiled output only, as a non-root user', (t) => {
  t.deepEqual(argsOf(runtime, 'RUN'), ['npm ci --omit=dev --no-audit --no-fund && npm cache clean --force']);
  t.deepEqual(argsOf(runtime, 'COPY'), [
    // package.json also serves --version (src/main.ts reads it next to dist/).
    'package.json package-lock.json ./',
    `--from=${build.name} /app/${buildConfig.compilerOptions.outDir} ./${buildConfig.compilerOptions.outDir}`,
  ]);
  const [user] = argsOf(runtime, 'USER');
  const uid = Number(user.split(':')[0]);
  t.true(uid > 0, `USER ${user} must be a numeric non-root uid, so that runAsNonRoot can verify it`);
  const podSecurity = objectOfKind(loadManifests(), 'Deployment').spec.template.spec.securityContext;
  t.is(podSecurity.runAsUser, uid, 'k8s/ runs the image as its own user');
});

test('the entrypoint is the command package.json and the README run, with --disable-sigusr1, and EXPOSE is the --port default', (t) => {
  const [entrypoint] = argsOf(runtime, 'ENTRYPOINT');
  const command: string[] = JSON.parse(entrypoint);
  const main = packageJson.bin['kube-api-exporter'];
  // The image's Node has --disable-sigusr1 (22.14 and later); npm start may run on Node 20, which rejects it.
  t.deepEqual(command, ['node', '--disable-sigusr1', main]);
  t.true(packageJson.scripts.start.endsWith(`&& node ${main}`));
  t.true(readme.includes(`\`node ${main}\``), 'README documents the command');
  t.true(readme.includes(`\`${command.join(' ')}\``), 'README documents the image command');
  t.true(main.startsWith(`${buildConfig.compilerOptions.outDir}/`));
  const portFlag = FLAGS.find((spec) => spec.flag === 'port')!;
  t.deepEqual(argsOf(runtime, 'EXPOSE'), [portFlag.default]);
});

test('.dockerignore keeps local builds and dependencies out of the build context', (t) => {
  const ignored = read('.dockerignore').split('\n');
  for (const entry of ['node_modules', 'dist', '.git']) t.true(ignored.includes(entry), entry);
});

test('the demo and the simulated API server stay out of the image: compiled from src/demo/ into a folder the build removes', (t) => {
  const demoSources = readdirSync(new URL('../../src/demo/', import.meta.url));
  t.true(demoSources.includes('simulated-apiserver.ts') && demoSources.includes('main.ts'));
  t.is(packageJson.scripts.demo, `npm run build --silent && node ${buildConfig.compilerOptions.outDir}/demo/main.js`);
});
