/**
 * What the two length-framed HAN splitters share (HDLC, hdlc-splitter.ts; M-Bus long frames,
 * mbus-splitter.ts): the window that holds bytes while a frame start is undecided, the stream
 * positions that keep every decision independent of how the bytes were chunked, and the one push
 * loop. A splitter says where starts are (nextStart) and judges the starts in the window
 * (judgeWindow) with the marks kept here:
 *
 *   quietUntil    a reported failure claims bytes up to here: failures starting before are not
 *                 reported again (their frame, and at least 64 bytes); a good frame ends it
 *   attemptUntil  bytes up to here were taken by a judged start: not garbage
 *   waitUntil     the first undecided start needs the window to reach here (its frame's end):
 *                 it is not judged again before
 *
 * Cost (XS, the device's engine): between frames the next start is found with a native search;
 * from a start on the bytes go into the window (TypedArray.set: about 2 computrons a byte), and
 * decided bytes are dropped only when a chunk needs the room (one copy now and then, not the
 * undecided bytes moved after every chunk: a header whose length claims 2 KB holds 2 KB). (A
 * frame wholly inside a chunk was once checked in place, without the copy: with the device's
 * ~128-byte UART reads it bought 0.03 computrons a byte, so it went.)
 */
import type { FrameResult } from '../frame-result';

export type Emit = (result: FrameResult) => void;

export abstract class FrameWindow {
  /** Held bytes: win[winStart, winLen), win[winStart] the first undecided start. */
  protected readonly win: Uint8Array;
  protected winStart = 0;
  protected winLen = 0;
  /** Stream positions (bytes pushed before) of the next chunk's first byte and of win[0]. */
  protected streamAt = 0;
  protected winAt = 0;
  protected waitUntil = 0;
  protected quietUntil = 0;
  protected attemptUntil = 0;
  /** Bytes outside any frame. */
  garbageBytes = 0;

  constructor(windowBytes: number) {
    this.win = new Uint8Array(windowBytes);
  }

  /** The index of the next frame start in chunk[from..] (text: the chunk as Latin-1, when given), or chunk.length. */
  protected abstract nextStart(chunk: Uint8Array, text: string | undefined, from: number): number;
  /** Judge every start in win[winStart, winLen) its bytes can decide; winStart moves to the first undecided one. */
  protected abstract judgeWindow(emit: Emit): void;
  /** The window starts afresh / its positions moved down by `shift` (M-Bus keeps running sums over it). */
  protected windowReset(): void {}
  protected windowMoved(_shift: number): void {}

  /**
   * `text`, when given, is the chunk as Latin-1 (one char per byte, MeterStream makes it once per
   * chunk for all hunters): String.indexOf finds the next start for almost nothing under XS, where
   * Uint8Array.indexOf costs 8 computrons a byte.
   */
  push(chunk: Uint8Array, emit: Emit, text?: string): void {
    const n = chunk.length;
    const at = this.streamAt;
    this.streamAt += n;
    let i = 0;
    while (i < n) {
      if (this.winLen === this.winStart) {
        // Between frames: jump to the next start; a good frame wholly here is taken in place.
        const j = this.nextStart(chunk, text, i);
        this.passBy(at + i, at + j);
        if (j >= n) return;
        i = j;
        this.winAt = at + i;
        this.winStart = 0;
        this.winLen = 0;
        this.windowReset();
      } else if (this.winStart > 0 && this.win.length - this.winLen < n - i) this.compact();
      // Held bytes (or an undecided start here): judged in the window.
      const k = Math.min(n - i, this.win.length - this.winLen);
      this.win.set(chunk.subarray(i, i + k), this.winLen);
      this.winLen += k;
      i += k;
      // (an undecided start whose frame is not all in yet is not judged again until it is)
      if (this.winAt + this.winLen >= this.waitUntil) this.judgeWindow(emit);
    }
  }

  /** Bytes held (an undecided start). */
  protected holding(): boolean {
    return this.winLen > this.winStart;
  }

  /** Drop the decided bytes before winStart (the window's positions move down by winStart). */
  private compact(): void {
    const s = this.winStart;
    this.win.copyWithin(0, s, this.winLen);
    this.winLen -= s;
    this.winAt += s;
    this.winStart = 0;
    this.windowMoved(s);
  }

  /** Stream bytes [from, to) hold no frame start: garbage, unless a judged start had taken them. */
  protected passBy(from: number, to: number): void {
    const counted = to - Math.max(from, this.attemptUntil);
    if (counted > 0) this.garbageBytes += counted;
  }

  /** A judged start took the window's bytes up to index `until`. */
  protected attempt(until: number): void {
    const abs = this.winAt + until;
    if (abs > this.attemptUntil) this.attemptUntil = abs;
  }

  /** The start being judged needs the window up to index `until`: undecided (-1) until then. */
  protected wait(until: number): number {
    this.waitUntil = this.winAt + until;
    return -1;
  }

  /** A good frame ended at stream position `end`: failures after it are reported again. */
  protected good(end: number): void {
    if (this.quietUntil > end) this.quietUntil = end;
  }

  /**
   * A failure of the frame at window index `start`: report it? Not inside a region an earlier
   * reported one claimed; a reported one claims up to window index `claimEnd`, and at least
   * `quietBytes` from its start.
   */
  protected reportable(start: number, claimEnd: number, quietBytes: number): boolean {
    if (this.winAt + start < this.quietUntil) return false;
    this.quietUntil = this.winAt + Math.max(claimEnd, start + quietBytes);
    return true;
  }

  /** End of input: the held bytes dropped, every mark at the stream's end. */
  protected clearWindow(): void {
    this.winLen = 0;
    this.winStart = 0;
    this.waitUntil = 0;
    this.quietUntil = this.streamAt;
    this.attemptUntil = this.streamAt;
    this.windowReset();
  }
}
