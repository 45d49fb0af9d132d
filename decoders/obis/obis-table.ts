/**
 * THE one OBIS table (IEC 62056-61 object identification), shared by the DSMR text decoder and
 * the DLMS/COSEM binary decoder, so "what does 1-0:31.7.0 mean" is answered in one place.
 *
 *   A - B : C . D . E (. F)
 *   A  medium: 0 abstract, 1 electricity
 *   B  channel: 0 for the meter itself; 1..4 for M-Bus devices (gas, water, heat) in group A=0.
 *      For electricity (A=1) B is ignored: some meters send 1-1:... (Sagemcom XT211) or 1-3:0.2.8.
 *   C  quantity (1 active import, 2 active export, 31 L1 current, 32 L1 voltage, ...)
 *   D  processing (7 instantaneous, 8 cumulative, 4 current average, 6 maximum)
 *   E  tariff / index; F (DLMS only, usually 255) is ignored.
 *
 * Sources: DSMR P1 Companion Standard 5.0.2 (NL), e-MUCS P1 1.7.1/2.1.1 (BE), Luxembourg Smarty
 * P1 spec 1.1, IEC 62056-61, and the OBIS lists of the Norwegian/Swedish HAN specifications.
 *
 * Each entry says which reading field it fills, the unit that field carries (values on the wire
 * in kW/kWh/kvar are scaled to W/Wh/var by the decoder, see unitScale), and the value shape
 * (how the DSMR text line looks). DLMS decoders look up the 6-byte logical name with
 * lookupObis(bytes) and apply the scaler themselves.
 */

/** Where a value goes in MeterReading: a top-level key, or [key, sub-key / array index]. */
export type FieldPath = readonly [string] | readonly [string, string | number];

export type BaseUnit = 'W' | 'Wh' | 'var' | 'varh' | 'A' | 'V' | 's' | '';

export type ValueShape =
  | 'number' //       (1.234*kWh) or (0002): a number, unit optional
  | 'text' //         (50): kept verbatim
  | 'hex-text' //     (4B3845...): hex-encoded ASCII, decoded when printable
  | 'time' //         (YYMMDDhhmmssX) -> ISO 8601
  | 'peak' //         (time)(value*kW): 1-0:1.6.0 month peak
  | 'peak-history' // (n)(obis)(obis)(period)(time)(value)...: 0-0:98.1.0
  | 'failure-log' //  (n)(0-0:96.7.19)(end)(duration*s)...: 1-0:99.97.0
  | 'mbus-type' //    0-n:24.1.0 device type
  | 'mbus-id' //      0-n:96.1.0 / 96.1.1 equipment id
  | 'mbus-value' //   0-n:24.2.1 / 24.2.3 (time)(value*unit)
  | 'mbus-legacy'; // 0-n:24.3.0 DSMR 2.2/3: (time)(..)(..)(..)(obis)(unit) then (value) maybe on the next line

export interface ObisEntry {
  /** Canonical code, B written as '*' (any, electricity) or 'n' (M-Bus channel 1..4). */
  code: string;
  a: number;
  c: number;
  d: number;
  e: number;
  field: FieldPath;
  unit: BaseUnit;
  shape: ValueShape;
}

/** B rule per entry: electricity ignores B; abstract objects distinguish the meter (0) and channels. */
const B_ANY = 0;
const B_ZERO = 1;
const B_CHANNEL = 2;

type Row = readonly [code: string, field: string, unit: BaseUnit, shape: ValueShape];

