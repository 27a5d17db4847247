/** Checks on Prometheus text output shared by the tests: structure, parsing, and promtool when present. */

import { spawnSync } from 'node:child_process';
import parse from 'parse-prometheus-text-format';

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/;

/**
 * Problems with the text as exposition format 0.0.4: families contiguous under one HELP and one TYPE, legal names,
 * no duplicate series, values that parse. Returns an empty list when the text is valid.
 */
export function expositionProblems(text: string): string[] {
  const problems: string[] = [];
  const familiesSeen = new Set<string>();
  const seriesSeen = new Set<string>();
  let family: string | undefined;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) (\S+)/.exec(line);
    if (comment) {
      const [, keyword, name] = comment;
      if (keyword === 'HELP') {
        if (familiesSeen.has(name)) problems.push(`family ${name} appears twice`);
        familiesSeen.add(name);
        family = name;
      } else if (name !== family) {
        problems.push(`TYPE for ${name} outside its family`);
      }
      if (!METRIC_NAME.test(name)) problems.push(`illegal metric name ${name}`);
      continue;
    }
    const sample = SAMPLE_LINE.exec(line);
    if (!sample) {
      problems.push(`unparseable line: ${line}`);
      continue;
    }
    const [, name, , value] = sample;
    const base = name.replace(/_(bucket|sum|count|total|created)$/, '');
    if (name !== family && base !== family) problems.push(`sample ${name} outside its family ${family}`);
    const series = line.slice(0, line.lastIndexOf(' '));
    if (seriesSeen.has(series)) problems.push(`duplicate series ${series}`);
    seriesSeen.add(series);
    // Prometheus reads values with Go's ParseFloat, which takes NaN and Inf in any case (prom-client writes `Nan`).
    if (Number.isNaN(Number(value)) && !/^[+-]?(inf|nan)$/i.test(value)) problems.push(`bad value in ${line}`);
  }
  try {
    parse(text);
  } catch (error) {
    problems.push(`parser: ${(error as Error).message}`);
  }
  return problems;
}

/**
 * Accepted lint findings: camelCase is the naming contract (the API's field names, as the seed document shows), and
 * prom-client's default `nodejs_active_*_total` gauges are its own naming.
 */
const ACCEPTED_LINT = [
  / metric names should be written in 'snake_case' not 'camelCase'$/,
  /^kube_api_exporter_nodejs_active_\w+_total non-counter metrics should not have "_total" suffix$/,
];

/**
 * What `promtool check metrics` finds beyond the accepted lint; a parse error (exit 1) is always reported. With
 * `parseOnly`, lint is ignored: for generated names, which are not meant to read well.
 */
export function promtoolProblems(text: string, { parseOnly = false } = {}): string[] {
  const result = spawnSync('promtool', ['check', 'metrics'], {
    input: text,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const lines = `${result.stdout}${result.stderr}`.split('\n').filter(Boolean);
  if (result.status === 1) return [`promtool could not parse the text: ${lines.join(' ')}`];
  if (result.status !== 0 && result.status !== 3)
    return [`promtool failed (status ${result.status}): ${result.error?.message ?? lines.join(' ')}`];
  return parseOnly ? [] : lines.filter((line) => !ACCEPTED_LINT.some((accepted) => accepted.test(line)));
}

/** Object series as a map `name{labels}` → value, from the exporter's text. */
export function seriesValues(text: string, prefix = 'k8s_'): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const cut = line.lastIndexOf(' ');
    values.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return values;
}

/** A store's render as one text, as a response body carries it. */
export const renderedText = (store: { render(): readonly Buffer[] }): string =>
  Buffer.concat(store.render()).toString();
