/**
 * Declarations for Moddable SDK modules this firmware uses that @moddable/typings 5.6.0 lacks.
 * Written from the SDK sources (8.2.x): modules/io/update/esp32/update-esp32.js,
 * modules/io/flash/esp32/flash-esp32.c, modules/crypt/digest (Digest).
 */
declare module 'embedded:storage/flash' {
  /** A flash partition handle (ESP32: a partition label, or "running" / "nextota" / "xs"). */
  export interface FlashPartition {
    readonly __flashPartition: true;
  }
  const flash: {
    open(options: { path: string; mode?: 'r' | 'r+' }): FlashPartition;
  };
  export default flash;
}

declare module 'embedded:update' {
  import type { FlashPartition } from 'embedded:storage/flash';
  export interface UpdateWriter {
    /** Appends (mode "a", the default) or writes at byteOffset (mode "w"). */
    write(buffer: ArrayBuffer | Uint8Array, byteOffset?: number): void;
    /** esp_ota_end + esp_ota_set_boot_partition. */
    complete(): void;
    /** Closing before complete() aborts the update (esp_ota_abort). */
    close(): void;
    format: 'buffer';
  }
  const Update: {
    open(options: { partition: FlashPartition; mode?: 'a' | 'w'; byteLength?: number }): UpdateWriter;
  };
  export default Update;
}

declare module 'crypt' {
  export class Digest {
    constructor(algorithm: 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512');
    write(data: string | ArrayBuffer | Uint8Array): void;
    close(): ArrayBuffer;
    reset(): void;
  }
}