// prettier-ignore
const ROWS: readonly Row[] = [
  // Identity and clock
  ['0-0:96.1.1', 'meterId', '', 'hex-text'],          // DSMR equipment identifier (hex ASCII)
  ['0-0:96.1.0', 'meterId', '', 'hex-text'],          // DSMR 2.2/3 and DLMS (Kaifa/Kamstrup/Aidon) meter id
  ['1-*:0.0.0', 'meterId', '', 'text'],               // EasyMeter Q3D / Iskra IE device address (later 96.1.x lines win)
  ['0-0:96.1.7', 'meterModel', '', 'text'],           // DLMS meter type (Kaifa, Kamstrup)
  ['1-*:0.2.8', 'dsmrVersion', '', 'text'],           // DSMR version (1-3:0.2.8)
  ['0-0:96.1.4', 'dsmrVersion', '', 'text'],          // e-MUCS version (BE)
  ['1-*:0.2.129', 'listId', '', 'text'],              // HAN OBIS list version identifier (1-1:0.2.129.255)
  ['1-*:0.0.5', 'meterId', '', 'text'],               // HAN: Kamstrup meter id (1-1:0.0.5.255)
  ['1-*:96.1.1', 'meterModel', '', 'text'],           // HAN: Kamstrup meter type (1-1:96.1.1.255)
  ['0-0:1.0.0', 'meterTime', '', 'time'],
  // Totals
  ['1-*:1.7.0', 'powerImportW', 'W', 'number'],
  ['1-*:2.7.0', 'powerExportW', 'W', 'number'],
  ['1-*:3.7.0', 'reactivePowerImportVar', 'var', 'number'],
  ['1-*:4.7.0', 'reactivePowerExportVar', 'var', 'number'],
  ['1-*:1.8.0', 'energyImportWh', 'Wh', 'number'],
  ['1-*:2.8.0', 'energyExportWh', 'Wh', 'number'],
  ['1-*:3.8.0', 'reactiveEnergyImportVarh', 'varh', 'number'],
  ['1-*:4.8.0', 'reactiveEnergyExportVarh', 'varh', 'number'],
  ['1-*:1.8.1', 'energyImportTariffWh.0', 'Wh', 'number'],
  ['1-*:1.8.2', 'energyImportTariffWh.1', 'Wh', 'number'],
  ['1-*:1.8.3', 'energyImportTariffWh.2', 'Wh', 'number'],
  ['1-*:1.8.4', 'energyImportTariffWh.3', 'Wh', 'number'],
  ['1-*:2.8.1', 'energyExportTariffWh.0', 'Wh', 'number'],
  ['1-*:2.8.2', 'energyExportTariffWh.1', 'Wh', 'number'],
  ['1-*:2.8.3', 'energyExportTariffWh.2', 'Wh', 'number'],
  ['1-*:2.8.4', 'energyExportTariffWh.3', 'Wh', 'number'],
  ['0-0:96.14.0', 'tariff', '', 'number'],
  // Per phase
  ['1-*:21.7.0', 'l1.powerImportW', 'W', 'number'],
  ['1-*:41.7.0', 'l2.powerImportW', 'W', 'number'],
  ['1-*:61.7.0', 'l3.powerImportW', 'W', 'number'],
  ['1-*:22.7.0', 'l1.powerExportW', 'W', 'number'],
  ['1-*:42.7.0', 'l2.powerExportW', 'W', 'number'],
  ['1-*:62.7.0', 'l3.powerExportW', 'W', 'number'],
  ['1-*:31.7.0', 'l1.currentA', 'A', 'number'],
  ['1-*:51.7.0', 'l2.currentA', 'A', 'number'],
  ['1-*:71.7.0', 'l3.currentA', 'A', 'number'],
  ['1-*:32.7.0', 'l1.voltageV', 'V', 'number'],
  ['1-*:52.7.0', 'l2.voltageV', 'V', 'number'],
  ['1-*:72.7.0', 'l3.voltageV', 'V', 'number'],
  // Belgian capacity tariff (e-MUCS)
  ['1-*:1.4.0', 'averageDemandW', 'W', 'number'],
  ['1-*:1.6.0', 'monthPeakW', 'W', 'peak'],
  ['0-0:98.1.0', 'peakHistory', 'W', 'peak-history'],
  // Power quality and events
  ['0-0:96.7.21', 'powerFailures', '', 'number'],
  ['0-0:96.7.9', 'longPowerFailures', '', 'number'],
  ['1-*:99.97.0', 'powerFailureLog', 's', 'failure-log'],
  ['1-*:32.32.0', 'voltageSags.l1', '', 'number'],
  ['1-*:52.32.0', 'voltageSags.l2', '', 'number'],
  ['1-*:72.32.0', 'voltageSags.l3', '', 'number'],
  ['1-*:32.36.0', 'voltageSwells.l1', '', 'number'],
  ['1-*:52.36.0', 'voltageSwells.l2', '', 'number'],
  ['1-*:72.36.0', 'voltageSwells.l3', '', 'number'],
  ['0-0:17.0.0', 'powerThresholdW', 'W', 'number'],
  ['0-0:96.3.10', 'breakerState', '', 'number'],
  ['0-0:96.13.0', 'textMessage', '', 'hex-text'],
  ['0-0:96.13.1', 'codeMessage', '', 'hex-text'],
  // M-Bus sub-meters (channel = B)
  ['0-n:24.1.0', 'subMeters.deviceType', '', 'mbus-type'],
  ['0-n:96.1.0', 'subMeters.id', '', 'mbus-id'],
  ['0-n:96.1.1', 'subMeters.id', '', 'mbus-id'],      // e-MUCS sends the M-Bus id as 96.1.1
  ['0-n:24.2.1', 'subMeters.value', '', 'mbus-value'],
  ['0-n:24.2.3', 'subMeters.value', '', 'mbus-value'], // e-MUCS: not temperature corrected
  ['0-n:24.3.0', 'subMeters.value', '', 'mbus-legacy'],
];

