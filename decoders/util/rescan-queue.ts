/**
 * Bytes a splitter must scan again after a broken frame (the next frame's start may be among
 * the bytes it had already taken). Two fixed buffers, swapped on putFront; no allocation.
 * Splitters drain it iteratively (never recursively): a frame that breaks while draining was
 * built from queued bytes, so putting them back never grows the queue past one frame.
 */
export class RescanQueue {
  private buf: Uint8Array;
  private spare: Uint8Array;
  /** Read position and end of the queued bytes: public for the splitters' hot loops (`end > start` = pending() without a call); only the methods write them. */
  start = 0;
  end = 0;
  /** Counts putFront calls: a splitter scanning queued() in place knows its view went stale. */
  version = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(capacity);
    this.spare = new Uint8Array(capacity);
  }

  pending(): boolean {
    return this.end > this.start;
  }

  next(): number {
    return this.buf[this.start++];
  }

  /**
   * The queued bytes are queued()[queuedStart(), queuedEnd()), for a splitter that scans them
   * with its fast paths instead of next() per byte; it calls consumeTo() as it goes and stops
   * when `version` changes (putFront rebuilt the queue in the other buffer).
   */
  queued(): Uint8Array {
    return this.buf;
  }

  queuedStart(): number {
    return this.start;
  }

  queuedEnd(): number {
    return this.end;
  }

  consumeTo(pos: number): void {
    this.start = pos;
  }

  clear(): void {
    this.start = this.end = 0;
  }

  /** Put `bytes` before whatever is still queued (truncating at capacity, oldest kept). */
  putFront(bytes: Uint8Array): void {
    const rest = this.end - this.start;
    const total = Math.min(bytes.length + rest, this.spare.length);
    const head = Math.min(bytes.length, total);
    this.spare.set(bytes.subarray(0, head), 0);
    if (total > head) this.spare.set(this.buf.subarray(this.start, this.start + (total - head)), head);
    const t = this.buf;
    this.buf = this.spare;
    this.spare = t;
    this.start = 0;
    this.end = total;
    this.version++;
  }
}
