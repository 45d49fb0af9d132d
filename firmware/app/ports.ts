/**
 * The small interfaces (ports) through which the platform-neutral application core reaches the
 * platform. Node adapters live in firmware/host/, Moddable adapters in firmware/moddable/.
 * Nothing in firmware/app/ imports a platform module; it receives these at construction.
 *
 * Owners may extend these interfaces; keep them small and keep units in names.
 */

/** Serial line settings. `inverted` inverts RX (P1 ports drive an inverted line). */
export interface LineSettings {
  baud: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  inverted?: boolean;
}

export interface ByteSourceCounters {
  parityErrors?: number;
  framingErrors?: number;
  overflows?: number;
}

/** Where meter bytes come from: a UART, a USB cable, a TCP serial bridge, a replayed capture. */
export interface ByteSource {
  readonly kind: 'serial' | 'tcp' | 'replay' | 'uart';
  /** Human description, e.g. "/dev/ttyUSB0 2400 8E1" or "replay of aidon-example-1.hex". */
  describe(): string;
  /** Start delivering bytes. `onBytes` may be called with any chunk size. */
  start(onBytes: (bytes: Uint8Array, nowMs: number) => void, onError: (message: string) => void): void;
  /** Change line settings at run time (auto-detection). Sources that cannot (tcp, replay) ignore it. */
  setLineSettings?(settings: LineSettings): void;
  counters?(): ByteSourceCounters;
  /** True while the port/connection is open (serial, tcp); absent for sources that are always "open". */
  connected?(): boolean;
  /**
   * A replayed recording: its time stamps repeat when it loops, so the app gives each decoded
   * frame's meter time the moment it is replayed (replay-time.ts).
   */
  readonly restampsMeterTime?: boolean;
  stop(): void;
}

/** Monotonic-ish wall clock in epoch milliseconds; the only source of time for the core. */
export interface Clock {
  nowMs(): number;
}

/** Scheduler, so the core can ask for ticks without touching platform timers directly. */
export interface Scheduler {
  every(intervalMs: number, callback: () => void): { cancel(): void };
  after(delayMs: number, callback: () => void): { cancel(): void };
}

/** Persistent key/value storage for the settings document (a file on Node, Preference/NVS on ESP32). */
export interface SettingsStore {
  /**
   * Returns the stored document text, or undefined when nothing was saved yet. Throws (with a
   * reason a person can act on) when something is stored but cannot be handed over: a directory at
   * the path, no permission, inconsistent flash records. Never "nothing saved" for those.
   */
  load(): string | undefined;
  /** Must be atomic: after a crash either the old or the new document is there, never half. */
  save(documentText: string): void;
  /**
   * Keeps a copy of the stored bytes exactly as they are, beside the document, so an unreadable or
   * repaired document is never lost when a new one is saved. Returns where the copy is, or
   * undefined when there was nothing to copy. Calling it again for the same bytes adds no copy.
   */
  keepAside?(): string | undefined;
  /** Where the document lives, for messages ("/home/pi/meterbox-settings.json", "NVS meterbox"). */
  describe?(): string;
}

/** Push channel to live clients (WebSocket). */
export interface LivePublisher {
  broadcast(message: string): void;
  clientCount(): number;
}

export interface Logger {
  info(message: string): void;
  warn(message: string): void;
}

/** A static file of the local page, as the platform stores it (files on Node, flash resources on the device). */
export interface Asset {
  body: string | Uint8Array;
  contentType: string;
  /** Set when `body` is already compressed (the device stores the page gzipped). */
  contentEncoding?: 'gzip';
}

/** Read-only store of the page files under firmware/web/. Paths start with '/', e.g. "/index.html". */
export interface AssetSource {
  get(path: string, acceptsGzip: boolean): Asset | undefined;
}
