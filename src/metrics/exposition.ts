/**
 * The Prometheus text exposition format as this exporter writes it: samples, label text, escaping, values and the
 * content type. Pure; shared by the flattener, the store, the extra families and the collector's /metrics.
 */

export const METRICS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export type Labels = ReadonlyArray<readonly [name: string, value: string]>;

export interface Sample {
  /** Metric (family) name. */
  readonly name: string;
  /** The field path the family comes from, lists as `[]`: `spec.containers[].ports[].containerPort`. */
  readonly path: string;
  /** HELP text for a family that is not a field's value; else the HELP names the path. */
  readonly help?: string;
  /** The labels as exposition text, `{name="value",...}`: rendered once per object or list element, not per sample. */
  readonly labelText: string;
  readonly value: number;
}

export function renderSample(sample: Sample): string {
  return `${sample.name}${sample.labelText} ${formatValue(sample.value)}\n`;
}

/** Label text with one more label: `{name="p"}` → `{name="p",container="app"}`; '' → `{container="app"}`. */
export function withLabel(labelText: string, name: string, value: string): string {
  const outer = labelText === '' ? '{' : `${labelText.slice(0, -1)},`;
  return `${outer}${name}="${escapeLabelValue(value)}"}`;
}

/** `{name="value",...}`, or '' for no labels. */
export function renderLabels(labels: Labels): string {
  return labels.length === 0 ? '' : `{${renderLabelPairs(labels)}}`;
}

/** `name="value",...` without the braces: a run of labels to render once and use in many label texts. */
export function renderLabelPairs(labels: Labels): string {
  let text = '';
  for (const [name, value] of labels) text += `${text === '' ? '' : ','}${name}="${escapeLabelValue(value)}"`;
  return text;
}

const LABEL_PAIR = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The labels of a label text, `{name="value",...}` → [[name, value], ...]: what renderLabels rendered. */
export function parseLabels(labelText: string): Array<[name: string, value: string]> {
  return [...labelText.matchAll(LABEL_PAIR)].map(([, name, value]) => [
    name,
    value.replace(/\\(.)/g, (_, char: string) => (char === 'n' ? '\n' : char)),
  ]);
}

/** A backslash, quote or line feed to escape, or a lone surrogate (`\p{Cs}` in a unicode regex matches only those). */
const NEEDS_ESCAPE = /[\\"\n]|\p{Cs}/u;
const LONE_SURROGATE = /\p{Cs}/u;
const LONE_SURROGATES = /\p{Cs}/gu;

/**
 * A label value as exposition text: escaped, and well-formed. A lone surrogate (JSON may carry one, UTF-8 cannot)
 * becomes U+FFFD, as the UTF-8 encoding would make it anyway; callers that need distinct values to stay distinct
 * compare them through wellFormed (list keys) or reject them (object names).
 */
export function escapeLabelValue(value: string): string {
  // Most values need nothing: test first, since a replace with a callback costs even when nothing matches.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return wellFormed(value).replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

/** The text with every lone surrogate replaced by U+FFFD, as String.prototype.toWellFormed does. */
export function wellFormed(text: string): string {
  return isWellFormed(text) ? text : text.replace(LONE_SURROGATES, '\uFFFD');
}

/** Whether the text has no lone surrogate: UTF-8 can carry it as it is. */
export function isWellFormed(text: string): boolean {
  return !LONE_SURROGATE.test(text);
}

export function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (char) => (char === '\n' ? '\\n' : '\\\\'));
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