function numericKey(a: number, bRule: number, c: number, d: number, e: number): number {
  return (((a * 4 + bRule) * 256 + c) * 256 + d) * 256 + e;
}

function buildIndex(): Record<number, ObisEntry> {
  const index: Record<number, ObisEntry> = {};
  for (const [code, field, unit, shape] of ROWS) {
    const m = /^(\d+)-([0-9*n]+):(\d+)\.(\d+)\.(\d+)$/.exec(code);
    if (!m) throw new Error(`bad OBIS table row ${code}`);
    const a = +m[1];
    const bRule = m[2] === '*' ? B_ANY : m[2] === 'n' ? B_CHANNEL : B_ZERO;
    const dot = field.indexOf('.');
    let path: FieldPath;
    if (dot < 0) path = [field];
    else {
      const sub = field.slice(dot + 1);
      path = [field.slice(0, dot), /^\d+$/.test(sub) ? +sub : sub];
    }
    const entry: ObisEntry = { code, a, c: +m[3], d: +m[4], e: +m[5], field: path, unit, shape };
    index[numericKey(a, bRule, entry.c, entry.d, entry.e)] = entry;
  }
  return index;
}

// Built once at module evaluation and only read afterwards (safe to preload/freeze on Moddable).
const INDEX = buildIndex();

/** An entry found by its exact DSMR text code, with the B (channel) the text carried. */
export interface ObisTextHit {
  entry: ObisEntry;
  b: number;
}

/**
 * Exact-text index for the DSMR hot path: "1-0:31.7.0" -> entry, one property look-up (about
 * 20 XS computrons, against 300 for reading the digits one by one). Every B a meter plausibly
 * sends is spelled out (0..9 for electricity, 0 for the meter, 1..9 for M-Bus channels);
 * anything else ("*255" suffixes, "1-0:99:97.0") falls back to lookupObisParts.
 */
function buildTextIndex(): Record<string, ObisTextHit> {
  // No prototype: a text key can never hit an inherited property.
  const index = Object.create(null) as Record<string, ObisTextHit>;
  for (const key of Object.keys(INDEX)) {
    const entry = INDEX[+key];
    const bRule = Math.floor(+key / 16777216) % 4;
    const cde = `${entry.c}.${entry.d}.${entry.e}`;
    for (let b = 0; b <= 9; b++) {
      if ((bRule === B_ZERO && b !== 0) || (bRule === B_CHANNEL && b === 0)) continue;
      index[`${entry.a}-${b}:${cde}`] = { entry, b };
    }
  }
  return index;
}

const TEXT_INDEX = buildTextIndex();

/** Exact DSMR text code ("0-1:24.2.1") -> entry and channel, or undefined (then parse the digits). */
export function lookupObisDsmrText(code: string): ObisTextHit | undefined {
  return TEXT_INDEX[code];
}

/** Hot-path look-up from already parsed numbers (the DSMR line parser uses this). */
export function lookupObisParts(a: number, b: number, c: number, d: number, e: number): ObisEntry | undefined {
  if (a !== 0) return INDEX[numericKey(a, B_ANY, c, d, e)];
  return INDEX[numericKey(0, b === 0 ? B_ZERO : B_CHANNEL, c, d, e)];
}

