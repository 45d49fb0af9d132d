/**
 * Variants of a DSMR telegram with different measured values, as a real meter sends them second
 * after second: every digit of a plain number line ("1-0:<code>(<number>[*unit])": energy, power,
 * current, voltage, counters) is replaced by a pseudo-random digit (same width, so the layout is
 * the meter's), the meter clock moves to another second, and the CRC is computed anew. The bench feeds these instead of the same
 * bytes over and over, so nothing that remembers the previous telegram can flatter the figures.
 */
import { crc16Arc } from '../../decoders/util/crc16-arc';

export function varyTelegram(original: Uint8Array, seed: number): Uint8Array | undefined {
  const text = String.fromCharCode(...original);
  const bang = text.lastIndexOf('!');
  if (!text.startsWith('/') || bang < 0) return undefined;
  let state = (seed * 2654435761) >>> 0 || 1;
  const digit = (): string => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return String(state % 10);
  };
  const body = text
    .slice(0, bang + 1)
    .split('\n')
    .map((line) => {
      // A plain number line "1-0:<code>(<digits>[.<digits>][*unit])": its digits become new ones.
      const m = /^(1-0:[0-9.]+\()([0-9]+(?:\.[0-9]+)?)(\*[A-Za-z0-9]+)?(\)\r?)$/.exec(line);
      if (m) return m[1] + m[2].replace(/[0-9]/g, digit) + (m[3] ?? '') + m[4];
      // The meter clock "0-0:1.0.0(YYMMDDhhmmssX)": a new second, as the next telegram would carry.
      const c = /^(0-0:1\.0\.0\([0-9]{10})([0-9]{2})([SW]\)\r?)$/.exec(line);
      if (c) return c[1] + String(seed % 60).padStart(2, '0') + c[3];
      return line;
    })
    .join('\n');
  const tail = text.slice(bang + 1);
  const crcDigits = /^[0-9A-Fa-f]{4}/.test(tail) ? 4 : 0;
  const bytes = Uint8Array.from(body, (c) => c.charCodeAt(0));
  const crc = crcDigits ? crc16Arc(bytes, 0, bytes.length).toString(16).toUpperCase().padStart(4, '0') : '';
  const rest = tail.slice(crcDigits);
  return Uint8Array.from(body + crc + rest, (c) => c.charCodeAt(0));
}
