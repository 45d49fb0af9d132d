/**
 * Line settings to try, in order, on a meter port of unknown type. Shape matches LineSettings in
 * firmware/app/ports.ts (decoders/ cannot import the app; the shape is kept identical).
 *
 * Why this order (most installations first, cheapest mistake first):
 *  1. 2400 8E1            HAN over M-Bus (NO, SE, DK, AT): IEC 62056-46 over an M-Bus line is
 *                         8E1 at 2400 baud; Aidon, Kaifa, most Kamstrup and the Austrian meters.
 *  2. 2400 8N1            Kamstrup meters in some Norwegian and Danish grids send 8N1.
 *                         (8E1 data read as 8N1 still gives the right bytes with framing errors
 *                         on half of them, so 1 may already decode; 2 is tried when it does not.)
 *  3. 115200 8N1 inverted DSMR 4/5 P1 (NL, BE, LU, SE P1 ports): open-collector output, logic
 *                         inverted; the box reads it straight, so it must invert.
 *  4. 9600 7E1 inverted   DSMR 2.2/3 P1 (older Dutch meters): same inverted port, slower.
 *  5. 115200 8N1          P1 through a USB cable or adapter that already inverts.
 *  6. 9600 8N1            Meters configured at 9600 (e.g. some Landis+Gyr E450 set-ups).
 *  7. 9600 7E1            DSMR 2.2/3 through an inverting cable.
 * (The list named "2400 8N1" twice; the second slot is used for the case 7 instead,
 * which real old P1 cables need.)
 */

export interface DetectLineSettings {
  baud: number;
  dataBits: 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  inverted?: boolean;
}

export interface LineCandidate {
  label: string;
  settings: DetectLineSettings;
  /** What it is for. */
  why: string;
}

export const LINE_CANDIDATES: readonly LineCandidate[] = Object.freeze([
  { label: '2400 8E1', settings: { baud: 2400, dataBits: 8, parity: 'even', stopBits: 1, inverted: false }, why: 'HAN M-Bus (NO, SE, DK, AT)' },
  { label: '2400 8N1', settings: { baud: 2400, dataBits: 8, parity: 'none', stopBits: 1, inverted: false }, why: 'HAN Kamstrup 8N1' },
  { label: '115200 8N1 inverted', settings: { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1, inverted: true }, why: 'P1 DSMR 4/5' },
  { label: '9600 7E1 inverted', settings: { baud: 9600, dataBits: 7, parity: 'even', stopBits: 1, inverted: true }, why: 'P1 DSMR 2.2/3' },
  { label: '115200 8N1', settings: { baud: 115200, dataBits: 8, parity: 'none', stopBits: 1, inverted: false }, why: 'P1 via inverting cable' },
  { label: '9600 8N1', settings: { baud: 9600, dataBits: 8, parity: 'none', stopBits: 1, inverted: false }, why: 'meters set to 9600 8N1' },
  { label: '9600 7E1', settings: { baud: 9600, dataBits: 7, parity: 'even', stopBits: 1, inverted: false }, why: 'P1 DSMR 2.2/3 via inverting cable' },
] as LineCandidate[]);
