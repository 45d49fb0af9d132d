/**
 * One framed DSMR telegram (bytes '/' .. '!', CRC already checked by the splitter) ->
 * FrameResult. Decides the one rule the splitter cannot: a telegram without a CRC is valid
 * only for DSMR 2.2/3 (and DSMR-like D0 meters such as EasyMeter), which never send one;
 * a telegram that shows it is DSMR 4 or later must carry it (P1 Companion Standard 5.0.2, 6.2)
 * and is rejected as 'missing-checksum' before any value is parsed. DSMR 4+ shows it by
 * 1-3:0.2.8 >= 40, e-MUCS by 0-0:96.1.4, and every later meter (also those without a version
 * line: Kamstrup OMNIA, Iskra IE, E.ON HU) by the telegram time stamp 0-0:1.0.0, which DSMR
 * 2.2/3 did not have. In the vectors this splits the CRC-less telegrams from the rest exactly.
 */
import type { DecoderOptions, FrameFormat, FrameResult } from '../frame-result';
import { textOf } from '../util/ascii';
import { readTelegram, type TelegramLayout } from './layout';
import { parseTelegramText } from './parse-telegram';

/** 'ok' = CRC present and matched; 'absent' = no CRC digits after '!'; 'skipped' = checked off. */
export type ChecksumState = 'ok' | 'absent' | 'skipped';

export function decodeDsmrTelegram(
  frame: Uint8Array,
  checksum: ChecksumState,
  options: DecoderOptions,
  format: FrameFormat = 'dsmr',
  frameText?: string,
  layout?: TelegramLayout,
): FrameResult {
  const text = frameText ?? textOf(options, frame);
  if (checksum === 'absent' && !options.skipChecksum && declaresChecksum(text)) {
    return {
      ok: false,
      format,
      error: { code: 'missing-checksum', message: 'DSMR 4+ telegram ends without its CRC after "!"' },
      raw: frame,
    };
  }
  // (with the meter's layout the telegram may be replayed from the previous one's lines: layout.ts)
  const parsed = layout !== undefined ? readTelegram(text, layout) : parseTelegramText(text);
  if (parsed.knownObjects === 0) {
    // '/' .. '!' around nothing we know (binary noise that happens to hold both, or a header
    // only): not a meter reading. Matters most for CRC-less telegrams, where nothing else
    // vouches for the bytes.
    return { ok: false, format, error: { code: 'malformed', message: 'telegram holds no known COSEM object' }, raw: frame };
  }
  const reading = parsed.reading;
  if (format === 'dsmr-encrypted') reading.encrypted = true;
  if (options.skipChecksum) reading.checksumChecked = false;
  return { ok: true, format, reading, raw: frame };
}

/** True when the telegram says it is DSMR 4 or later (or Belgian e-MUCS), so a CRC is mandatory. */
export function declaresChecksum(text: string): boolean {
  if (text.indexOf(':96.1.4(') >= 0 || text.indexOf('\n0-0:1.0.0(') >= 0) return true;
  const v = text.indexOf(':0.2.8(');
  if (v < 0) return false;
  const d = text.charCodeAt(v + 7) - 48;
  return d >= 4 && d <= 9;
}
