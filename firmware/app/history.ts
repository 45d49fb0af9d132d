/**
 * A short in-memory history for the page's sparkline: one point at most every `minStepMs`,
 * the last `capacity` points, in preallocated arrays (no growth on the device).
 */
export interface HistoryPoint {
  tMs: number;
  /** Import minus export, W (negative while exporting). */
  netPowerW?: number;
  /** Smallest phase headroom, A. */
  minHeadroomA?: number;
}

export class History {
  private readonly times: Float64Array;
  private readonly power: Float64Array;
  private readonly headroom: Float64Array;
  private count = 0;
  private next = 0;

  constructor(
    private readonly capacity = 240,
    private readonly minStepMs = 2000,
  ) {
    this.times = new Float64Array(capacity);
    this.power = new Float64Array(capacity);
    this.headroom = new Float64Array(capacity);
  }

  add(point: HistoryPoint): void {
    if (this.count > 0) {
      const lastIndex = (this.next + this.capacity - 1) % this.capacity;
      if (point.tMs - this.times[lastIndex] < this.minStepMs) return;
    }
    this.times[this.next] = point.tMs;
    this.power[this.next] = point.netPowerW === undefined ? NaN : point.netPowerW;
    this.headroom[this.next] = point.minHeadroomA === undefined ? NaN : point.minHeadroomA;
    this.next = (this.next + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
  }

  /** Oldest first, fresh objects. */
  points(): HistoryPoint[] {
    const out: HistoryPoint[] = [];
    for (let i = 0; i < this.count; i++) {
      const index = (this.next - this.count + i + this.capacity) % this.capacity;
      const p: HistoryPoint = { tMs: this.times[index] };
      if (!Number.isNaN(this.power[index])) p.netPowerW = this.power[index];
      if (!Number.isNaN(this.headroom[index])) p.minHeadroomA = this.headroom[index];
      out.push(p);
    }
    return out;
  }
}
