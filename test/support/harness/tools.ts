/**
 * System tools some tests need (promtool, prometheus, alertmanager, kubectl, redis-server; postgres and the control
 * plane's in their own modules): .ci/run installs them with apt-get. A test that needs one is declared with
 * testNeeding, so that ava reports it skipped where the tool is missing (failed under CI); a test that only checks
 * more with one asks optionalTools.
 */

import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import test, { type ExecutionContext, type Implementation } from 'ava';

export interface Tool {
  readonly command: string;
  /** Arguments that make it print its version and exit 0. */
  readonly versionArgs: readonly string[];
  /** What installs it, for the message when it is missing. */
  readonly install: string;
}

export const PROMTOOL: Tool = {
  command: 'promtool',
  versionArgs: ['--version'],
  install: 'apt-get install prometheus',
};
export const PROMETHEUS: Tool = {
  command: 'prometheus',
  versionArgs: ['--version'],
  install: 'apt-get install prometheus',
};
/** Debian names the binary after its package. */
export const ALERTMANAGER: Tool = {
  command: 'prometheus-alertmanager',
  versionArgs: ['--version'],
  install: 'apt-get install prometheus-alertmanager',
};
export const KUBECTL: Tool = {
  command: 'kubectl',
  versionArgs: ['version', '--client'],
  install: 'apt-get install kubernetes-client',
};

export const REDIS_SERVER: Tool = {
  command: 'redis-server',
  versionArgs: ['--version'],
  install: 'apt-get install redis-server',
};

/**
 * Commands (comma-separated, by name or path) that tests treat as missing although they are installed: to see how the
 * suite behaves without them, e.g. `KUBE_API_EXPORTER_TEST_HIDE_TOOLS=promtool,kube-apiserver npx ava test/deploy`.
 */
export const HIDE_TOOLS_ENV = 'KUBE_API_EXPORTER_TEST_HIDE_TOOLS';

const hidden = new Set(
  (process.env[HIDE_TOOLS_ENV] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== ''),
);
const availability = new Map<string, boolean>();

/** Whether the tool runs here (it prints its version), asked once per test process. */
export function toolAvailable(tool: Tool): boolean {
  if (hidden.has(tool.command) || hidden.has(basename(tool.command))) return false;
  let available = availability.get(tool.command);
  if (available === undefined) {
    available = spawnSync(tool.command, tool.versionArgs, { stdio: 'ignore', timeout: 30_000 }).status === 0;
    availability.set(tool.command, available);
  }
  return available;
}

/** The missing ones of these tools, each with what installs it; undefined when all are there. */
export function missingTools(tools: readonly Tool[]): string | undefined {
  const missing = tools.filter((tool) => !toolAvailable(tool));
  return missing.length === 0 ? undefined : missing.map((tool) => `${tool.command} (${tool.install})`).join(', ');
}

const underCi = () => Boolean(process.env.CI);

/** Declares tests that need some tools: `(title, implementation)` as ava's `test`, and `.serial` as `test.serial`. */
export interface TestNeeding {
  (title: string, implementation: Implementation<[]>): void;
  serial(title: string, implementation: Implementation<[]>): void;
}

/**
 * ava's `test` for tests that need these tools, e.g. `const testWithRedis = testNeeding(REDIS_SERVER)`. The check runs
 * when the file loads (ava decides skips at declaration): without the tools a test is declared skipped, its title
 * saying what is missing and what installs it, so that ava counts it as skipped; under CI it is declared all the
 * same and fails with that message (CI must install every tool).
 */
export function testNeeding(...tools: Tool[]): TestNeeding {
  const missing = missingTools(tools);
  const declaring =
    (declare: typeof test | typeof test.serial) =>
    (title: string, implementation: Implementation<[]>): void => {
      if (!missing) declare(title, implementation);
      else if (underCi()) declare(title, (t) => t.fail(`missing under CI: ${missing}`));
      else declare.skip(`${title} [skipped: needs ${missing}]`, implementation);
    };
  return Object.assign(declaring(test), { serial: declaring(test.serial) });
}

/**
 * For a test that runs without these tools but checks more with them: whether they are here. Without them, a note
 * says what was not checked and what installs it; under CI the test fails instead.
 */
export function optionalTools(t: ExecutionContext, unchecked: string, ...tools: Tool[]): boolean {
  const missing = missingTools(tools);
  if (!missing) return true;
  if (underCi()) t.fail(`missing under CI: ${missing}`);
  else t.log(`not checked: ${unchecked} (needs ${missing})`);
  return false;
}
