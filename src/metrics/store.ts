/**
 * Pre-rendered series per object, the way kube-state-metrics' MetricsStore keeps them: an object's samples are
 * rendered to exposition text once, when it changes, and kept as UTF-8 bytes with its lines grouped by family; a
 * render only copies each object's family segments under their family's HELP and TYPE.
 */

import { escapeHelp, renderSample, type Sample } from './exposition.js';

interface Family {
  readonly name: string;
  readonly help: string;
  /** How many objects have lines in this family: it is dropped with its HELP when none has. */
  members: number;
  // Scratch state of set() and render(), kept here so that neither needs a map keyed by family per call.
  /** The set() call that last gave this family lines, and those lines. */
  setStamp: number;
  pending: string;
  /** The set() call whose object had lines in this family before. */
  hadStamp: number;
  /** In render(): this family's bytes, then where its next segment goes. */
  cursor: number;
}

/** What the store holds for one object: its lines, family after family. */
interface StoredObject {
  /**
   * The lines as UTF-8 bytes, outside the JavaScript heap: the garbage collector neither copies them when they are
   * new nor marks them while they live, and a render copies them as they are.
   */
  readonly bytes: Buffer;
  readonly families: readonly Family[];
  /** Where each family's lines end in `bytes`. */
  readonly ends: readonly number[];
  readonly series: number;
}

/** The scratch Buffer grows for texts up to this size; a larger one is encoded into a Buffer of its own. */
const MAX_SCRATCH_BYTES = 1024 * 1024;
/** Objects' text memory is allocated in multiples of this many bytes. */
const CAPACITY_STEP = 512;

/** Memory fits a text of this length that neither overflows it nor leaves more than two steps unused. */
function fits(memory: ArrayBufferLike, byteLength: number): boolean {
  return memory.byteLength >= byteLength && memory.byteLength - byteLength < 2 * CAPACITY_STEP;
}

export class MetricsStore {
  private readonly families = new Map<string, Family>();
  private readonly objects = new Map<string, StoredObject>();
  private sortedFamilies: Family[] | undefined;
  private rendered: Buffer | undefined;
  private series = 0;
  private stamp = 0;
  private scratch = Buffer.allocUnsafeSlow(64 * 1024);

  /** Replaces everything stored for the object with these samples. */
  set(objectKey: string, samples: readonly Sample[]): void {
    const stamp = ++this.stamp;
    const families: Family[] = [];
    for (const sample of samples) {
      const family = this.families.get(sample.name) ?? this.addFamily(sample);
      const line = renderSample(sample);
      if (family.setStamp === stamp) {
        family.pending += line;
      } else {
        family.setStamp = stamp;
        family.pending = line;
        families.push(family);
      }
    }
    // Each family's lines are a rope of small strings: joined, they are flattened once, into the text to encode.
    const text = families.map((family) => family.pending).join('');
    const byteLength = Buffer.byteLength(text);
    const ascii = byteLength === text.length;
    const encoded = this.encode(text, byteLength, ascii);
    const ends: number[] = [];
    let end = 0;
    for (const family of families) {
      end += ascii ? family.pending.length : Buffer.byteLength(family.pending);
      ends.push(end);
      family.pending = '';
    }
    const previous = this.objects.get(objectKey);
    const sameLayout = previous !== undefined && sameItems(previous.families, families);
    if (sameLayout && previous.bytes.equals(encoded)) return;
    this.updateMembership(previous?.families ?? [], families, stamp);
    this.series += samples.length - (previous?.series ?? 0);
    // An update mostly keeps the object's layout and about the length of its text: the previous memory is overwritten
    // then (renders copy it, none keeps it) and the previous lists kept, so the update leaves no garbage in the old
    // generation, and its new lists die young.
    const bytes = this.bytesFor(byteLength, previous?.bytes);
    encoded.copy(bytes);
    this.objects.set(objectKey, {
      bytes,
      families: sameLayout ? previous.families : families,
      ends: sameLayout && sameItems(previous.ends, ends) ? previous.ends : ends,
      series: samples.length,
    });
    this.rendered = undefined;
  }

