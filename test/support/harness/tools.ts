/** System tools some tests need (promtool, prometheus, alertmanager, kubectl, redis-server): .ci/run installs them with apt-get. */

import { spawnSync } from 'node:child_process';
import type { ExecutionContext } from 'ava';

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

export function toolAvailable(tool: Tool): boolean {
  return spawnSync(tool.command, tool.versionArgs, { stdio: 'ignore' }).status === 0;
}

/**
 * Whether the test can go on with these tools. Under CI a missing tool fails the test (CI must install it);
 * elsewhere the test passes with a one-line note on how to enable it.
 */
export function haveTools(t: ExecutionContext, ...tools: Tool[]): boolean {
  const missing = tools.filter((tool) => !toolAvailable(tool));
  if (missing.length === 0) return true;
  const hint = missing.map((tool) => `${tool.command} (${tool.install})`).join(', ');
  if (process.env.CI) t.fail(`missing under CI: ${hint}`);
  else {
    t.log(`skipped: needs ${hint}`);
    t.pass();
  }
  return false;
}
