/**
 * Serial line auto-detection in the app ("--line auto", meter.line = "auto"): drives the pure
 * detector of decoders/autodetect (candidate order and the reasons for it are there) and applies
 * each candidate to the byte source. Once frames decode (or arrive encrypted: the line is right,
 * the key is what is missing) the line is kept; if a kept line then delivers no frame for
 * `relockAfterMs` (cable moved to another meter, meter replaced), the search starts again.
 * The detector decodes nothing itself: the app's MeterLink decodes every byte anyway and passes
 * each result to onResult (sharedStream), so there is one set of frame buffers, not two.
 */
import { LineDetector as CandidateDetector } from '../../decoders/autodetect/line-detector';
import type { DetectVerdict } from '../../decoders/autodetect/line-detector';
import { LINE_CANDIDATES } from '../../decoders/autodetect/line-candidates';
import type { DecoderOptions, FrameResult } from '../../decoders/frame-result';
import type { LineSettings } from './ports';

export function describeLine(line: LineSettings): string {
  const parity = line.parity === 'none' ? 'N' : line.parity === 'even' ? 'E' : 'O';
  return `${line.baud} ${line.dataBits}${parity}${line.stopBits}${line.inverted ? ' inverted' : ''}`;
}

export interface AutoLineStatus {
  mode: 'auto';
  locked: boolean;
  line: string;
  /** What the detector concluded last: found (format), encrypted, or searching. */
  verdict: string;
  candidates: string[];
}

export class AutoLine {
  private detector: CandidateDetector;
  private lockedLine = false;
  private lastFrameMs = 0;
  private lastVerdict = 'searching';

  constructor(
    private readonly apply: (line: LineSettings) => void,
    private readonly decoder: DecoderOptions,
    private readonly relockAfterMs = 60000,
    private readonly windowMs?: number,
  ) {
    this.detector = this.newDetector();
    this.apply(this.current());
  }

  private newDetector(): CandidateDetector {
    return new CandidateDetector(
      this.windowMs === undefined ? { decoder: this.decoder, sharedStream: true } : { decoder: this.decoder, sharedStream: true, windowMs: this.windowMs },
    );
  }

  current(): LineSettings {
    const s = this.detector.current().settings;
    const line: LineSettings = { baud: s.baud, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits };
    if (s.inverted) line.inverted = true;
    return line;
  }

  locked(): boolean {
    return this.lockedLine;
  }

  /** The app decoded a frame (with the current settings). */
  onFrame(nowMs: number): void {
    this.lastFrameMs = nowMs;
    if (!this.lockedLine) {
      this.lockedLine = true;
      this.lastVerdict = 'found';
    }
  }

  /** Every result the app's stream decoded from the bytes (call it before onBytes with them). */
  onResult(result: FrameResult): void {
    if (!this.lockedLine) this.detector.observe(result);
  }

  onBytes(bytes: Uint8Array, nowMs: number): void {
    if (!this.lockedLine) this.handle(this.detector.feed(bytes, nowMs), nowMs);
  }

  onTick(nowMs: number): void {
    if (this.lockedLine) {
      if (nowMs - this.lastFrameMs < this.relockAfterMs) return;
      // Long without a frame on a kept line: search again from the first candidate.
      this.lockedLine = false;
      this.lastVerdict = 'searching again: no frame for ' + Math.round(this.relockAfterMs / 1000) + ' s';
      this.detector = this.newDetector();
      this.apply(this.current());
      return;
    }
    this.handle(this.detector.tick(nowMs), nowMs);
  }

  private handle(verdict: DetectVerdict, nowMs: number): void {
    switch (verdict.kind) {
      case 'found':
        this.lockedLine = true;
        this.lastFrameMs = nowMs;
        this.lastVerdict = 'found ' + verdict.format;
        return;
      case 'encrypted':
        // The line is right; the missing or wrong key is reported by the link diagnosis.
        this.lockedLine = true;
        this.lastFrameMs = nowMs;
        this.lastVerdict = 'encrypted ' + verdict.format + ' frames: key needed';
        return;
      case 'next':
        this.lastVerdict = 'searching (' + verdict.reason + ')';
        this.apply(this.current());
        return;
      case 'silent':
        this.lastVerdict = verdict.message;
        this.apply(this.current());
        return;
      default:
        return;
    }
  }

  status(): AutoLineStatus {
    return {
      mode: 'auto',
      locked: this.lockedLine,
      line: describeLine(this.current()),
      verdict: this.lastVerdict,
      candidates: LINE_CANDIDATES.map((c) => c.label),
    };
  }
}
