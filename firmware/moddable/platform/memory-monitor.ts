/**
 * What the XS machine holds, for fitting the app into a board without PSRAM (docs/firmware.md,
 * "Memory"). Served at GET /api/v1/device/memory by the device (main.ts).
 *
 * Only an instrumented build (`mcconfig -i`, `npm run build:esp32 -- --instrument`, `npm run
 * sim:memory`) has the SDK's Instrumentation values; any other build reports
 * `instrumented: false` and samples nothing. Each sample first collects garbage (Debug.gc), so the
 * figures are the live set, not live plus garbage: the slots and chunk bytes the app cannot do
 * without at that moment. Samples are taken by a timer, between meter frames and requests.
 *
 * Units: a slot is 16 bytes on the ESP32 (32-bit) and 32 bytes in the 64-bit simulator, so slots
 * are counted, and the ESP32 figure is slots x 16 + chunk bytes. The chunk bytes are taken as
 * measured: in the simulator they include 8-byte pointers where the ESP32 has 4-byte ones, so the
 * estimate errs on the large side.
 */
import Instrumentation from 'instrumentation';
import Debug from 'debug';

export const ESP32_SLOT_BYTES = 16;

export interface MemorySample {
  atMs: number;
  slots: number;
  chunkBytes: number;
  esp32EstimateBytes: number;
}

export interface MemoryReport {
  instrumented: boolean;
  /** sizeof(txSlot) on this platform (config.memory.slotBytes). */
  slotBytes: number;
  samples: number;
  last?: MemorySample;
  peak?: { slots: number; chunkBytes: number; esp32EstimateBytes: number };
  /** Largest live slot count in the first minute after start, to compare with `peak` (growth). */
  firstMinutePeakSlots?: number;
  keysUsed?: number;
  modulesLoaded?: number;
  garbageCollections?: number;
  stackPeakBytes?: number;
  /** Free heap of the system (ESP-IDF's heap, what Wi-Fi and lwIP draw on); 0 in the simulator. */
  systemFreeBytes?: number;
  systemFreeMinBytes?: number;
}

interface Indexes {
  slots: number;
  chunks: number;
  keys: number | undefined;
  modules: number | undefined;
  collections: number | undefined;
  stack: number | undefined;
  systemFree: number | undefined;
}

function indexes(): Indexes | undefined {
  const slots = Instrumentation.map('XS Slot Heap Used');
  const chunks = Instrumentation.map('XS Chunk Heap Used');
  // A build without instrumentation answers undefined for every name and value.
  if (slots === undefined || chunks === undefined || Instrumentation.get(slots) === undefined) return undefined;
  return {
    slots,
    chunks,
    keys: Instrumentation.map('XS Keys Used'),
    modules: Instrumentation.map('XS Modules Loaded'),
    collections: Instrumentation.map('XS Garbage Collection Count'),
    stack: Instrumentation.map('XS Stack Used'),
    systemFree: Instrumentation.map('System Free Memory'),
  };
}

const read = (index: number | undefined): number | undefined => (index === undefined ? undefined : Instrumentation.get(index));

export class MemoryMonitor {
  private readonly index: Indexes | undefined;
  private readonly startedMs: number;
  private count = 0;
  private last: MemorySample | undefined;
  private peakSlots = 0;
  private peakChunkBytes = 0;
  private peakEstimate = 0;
  private firstMinuteSlots = 0;
  private systemFreeMin: number | undefined;

  constructor(
    private readonly slotBytes: number,
    nowMs: number,
  ) {
    this.index = indexes();
    this.startedMs = nowMs;
  }

  get instrumented(): boolean {
    return this.index !== undefined;
  }

  /** Collects garbage and records the live figures. No-op without instrumentation. */
  sample(nowMs: number): void {
    const index = this.index;
    if (!index) return;
    Debug.gc();
    const slots = Math.round((read(index.slots) ?? 0) / this.slotBytes);
    const chunkBytes = read(index.chunks) ?? 0;
    const esp32EstimateBytes = slots * ESP32_SLOT_BYTES + chunkBytes;
    this.last = { atMs: nowMs, slots, chunkBytes, esp32EstimateBytes };
    this.count++;
    if (slots > this.peakSlots) this.peakSlots = slots;
    if (chunkBytes > this.peakChunkBytes) this.peakChunkBytes = chunkBytes;
    if (esp32EstimateBytes > this.peakEstimate) this.peakEstimate = esp32EstimateBytes;
    if (nowMs - this.startedMs <= 60000 && slots > this.firstMinuteSlots) this.firstMinuteSlots = slots;
    const free = read(index.systemFree);
    if (free !== undefined && free > 0 && (this.systemFreeMin === undefined || free < this.systemFreeMin)) this.systemFreeMin = free;
  }

  report(): MemoryReport {
    const index = this.index;
    const out: MemoryReport = { instrumented: index !== undefined, slotBytes: this.slotBytes, samples: this.count };
    if (!index || !this.last) return out;
    out.last = this.last;
    out.peak = { slots: this.peakSlots, chunkBytes: this.peakChunkBytes, esp32EstimateBytes: this.peakEstimate };
    out.firstMinutePeakSlots = this.firstMinuteSlots;
    out.keysUsed = read(index.keys);
    out.modulesLoaded = read(index.modules);
    out.garbageCollections = read(index.collections);
    out.stackPeakBytes = read(index.stack);
    out.systemFreeBytes = read(index.systemFree);
    if (this.systemFreeMin !== undefined) out.systemFreeMinBytes = this.systemFreeMin;
    return out;
  }
}
