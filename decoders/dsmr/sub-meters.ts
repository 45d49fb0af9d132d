/**
 * M-Bus sub-meters in a DSMR telegram (gas, water, heat on channels 0-1..0-4):
 *
 *   0-1:24.1.0(003)                              device type (EN 13757-3: 3 gas, 7 water, 4 heat)
 *   0-1:96.1.0(4730303332353631323930333235)     equipment id, hex-encoded ASCII
 *   0-1:24.2.1(101209110000W)(12785.123*m3)      DSMR 4/5: capture time + value
 *   0-1:24.2.3(200512134558S)(00112.384*m3)      e-MUCS (BE): same, not temperature corrected
 *   0-1:24.3.0(090212160000)(00)(60)(1)(0-1:24.2.1)(m3)
 *   (00001.001)                                  DSMR 2.2/3: profile header, value on the NEXT line
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
