/**
 * Pre-rendered series per object, the way kube-state-metrics' MetricsStore keeps them: an object's samples are
 * rendered to exposition text once, when it changes, and kept as UTF-8 bytes with its lines grouped by family.
 *
 * A render is a list of blocks, not one Buffer: objects are kept in groups of about GROUP_BYTES of text, and a block is
 * one family's lines of one group's objects. The blocks are where the text lives: an object's new text waits in a
 * pending slab only until its group's blocks are copied anew, and an object keeps where its lines are in them. A
 * change makes stale only the blocks of the families whose lines it changed, in the changed object's group; the next
 * render copies those anew and reuses every other block. Blocks are never modified once rendered (copy on write), so a response holding a
 * render never sees a later version of any object, and a block can be compressed once for every response that
 * includes it (src/http/gzip.ts).
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
  /** In render(), while a group's blocks are rebuilt: this family's bytes, then where its next segment goes. */
  cursor: number;
  block: Buffer | undefined;
  /** In render(), the block being replaced, and the run of it still to copy: [runStart, runEnd) to runTo. */
  previousBlock: Buffer | undefined;
  runStart: number;
  runEnd: number;
  runTo: number;
  /** `# HELP` and `# TYPE`: the part before the family's blocks. */
  readonly header: Buffer;
}

/** Objects whose lines share blocks. */
interface Group {
  readonly objects: Set<StoredObject>;
  bytes: number;
  /** The families whose block in this group must be copied anew at the next render. */
  readonly stale: Set<Family>;
  /** This group's block of each family it has lines in, as last rendered. */
  readonly blocks: Map<Family, Buffer>;
}

/** What the store holds for one object: where its lines are, family after family. Updated in place. */
interface StoredObject {
  /**
   * Lines not yet copied into the group's blocks, as UTF-8 bytes in a pending slab (PendingSlabs), outside the
   * JavaScript heap: the garbage collector neither copies them when they are new nor marks them while they live.
   */
  pending: Buffer | undefined;
  /** The bytes of the slab region the pending text may grow into in place. */
  pendingCapacity: number;
  families: readonly Family[];
  /** Where each family's lines end in the object's text (its length in bytes last). */
  ends: readonly number[];
  /** Once not pending: where each family's lines start in the group's block of that family. */
  starts: number[];
  series: number;
  readonly group: Group;
}

/** The scratch Buffer grows for texts up to this size; a larger one is encoded into a Buffer of its own. */
const MAX_SCRATCH_BYTES = 1024 * 1024;
/** Pending regions are reserved in multiples of this many bytes, so that a text may grow a little in place. */
const CAPACITY_STEP = 64;
/**
 * A new object joins the newest group until that group holds this much text. What a change costs the next render and
 * its gzip grows with it; blocks deflated apart compress worse the smaller they are (at scale M, +4% over one deflate
 * stream with 4 MiB, +9% with 2 MiB, +16% with 1 MiB).
 */
export const GROUP_BYTES = 4 * 1024 * 1024;
/**
 * Pending text beyond this many groups' worth is copied into the blocks at once, without waiting for a scrape: while
 * objects arrive (the initial sync, a storm) the text is then held about once, not twice.
 */
const MAX_PENDING_GROUPS = 4;
/** A family's runStart and runEnd while it has no run to copy (renderStaleBlocks). */
const NO_RUN = -1;

export class MetricsStore {
  private readonly families = new Map<string, Family>();
  private readonly objects = new Map<string, StoredObject>();
  private sortedFamilies: Family[] | undefined;
  /** In the order of their first object. */
  private readonly groups: Group[] = [];
  private rendered: readonly Buffer[] | undefined;
  private readonly pendingSlabs: PendingSlabs;
  private series = 0;
  private stamp = 0;
  private scratch = Buffer.allocUnsafeSlow(64 * 1024);

