/**
 * Objects' new text until the store copies it into its blocks (src/metrics/store.ts): appended to slabs that are
 * reused once it has been copied, rather than a Buffer allocated per object. Those Buffers are freed only when the
 * garbage collector gets to them, and until then the malloc heap holds them among the live blocks, tens of MB at a
 * time while objects arrive.
 */
export class PendingText {
  private readonly slabs: Buffer[] = [];
  private slab = 0;
  private offset = 0;
  /** Bytes appended since the last reset. */
  bytes = 0;

  constructor(private readonly slabBytes: number) {}

  /** A copy of the text, valid until the next reset. */
  append(text: Buffer): Buffer {
    this.bytes += text.length;
    if (text.length > this.slabBytes) {
      const own = Buffer.allocUnsafeSlow(text.length);
      text.copy(own);
      return own;
    }
    if (this.offset + text.length > this.slabBytes) {
      this.slab += 1;
      this.offset = 0;
    }
    // Not from Buffer's shared pool: a slab is kept for good.
    if (this.slab === this.slabs.length) this.slabs.push(Buffer.allocUnsafeSlow(this.slabBytes));
    const copy = this.slabs[this.slab].subarray(this.offset, this.offset + text.length);
    text.copy(copy);
    this.offset += text.length;
    return copy;
  }

  /** Every copy made so far may be overwritten from now on. */
  reset(): void {
    this.slab = 0;
    this.offset = 0;
    this.bytes = 0;
  }
}
