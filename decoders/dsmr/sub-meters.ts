/**
 * M-Bus sub-meters in a DSMR telegram (gas, water, heat on channels 0-1..0-4):
 *
 *   0-1:24.1.0(003)                              device type (EN 13757-3: 3 gas, 7 water, 4 heat)
 *   0-1:96.1.0(4730303332353631323930333235)     equipment id, hex-encoded ASCII
 *   0-1:24.2.1(101209110000W)(12785.123*m3)      DSMR 4/5: capture time + value
 *   0-1:24.2.3(200512134558S)(00112.384*m3)      e-MUCS (BE): same, not temperature corrected
 *   0-1:24.3.0(090212160000)(00)(60)(1)(0-1:24.2.1)(m3)
 *   (00001.001)                                  DSMR 2.2/3: profile header, value on the NEXT line
 *   0-1:24.2.1(700101010000W)(00000000)          a channel with nothing connected (Iskra AM550, gas
 *                                                on channel 2): the 1970 "never captured" stamp and 0
 */
import type { MeterReading, SubMeterReading, SubMeterType } from '../reading';

/** EN 13757-3 device type -> our coarse type. */
export function subMeterType(deviceType: number): SubMeterType {
  switch (deviceType) {
    case 0x02:
      return 'electricity';
    case 0x03:
      return 'gas';
    case 0x04: // heat, outlet
    case 0x0c: // heat, inlet
    case 0x0d: // heat / cooling
      return 'heat';
    case 0x06: // warm water
    case 0x07: // water
    case 0x15: // hot water
    case 0x16: // cold water
      return 'water';
    case 0x0a: // cooling, outlet
    case 0x0b: // cooling, inlet
      return 'cold';
    default:
      return 'other';
  }
}

/** The sub-meter record for `channel`, created (type 'other' until a device type arrives). */
export function subMeter(reading: MeterReading, channel: number): SubMeterReading {
  let list = reading.subMeters;
  if (list === undefined) {
    list = [];
    reading.subMeters = list;
  }
  for (let i = 0; i < list.length; i++) if (list[i].channel === channel) return list[i];
  const created: SubMeterReading = { channel, type: 'other' };
  // Keep channel order whatever order the lines came in.
  let at = list.length;
  while (at > 0 && list[at - 1].channel > channel) at--;
  list.splice(at, 0, created);
  return created;
}

/**
 * A sub-meter value stamped 1970-01-01 (the meters' "never captured" placeholder) that is 0 is no
 * reading: Iskra AM550 sends 0-1:24.2.1(700101010000W)(00000000) for an M-Bus channel with
 * nothing connected, ahead of the real gas meter on channel 2. Its value, unit and time are
 * removed; such a channel with no id either is no sub-meter at all (its device type, 003 here,
 * is the meter's default for the channel). Run once per telegram, after its lines.
 */
export function dropEmptyChannels(reading: MeterReading): void {
  const list = reading.subMeters;
  if (list === undefined) return;
  let kept = 0;
  // (a record left without a value keeps its id: the meter is there, only never read)
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (m.value === 0 && m.time !== undefined && m.time.startsWith('1970-01-01')) {
      if (m.id === undefined) continue;
      delete m.value;
      delete m.unit;
      delete m.time;
    }
    list[kept++] = m;
  }
  if (kept === 0) delete reading.subMeters;
  else list.length = kept;
}