  /** `groupBytes`: text per group of objects (GROUP_BYTES unless a test wants many small groups). */
  constructor(private readonly groupBytes = GROUP_BYTES) {
    this.pendingSlabs = new PendingSlabs(groupBytes / 4);
  }

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
    if (sameLayout) {
      // Only the blocks of the families whose lines changed are copied anew (and compressed anew, for gzip).
      if (!markChangedFamilies(previous, encoded, ends)) return;
    } else {
      this.updateMembership(previous?.families ?? [], families, stamp);
    }
    this.series += samples.length - (previous?.series ?? 0);
    // An update mostly keeps the object's layout and about the length of its text: its pending region is overwritten
    // then and the previous lists kept, so the update leaves little garbage in the old generation, and its new lists
    // die young.
    const stored = previous ?? this.addObject(objectKey);
    stored.group.bytes += byteLength - textLength(stored);
    if (stored.pending !== undefined && byteLength <= stored.pendingCapacity) {
      stored.pending = Buffer.from(stored.pending.buffer, stored.pending.byteOffset, byteLength);
    } else {
      stored.pendingCapacity = Math.ceil(byteLength / CAPACITY_STEP) * CAPACITY_STEP;
      stored.pending = this.pendingSlabs.reserve(stored.pendingCapacity).subarray(0, byteLength);
    }
    encoded.copy(stored.pending);
    if (!sameLayout) {
      for (const family of stored.families) stored.group.stale.add(family);
      for (const family of families) stored.group.stale.add(family);
      stored.families = families;
      stored.starts = [];
    }
    if (!sameLayout || !sameItems(stored.ends, ends)) stored.ends = ends;
    stored.series = samples.length;
    this.rendered = undefined;
    if (this.pendingSlabs.reservedBytes > MAX_PENDING_GROUPS * this.groupBytes) this.copyPending({ keepSlabs: true });
  }

  /** A new object, without lines yet, in the newest group unless that one is full. */
  private addObject(objectKey: string): StoredObject {
    let group = this.groups.at(-1);
    if (group === undefined || group.bytes >= this.groupBytes) {
      group = { objects: new Set(), bytes: 0, stale: new Set(), blocks: new Map() };
      this.groups.push(group);
    }
    const stored: StoredObject = {
      pending: undefined,
      pendingCapacity: 0,
      families: [],
      ends: [],
      starts: [],
      series: 0,
      group,
    };
    group.objects.add(stored);
    this.objects.set(objectKey, stored);
    return stored;
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

  delete(objectKey: string): void {
    const stored = this.objects.get(objectKey);
    if (stored === undefined) return;
    this.updateMembership(stored.families, [], ++this.stamp);
    this.objects.delete(objectKey);
    this.series -= stored.series;
    const { group } = stored;
    group.objects.delete(stored);
    group.bytes -= textLength(stored);
    for (const family of stored.families) group.stale.add(family);
    if (group.objects.size === 0) this.groups.splice(this.groups.indexOf(group), 1);
    this.rendered = undefined;
  }

  get seriesCount(): number {
    return this.series;
  }

  /**
   * Prometheus text format 0.0.4: families sorted by name, each contiguous under one HELP and TYPE, as the parts of one
   * body in order. Every render until the next change returns this same list; a later render reuses the blocks that
   * no change touched. Callers must modify neither the list nor its Buffers.
   */
  render(): readonly Buffer[] {
    if (this.rendered !== undefined) return this.rendered;
    this.sortedFamilies ??= [...this.families.values()].sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    this.copyPending({ keepSlabs: false });
    const parts: Buffer[] = [];
    for (const family of this.sortedFamilies) {
      parts.push(family.header);
      for (const group of this.groups) {
        const block = group.blocks.get(family);
        if (block !== undefined) parts.push(block);
      }
    }
    this.rendered = parts;
    return parts;
  }

  /**
   * Copies every group's stale blocks anew, the pending text into them. `keepSlabs`: keep the emptied slabs for the
   * text still to come (objects arriving faster than scrapes), rather than only the first.
   */
  private copyPending({ keepSlabs }: { keepSlabs: boolean }): void {
    for (const group of this.groups) if (group.stale.size > 0) renderStaleBlocks(group);
    this.pendingSlabs.empty(keepSlabs);
  }

  private addFamily(sample: Sample): Family {
    const help = sample.help ?? `Value of field ${sample.path}`;
    const family: Family = {
      name: sample.name,
      help,
      members: 0,
      setStamp: 0,
      pending: '',
      hadStamp: 0,
      cursor: 0,
      block: undefined,
      previousBlock: undefined,
      runStart: NO_RUN,
      runEnd: NO_RUN,
      runTo: 0,
      header: Buffer.from(`# HELP ${sample.name} ${escapeHelp(help)}\n# TYPE ${sample.name} gauge\n`),
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

/**
 * Copies the group's stale blocks anew, in two passes over its objects: the bytes of each stale family, then each
 * object's lines in it to their place, from the object's pending text or else from the block they were in. Lines of
 * consecutive objects that lie next to each other in the old block are copied as one run. A family left without
 * lines in the group loses its block. A pending object's lines in the families that are not stale are the same in its
 * blocks as in its pending text (markChangedFamilies): its text is all in blocks after this.
 */
function renderStaleBlocks(group: Group): void {
  const { stale } = group;
  for (const family of stale) family.cursor = 0;
  for (const stored of group.objects) {
    const { families } = stored;
    for (let index = 0; index < families.length; index++) {
      if (stale.has(families[index])) families[index].cursor += segmentLength(stored, index);
    }
  }
  for (const family of stale) {
    family.block = family.cursor === 0 ? undefined : Buffer.allocUnsafeSlow(family.cursor);
    family.previousBlock = group.blocks.get(family);
    family.cursor = 0;
    family.runStart = family.runEnd = NO_RUN;
  }
  for (const stored of group.objects) {
    const { families, pending } = stored;
    for (let index = 0; index < families.length; index++) {
      const family = families[index];
      if (family.block === undefined) continue;
      const length = segmentLength(stored, index);
      if (pending === undefined) {
        const start = stored.starts[index];
        if (start !== family.runEnd) {
          copyRun(family);
          family.runStart = start;
          family.runTo = family.cursor;
        }
        family.runEnd = start + length;
      } else {
        copyRun(family);
        pending.copy(family.block, family.cursor, stored.ends[index] - length, stored.ends[index]);
      }
      stored.starts[index] = family.cursor;
      family.cursor += length;
    }
    stored.pending = undefined;
  }
  for (const family of stale) {
    if (family.block === undefined) {
      group.blocks.delete(family);
    } else {
      copyRun(family);
      group.blocks.set(family, family.block);
    }
    family.block = family.previousBlock = undefined;
  }
  stale.clear();
}

/** Copies the family's run of unchanged lines from its previous block, if it has one. */
function copyRun(family: Family): void {
  if (family.runEnd > family.runStart) {
    family.previousBlock!.copy(family.block!, family.runTo, family.runStart, family.runEnd);
  }
  family.runStart = family.runEnd = NO_RUN;
}

function segmentLength(stored: StoredObject, index: number): number {
  return stored.ends[index] - (index === 0 ? 0 : stored.ends[index - 1]);
}

function textLength(stored: StoredObject): number {
  return stored.ends.at(-1) ?? 0;
}

/**
 * Marks stale, in the object's group, each family whose lines in `text` (laid out as `ends` says, in the object's
 * families) differ from the object's current ones, pending or in its blocks. Whether any does.
 */
function markChangedFamilies(stored: StoredObject, text: Buffer, ends: readonly number[]): boolean {
  const { pending } = stored;
  if (pending?.equals(text)) return false;
  let changed = false;
  for (let index = 0; index < ends.length; index++) {
    const start = index === 0 ? 0 : ends[index - 1];
    const length = segmentLength(stored, index);
    if (ends[index] - start !== length || !segmentHolds(stored, index, text, start, length)) {
      stored.group.stale.add(stored.families[index]);
      changed = true;
    }
  }
  return changed;
}

/** The object's current lines of the family at `index`, `length` bytes, are the bytes `text` has from `start`. */
function segmentHolds(stored: StoredObject, index: number, text: Buffer, start: number, length: number): boolean {
  const { pending } = stored;
  const source = pending ?? stored.group.blocks.get(stored.families[index])!;
  const sourceStart = pending === undefined ? stored.starts[index] : stored.ends[index] - length;
  return text.compare(source, sourceStart, sourceStart + length, start, start + length) === 0;
}

function sameItems<Item>(a: readonly Item[], b: readonly Item[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}

/**
 * Where pending texts are written: slabs of a fixed size, filled one after the other and emptied all at once when the
 * pending texts have been copied into blocks. An update thus allocates no memory of its own, and the garbage collector
 * sees a few slabs rather than an ArrayBuffer per changed object.
 */
class PendingSlabs {
  private readonly slabs: Buffer[] = [];
  private slabIndex = 0;
  private offset = 0;
  /** Bytes reserved since the slabs were last emptied, a region outgrown in place included. */
  reservedBytes = 0;

  constructor(private readonly slabBytes: number) {}

  /** A region of this many bytes, valid until the slabs are emptied. */
  reserve(bytes: number): Buffer {
    this.reservedBytes += bytes;
    // Not from Buffer's shared pool: a pool slab would stay allocated while any of its objects waits.
    if (bytes > this.slabBytes) return Buffer.allocUnsafeSlow(bytes);
    if (this.slabIndex < this.slabs.length && this.offset + bytes > this.slabBytes) {
      this.slabIndex += 1;
      this.offset = 0;
    }
    if (this.slabIndex === this.slabs.length) this.slabs.push(Buffer.allocUnsafeSlow(this.slabBytes));
    const region = this.slabs[this.slabIndex].subarray(this.offset, this.offset + bytes);
    this.offset += bytes;
    return region;
  }

  /** Every region is free again; the slabs beyond the first are released unless `keep`. */
  empty(keep: boolean): void {
    if (!keep) this.slabs.length = Math.min(this.slabs.length, 1);
    this.slabIndex = 0;
    this.offset = 0;
    this.reservedBytes = 0;
  }
}