  /** The text as UTF-8, in a scratch Buffer valid until the next call: most updates need no Buffer of their own. */
  private encode(text: string, byteLength: number, ascii: boolean): Buffer {
    let buffer = this.scratch;
    if (buffer.length < byteLength) {
      buffer = Buffer.allocUnsafeSlow(Math.max(byteLength, 2 * buffer.length));
      // Kept for ordinary objects only: one huge object must not leave its size allocated for good.
      if (buffer.length <= MAX_SCRATCH_BYTES) this.scratch = buffer;
    }
    buffer.write(text, ascii ? 'latin1' : 'utf8');
    return buffer.subarray(0, byteLength);
  }

  /** Memory for an object's text: the previous version's when it fits, else new, sized so that it may grow a little. */
  private bytesFor(byteLength: number, previous: Buffer | undefined): Buffer {
    if (previous?.length === byteLength) return previous;
    if (previous !== undefined && fits(previous.buffer, byteLength)) return Buffer.from(previous.buffer, 0, byteLength);
    // Not from Buffer's shared pool: the memory is kept long, and alone.
    return Buffer.allocUnsafeSlow(Math.ceil(byteLength / CAPACITY_STEP) * CAPACITY_STEP).subarray(0, byteLength);
  }

  delete(objectKey: string): void {
    const stored = this.objects.get(objectKey);
    if (stored === undefined) return;
    this.updateMembership(stored.families, [], ++this.stamp);
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
    this.sortedFamilies ??= [...this.families.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    // Two passes over the objects: the bytes of each family, then each segment copied to its family's place.
    for (const family of this.sortedFamilies) family.cursor = 0;
    this.forEachSegment((family, _stored, start, end) => {
      family.cursor += end - start;
    });
    const headers = this.sortedFamilies.map(
      (family) => `# HELP ${family.name} ${escapeHelp(family.help)}\n# TYPE ${family.name} gauge\n`,
    );
    const headerStarts: number[] = [];
    let bytes = 0;
    this.sortedFamilies.forEach((family, index) => {
      headerStarts.push(bytes);
      const familyBytes = family.cursor;
      family.cursor = bytes + Buffer.byteLength(headers[index]);
      bytes = family.cursor + familyBytes;
    });
    const rendered = Buffer.allocUnsafe(bytes);
    headers.forEach((header, index) => {
      rendered.write(header, headerStarts[index]);
    });
    this.forEachSegment((family, stored, start, end) => {
      family.cursor += stored.bytes.copy(rendered, family.cursor, start, end);
    });
    this.rendered = rendered;
    return rendered;
  }

  /** Every object's lines in each of its families: `bytes[start, end)` of the stored object. */
  private forEachSegment(visit: (family: Family, stored: StoredObject, start: number, end: number) => void): void {
    for (const stored of this.objects.values()) {
      let start = 0;
      stored.families.forEach((family, index) => {
        visit(family, stored, start, stored.ends[index]);
        start = stored.ends[index];
      });
    }
  }

  private addFamily(sample: Sample): Family {
    const family: Family = {
      name: sample.name,
      help: sample.help ?? `Value of field ${sample.path}`,
      members: 0,
      setStamp: 0,
      pending: '',
      hadStamp: 0,
      cursor: 0,
    };
    this.families.set(sample.name, family);
    this.sortedFamilies = undefined;
    return family;
  }

  /** Counts an object's move from the families it had lines in to those it has now. */
  private updateMembership(had: readonly Family[], has: readonly Family[], stamp: number): void {
    for (const family of had) family.hadStamp = stamp;
    for (const family of has) if (family.hadStamp !== stamp) family.members += 1;
    for (const family of had) {
      if (family.setStamp === stamp) continue;
      family.members -= 1;
      if (family.members === 0) {
        this.families.delete(family.name);
        this.sortedFamilies = undefined;
      }
    }
  }
}

function sameItems<Item>(a: readonly Item[], b: readonly Item[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
