/**
 * Pre-rendered series per object, grouped by metric family, the way kube-state-metrics' MetricsStore keeps them:
 * an object's samples are rendered to exposition text once, when it changes; a scrape only concatenates.
 */

import type { Labels, Sample } from './flatten.js';

interface Family {
  readonly help: string;
  /** Object key → that object's lines in this family. */
  readonly members: Map<string, string>;
}

/** What the store holds for one object: the families it has lines in, and how many series. */
interface StoredObject {
  readonly familyNames: readonly string[];
  readonly series: number;
}

export class MetricsStore {
  private readonly families = new Map<string, Family>();
  private readonly objects = new Map<string, StoredObject>();
  private sortedFamilyNames: string[] | undefined;
  private rendered: Buffer | undefined;
  private series = 0;

  /** Replaces everything stored for the object with these samples. */
  set(objectKey: string, samples: readonly Sample[]): void {
    // Most families hold one line per object: an array only for those with several.
    const linesByFamily = new Map<string, string | string[]>();
    for (const sample of samples) {
      const line = renderSample(sample);
      const lines = linesByFamily.get(sample.name);
      if (lines === undefined) {
        linesByFamily.set(sample.name, line);
        if (!this.families.has(sample.name)) this.addFamily(sample);
      } else if (typeof lines === 'string') {
        linesByFamily.set(sample.name, [lines, line]);
      } else {
        lines.push(line);
      }
    }
    this.removeFromFamilies(objectKey, (name) => !linesByFamily.has(name));
    for (const [name, lines] of linesByFamily) {
      // join, not +=: a flat string, where repeated concatenation would keep a rope of small strings alive.
      const text = typeof lines === 'string' ? lines : lines.join('');
      const members = this.families.get(name)!.members;
      // Unchanged text keeps the stored string: the new one dies young instead of churning the old generation.
      if (members.get(objectKey) !== text) members.set(objectKey, text);
    }
    this.series += samples.length - (this.objects.get(objectKey)?.series ?? 0);
    this.objects.set(objectKey, { familyNames: [...linesByFamily.keys()], series: samples.length });
    this.rendered = undefined;
  }

  delete(objectKey: string): void {
    const stored = this.objects.get(objectKey);
    if (stored === undefined) return;
    this.removeFromFamilies(objectKey, () => true);
    this.objects.delete(objectKey);
    this.series -= stored.series;
    this.rendered = undefined;
  }

  get seriesCount(): number {
    return this.series;
  }

  /**
   * Prometheus text format 0.0.4: families sorted by name, each contiguous under one HELP and TYPE. Rendered once per
   * change, as bytes: every scrape until the next change gets this same Buffer (callers must not modify it).
   */
  render(): Buffer {
    if (this.rendered !== undefined) return this.rendered;
    this.sortedFamilyNames ??= [...this.families.keys()].sort();
    const parts: string[] = [];
    let bytes = 0;
    for (const name of this.sortedFamilyNames) {
      const family = this.families.get(name)!;
      const header = `# HELP ${name} ${escapeHelp(family.help)}\n# TYPE ${name} gauge\n`;
      parts.push(header);
      bytes += Buffer.byteLength(header);
      for (const lines of family.members.values()) {
        parts.push(lines);
        bytes += Buffer.byteLength(lines);
      }
    }
    // Written part by part into one buffer: joining first would hold the whole text twice, as a string and as bytes.
    const rendered = Buffer.allocUnsafe(bytes);
    let offset = 0;
    for (const part of parts) offset += rendered.write(part, offset);
    this.rendered = rendered;
    return rendered;
  }

  private addFamily(sample: Sample): void {
    this.families.set(sample.name, { help: sample.help ?? `Value of field ${sample.path}`, members: new Map() });
    this.sortedFamilyNames = undefined;
  }

  private removeFromFamilies(objectKey: string, shouldRemove: (familyName: string) => boolean): void {
    for (const name of this.objects.get(objectKey)?.familyNames ?? []) {
      if (!shouldRemove(name)) continue;
      const family = this.families.get(name)!;
      family.members.delete(objectKey);
      if (family.members.size === 0) {
        this.families.delete(name);
        this.sortedFamilyNames = undefined;
      }
    }
  }
}

export function renderSample(sample: Sample): string {
  return `${sample.name}${sample.labelText} ${formatValue(sample.value)}\n`;
}

/** `{name="value",...}`, or '' for no labels. */
export function renderLabels(labels: Labels): string {
  if (labels.length === 0) return '';
  return `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

const NEEDS_ESCAPE = /[\\"\n]/;

export function escapeLabelValue(value: string): string {
  // Most values need nothing: test first, since a replace with a callback costs even when nothing matches.
  if (!NEEDS_ESCAPE.test(value)) return value;
  return value.replace(/[\\"\n]/g, (char) => (char === '\n' ? '\\n' : `\\${char}`));
}

function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (char) => (char === '\n' ? '\\n' : '\\\\'));
}

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
