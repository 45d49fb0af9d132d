/**
 * Test helper: what a UART set to `rx` settings receives when a meter sends `bytes` with `tx`
 * settings. The sender's bits are laid out on a time line (idle high, start bit low, data LSB
 * first, parity, stop bits high, optional inversion of the whole line); the receiver waits for a
 * falling edge, samples each of its bits in the middle, and checks parity and stop bit - like a
 * real UART. Bytes with framing errors are still delivered (as most UARTs do) and counted.
 */
import type { DetectLineSettings } from '../../decoders/autodetect/line-candidates';

function frameBits(b: number, s: DetectLineSettings): number[] {
  const bits = [0];
  let ones = 0;
  for (let i = 0; i < s.dataBits; i++) {
    const bit = (b >> i) & 1;
    ones += bit;
    bits.push(bit);
  }
  if (s.parity !== 'none') bits.push(s.parity === 'even' ? ones & 1 : (ones & 1) ^ 1);
  for (let i = 0; i < s.stopBits; i++) bits.push(1);
  return bits;
}

/**
 * `dropErrored`: a strict UART (or driver) that discards bytes with a parity or framing error,
 * as Linux does with IGNPAR and some ESP32 drivers do; default keeps them.
 */
export function simulateUart(bytes: Uint8Array, tx: DetectLineSettings, rx: DetectLineSettings, idleBits = 20, dropErrored = false) {
  // Line level per tx bit time (1 = mark). Idle before and after.
  const line: number[] = new Array(idleBits).fill(1);
  for (const b of bytes) line.push(...frameBits(b, tx));
  line.push(...new Array(idleBits).fill(1));
  const level = (t: number): number => {
    const i = Math.floor(t);
    const v = i < 0 || i >= line.length ? 1 : line[i];
    return (tx.inverted ? v ^ 1 : v) ^ (rx.inverted ? 1 : 0);
  };
  const ratio = tx.baud / rx.baud; // one rx bit lasts `ratio` tx bits
  const out: number[] = [];
  let framingErrors = 0;
  let parityErrors = 0;
  const step = Math.min(ratio, 1) / 4;
  let t = 0;
  const end = line.length;
  while (t < end) {
    // wait for a falling edge (mark -> space)
    if (!(level(t) === 0 && level(t - step) === 1)) {
      t += step;
      continue;
    }
    const start = t;
    let v = 0;
    let ones = 0;
    for (let i = 0; i < rx.dataBits; i++) {
      const bit = level(start + (1.5 + i) * ratio);
      v |= bit << i;
      ones += bit;
    }
    let pos = 1 + rx.dataBits;
    let bad = false;
    if (rx.parity !== 'none') {
      const p = level(start + (pos + 0.5) * ratio);
      const expected = rx.parity === 'even' ? ones & 1 : (ones & 1) ^ 1;
      if (p !== expected) {
        parityErrors++;
        bad = true;
      }
      pos++;
    }
    if (level(start + (pos + 0.5) * ratio) !== 1) {
      framingErrors++;
      bad = true;
    }
    if (!(bad && dropErrored)) out.push(v);
    t = start + (pos + 0.5) * ratio + step; // resume looking for the next start bit after the stop bit sample
  }
  return { bytes: Uint8Array.from(out), framingErrors, parityErrors };
}