/**
 * Look up a code given as text ("1-0:31.7.0", "1-0:31.7.0.255", "1-0:31.7.0*255", also
 * "1.0.31.7.0.255" dotted as some HAN lists print it) or as the 6-byte DLMS logical name.
 */
export function lookupObis(code: string | Uint8Array): ObisEntry | undefined {
  if (typeof code !== 'string') {
    if (code.length < 5) return undefined;
    return lookupObisParts(code[0], code[1], code[2], code[3], code[4]);
  }
  const parts = parseObisText(code);
  return parts ? lookupObisParts(parts[0], parts[1], parts[2], parts[3], parts[4]) : undefined;
}

/** "A-B:C.D.E[.F|*F]" or "A.B.C.D.E.F" -> [A,B,C,D,E], else undefined. */
export function parseObisText(code: string): number[] | undefined {
  const out: number[] = [];
  let n = -1;
  for (let i = 0; i <= code.length; i++) {
    const ch = i < code.length ? code.charCodeAt(i) : -1;
    if (ch >= 48 && ch <= 57) n = (n < 0 ? 0 : n * 10) + (ch - 48);
    else {
      if (n < 0 || n > 255) return undefined;
      out.push(n);
      n = -1;
      if (ch === -1) break;
      if (ch !== 45 && ch !== 58 && ch !== 46 && ch !== 42) return undefined; // - : . *
    }
  }
  return out.length === 5 || out.length === 6 ? out.slice(0, 5) : undefined;
}

/**
 * Factor that converts a value in `wireUnit` (as the meter wrote it, any case: "kW", "kWh",
 * "kvar", "kVArh", "W") into the entry's base unit; undefined when the unit does not fit
 * (a decoder then drops the value rather than guess). An absent wire unit is accepted as-is:
 * DSMR counters and some HAN lists carry no unit.
 */
export function unitScale(wireUnit: string, base: BaseUnit): number | undefined {
  if (wireUnit === '') return 1;
  const u = wireUnit.toLowerCase();
  switch (base) {
    case 'W':
      return u === 'kw' ? 1000 : u === 'w' ? 1 : u === 'kva' ? 1000 : u === 'va' ? 1 : undefined;
    case 'Wh':
      return u === 'kwh' ? 1000 : u === 'wh' ? 1 : undefined;
    case 'var':
      return u === 'kvar' ? 1000 : u === 'var' ? 1 : undefined;
    case 'varh':
      return u === 'kvarh' ? 1000 : u === 'varh' ? 1 : undefined;
    case 'A':
      return u === 'a' ? 1 : u === 'ma' ? 0.001 : undefined;
    case 'V':
      return u === 'v' ? 1 : u === 'kv' ? 1000 : undefined;
    case 's':
      return u === 's' ? 1 : undefined;
    default:
      return 1;
  }
}

/** DLMS/COSEM unit enumeration (IEC 62056-62 / Blue Book) for the units we use. */
export function dlmsUnitName(code: number): string | undefined {
  switch (code) {
    case 7:
      return 's';
    case 13:
      return 'm3';
    case 14:
      return 'm3'; // corrected volume
    case 27:
      return 'W';
    case 28:
      return 'VA';
    case 29:
      return 'var';
    case 30:
      return 'Wh';
    case 31:
      return 'VAh';
    case 32:
      return 'varh';
    case 33:
      return 'A';
    case 35:
      return 'V';
    case 44:
      return 'Hz';
    case 56:
      return '%';
    default:
      return undefined;
  }
}

/**
 * Store a plain value at an entry's field path in a reading-like object ('l1.currentA',
 * 'energyImportTariffWh.1', 'voltageSags.l2'). Not for the sub-meter / peak / log shapes, which
 * the decoders build themselves.
 */
export function setObisField(target: Record<string, unknown>, path: FieldPath, value: unknown): void {
  if (path.length === 1) {
    target[path[0]] = value;
    return;
  }
  const key = path[1];
  let holder = target[path[0]] as Record<string | number, unknown> | undefined;
  if (holder === undefined) {
    holder = (typeof key === 'number' ? [] : {}) as Record<string | number, unknown>;
    target[path[0]] = holder;
  }
  holder[key] = value;
}
