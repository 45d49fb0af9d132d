/**
 * Norwegian IT grids (3 x 230 V, no neutral) on real frames: a value the meter does not measure
 * is absent, never 0, and the reading says the meter sits on a 3-wire grid.
 */
import type { MeterReading } from '../../decoders/reading';
import { decodeAll, loadHanVectors } from './vectors';

const vectors = loadHanVectors();
function reading(name: string): MeterReading {
  const v = vectors.find((x) => x.name === name)!;
  const ok = decodeAll(v).filter((r) => r.ok);
  expect(ok).toHaveLength(1);
  return (ok[0] as { reading: MeterReading }).reading;
}

test('Aidon 6525 on IT: no L2 current in the list -> absent (not 0), threeWire, 3 phases', () => {
  const r = reading('ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L267-1');
  expect(r.l2?.currentA).toBeUndefined();
  expect(r.l2?.voltageV).toBeCloseTo(235.9, 6);
  expect(r.threeWire).toBe(true);
  expect(r.phaseCount).toBe(3);
  expect(r.frameKind).toBe('full');
});

test('Kaifa MA304H3E on IT: U2 sent as 0 -> absent, I2 kept, threeWire', () => {
  const r = reading('roarfred/SampleData-L121');
  expect(r.l2).toEqual({ currentA: 1.943 });
  expect(r.threeWire).toBe(true);
});

test('Kaifa MA304T4 measuring ~137 V against a star point: threeWire, all values kept', () => {
  const r = reading('ams-han-decoder/KFM_001__MA304T4-3-ok-L154-1');
  expect(r.l2?.voltageV).toBeCloseTo(137.2, 6);
  expect(r.threeWire).toBe(true);
});

test('TN meters are not flagged: Kaifa MA304H4 (SE) and Kamstrup with 230 V on all phases', () => {
  expect(reading('karl-gustav-ams-han/TestItem13').threeWire).toBeUndefined();
  expect(reading('roarfred/Kamstrup228').threeWire).toBeUndefined();
  expect(reading('node-dsmr-parser/aidon-example-2').threeWire).toBeUndefined();
});

test('list 1 (total power only) is a short frame; 1-phase meters say phaseCount 1', () => {
  const short = reading('ams-han-decoder/AIDON_V0001__6525-3-FC722-ok-L42-1');
  expect(short.frameKind).toBe('short');
  expect(short.l1).toBeUndefined();
  expect(short.phaseCount).toBeUndefined();
  expect(reading('roarfred/SampleData-L39').frameKind).toBe('short');
  expect(reading('ams-han-decoder/AIDON_V0001__6515-1-ok-L210-1').phaseCount).toBe(1);
  expect(reading('node-dsmr-parser/kamstrup-example-3').phaseCount).toBe(1);
});
