/**
 * The normalized meter reading: the one contract every decoder (DSMR text, DLMS/COSEM binary)
 * produces and everything downstream (headroom, snapshot, publishers) consumes.
 *
 * Rules:
 * - Plain JSON-able data only (no classes, no Dates, no typed arrays), so it can be stringified
 *   on the device and compared byte for byte between Node and XS.
 * - Every field is optional except `protocol`. A value the meter did not send is ABSENT,
 *   never 0: Norwegian IT-grid meters never report L2 current, and a 0 there would make the
 *   headroom engine believe a loaded phase is idle.
 * - Units are in the names: W, Wh, var, varh, A, V, s. Energy is in Wh (not kWh) and power in W,
 *   whatever unit the meter used on the wire.
 * - Times are ISO 8601 strings as the meter states them, with the UTC offset when the meter
 *   tells it (DSMR S/W flag, COSEM deviation); without offset when it does not.
 *
 * decoders/README.md documents each field, its unit and which meters send it.
 */

export type Protocol = 'dsmr' | 'dlms';

export interface PhaseReading {
  currentA?: number;
  voltageV?: number;
  powerImportW?: number;
  powerExportW?: number;
}

export interface InferredUnits {
  voltageV?: number;
  currentA?: number;
}

export type SubMeterType = 'gas' | 'water' | 'heat' | 'cold' | 'electricity' | 'other';

export interface SubMeterReading {
  /** M-Bus channel 1..4 (the B field of 0-B:24.2.1). */
  channel: number;
  type: SubMeterType;
  /** M-Bus device type as sent (0-B:24.1.0), e.g. 3 = gas, 7 = water. */
  deviceType?: number;
  id?: string;
  value?: number;
  /** Unit as the meter states it, e.g. "m3", "GJ", "kWh". */
  unit?: string;
  /** Capture time of `value`, ISO 8601. */
  time?: string;
}

export interface PeakRecord {
  /** Month (or period) the peak belongs to, ISO 8601 time stamp as sent. */
  periodTime?: string;
  /** When the peak occurred. */
  peakTime?: string;
  powerW: number;
}

export interface PowerFailureEvent {
  /** When the failure ended, ISO 8601. */
  endTime: string;
  durationS: number;
}

export interface PerPhaseCounts {
  l1?: number;
  l2?: number;
  l3?: number;
}

export interface MeterReading {
  protocol: Protocol;

  // Identity
  meterId?: string;
  meterModel?: string;
  manufacturer?: string;
  /** HAN list identifier (e.g. "AIDON_V0001", "KFM_001") or the DSMR header line without '/'. */
  listId?: string;
  /** DSMR version as sent in 1-3:0.2.8 / 0-0:96.1.4 (e.g. "50", "42"), or inferred ("2.2", "3"). */
  dsmrVersion?: string;
  meterTime?: string;

  // Totals (instantaneous)
  powerImportW?: number;
  powerExportW?: number;
  reactivePowerImportVar?: number;
  reactivePowerExportVar?: number;

  // Per phase
  l1?: PhaseReading;
  l2?: PhaseReading;
  l3?: PhaseReading;
  /** Number of phases the meter measures, when it tells (or its list shape implies). */
  phaseCount?: 1 | 3;
  /** True when the meter states it sits on a 3-wire grid (IT/TT 3x230 V, no neutral). */
  threeWire?: boolean;
  /**
   * Per-phase voltage or current the list sent without a unit (no scaler_unit, none documented
   * for the make) whose unit the decoder worked out from physics: the factor applied to the raw
   * numbers (0.1 = tenths of a volt, 1 = amperes). Measured values, inferred scale: a consumer
   * that wants to be careful about them can be (decoders/dlms/lists/phase-units.ts says how).
   */
  inferredUnits?: InferredUnits;
  /**
   * Per-phase quantities the list sent without a unit that physics could not pin: left absent
   * (a 0 is kept, being 0 in every unit), never guessed.
   */
  unknownUnits?: ('voltageV' | 'currentA')[];

  // Registers
  energyImportWh?: number;
  energyExportWh?: number;
  reactiveEnergyImportVarh?: number;
  reactiveEnergyExportVarh?: number;
  /** DSMR per-tariff registers, index 0 = tariff 1 (1-0:1.8.1), index 1 = tariff 2 (1-0:1.8.2). */
  energyImportTariffWh?: number[];
  energyExportTariffWh?: number[];
  /** Active tariff indicator (0-0:96.14.0), 1-based. */
  tariff?: number;

  // Belgian capacity tariff (e-MUCS)
  averageDemandW?: number;
  monthPeakW?: number;
  monthPeakTime?: string;
  peakHistory?: PeakRecord[];

  // Power quality and events
  powerFailures?: number;
  longPowerFailures?: number;
  powerFailureLog?: PowerFailureEvent[];
  voltageSags?: PerPhaseCounts;
  voltageSwells?: PerPhaseCounts;
  /** Breaker / power limit the meter enforces (0-0:17.0.0), W. */
  powerThresholdW?: number;
  /** Breaker state (0-0:96.3.10): 0 disconnected, 1 connected, 2 ready for reconnection. */
  breakerState?: number;
  textMessage?: string;
  codeMessage?: string;

  // Sub-meters on the M-Bus side (gas, water, heat)
  subMeters?: SubMeterReading[];

  /**
   * 'short' when the frame carries only total power (Norwegian HAN list 1 every 2-2.5 s,
   * between full lists every 10 s); 'full' otherwise. Headroom estimates per-phase currents
   * from short frames and says so.
   */
  frameKind?: 'short' | 'full';
  /** True when the frame arrived encrypted and was decrypted. */
  encrypted?: boolean;
  /** Present (false) only when the caller explicitly turned the checksum check off (tests, diagnostics). */
  checksumChecked?: false;
}

/** Why a frame was not turned into a reading. Codes are stable; messages are for humans. */
export type DecodeErrorCode =
  | 'checksum' // CRC / FCS / HCS / M-Bus checksum mismatch
  | 'missing-checksum' // a DSMR 4+ telegram without its CRC
  | 'truncated' // frame ended early or was cut by a new start
  | 'overflow' // frame longer than the splitter's bounded buffer
  | 'malformed' // framing right, content not parseable
  | 'unsupported' // well-formed but a shape we do not know
  | 'encrypted-no-key' // encrypted frame and no key configured
  | 'decrypt-failed' // wrong key or authentication tag mismatch
  | 'garbage'; // bytes between frames that belong to no frame

export interface DecodeError {
  code: DecodeErrorCode;
  message: string;
}
