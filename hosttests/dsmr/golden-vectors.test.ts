/**
 * Every P1 vector in hosttests/vectors/p1, discovered from the folder, through the MeterStream
 * front exactly as the device sees it:
 * - CRC-broken ones (sidecar cross_check.values.crc_ok === false) are rejected 'checksum' with the
 *   check on, and only parsed with skipChecksum explicitly on (the reading then says so);
 * - the values each source states (sidecar expected_source) must match ours (expected-maps.ts
 *   maps their names to our fields and records where we disagree with a source, and why);
 * - encrypted ones decrypt with the keys in their sidecars and give the same reading as their
 *   clear-text original.
 */
import type { FrameResult } from '../../decoders/frame-result';
import type { DecoderOptions } from '../../decoders/frame-result';
import type { MeterReading } from '../../decoders/reading';
import { parseTelegramText } from '../../decoders/dsmr/parse-telegram';
import { MeterStream } from '../../decoders/meter-stream';
import { latin1, latin1Bytes } from '../../decoders/util/ascii';
import { crc16Arc } from '../../decoders/util/crc16-arc';
import { parseHexText } from '../../decoders/util/hex';
import { compareNdokter, compareNodeDsmr } from './expected-maps';
import { loadP1Vectors, type P1Vector } from './vectors';

const vectors = loadP1Vectors();

function run(bytes: Uint8Array, options: DecoderOptions = {}): FrameResult[] {
  const s = new MeterStream(options);
  const out: FrameResult[] = [];
  s.push(bytes, (r) => out.push(r));
  s.flush((r) => out.push(r));
  return out;
}

function frames(results: FrameResult[]): FrameResult[] {
  return results.filter((r) => r.ok || r.error.code !== 'garbage');
}

/**
 * Where we knowingly disagree with a source (the specification wins). Each entry is checked to
 * still differ, so a fix on either side shows up here.
 */
const DISAGREEMENTS: Record<string, Record<string, string>> = {
  'ndokter-dsmr_parser/telegram_fluvius_v171': {
    BELGIUM_MAXIMUM_DEMAND_13_MONTHS:
      'the stamps 200301000000S and 200305122139S carry the summer flag in March before DST began; ' +
      'we honour the flag (+02:00) as the spec defines it, ndokter ignores it and applies Europe/Brussels (+01:00)',
  },
  'ndokter-dsmr_parser/telegram_iskra_ie': {
    P1_MESSAGE_TIMESTAMP: '230202132747S: summer flag in February; we honour the flag (+02:00), ndokter applies Europe/Amsterdam (+01:00)',
  },
  'ndokter-dsmr_parser/telegram_v3': {
    ACTUAL_TRESHOLD_ELECTRICITY:
      '0-0:17.0.0(016*A) is a current limit on DSMR 3 meters; powerThresholdW is in W, so we leave it absent rather than call 16 A "16"',
    TEXT_MESSAGE_CODE: 'ndokter reads the hex code message as an integer (303132333435363700, precision lost); we decode the hex ASCII "012345678"',
  },
  'ndokter-dsmr_parser/telegram_v5_two_mbus': {
    MBUS_DEVICES:
      'channel 1 sends 0-1:24.2.1(700101010000W)(00000000), the never-captured placeholder, and no id: nothing is connected ' +
      'there, so it is no sub-meter (ndokter lists a gas meter of 0 m3, which whoever takes the first gas meter then shows)',
  },
  'node-dsmr-parser/kamstrup-OMNIA-e-meter-three-phase': {
    'meterTime (wall clock)': '250000000000W has month 00 and day 00: invalid, left absent; node-dsmr-parser rolls it over into 2024-11-30',
  },
  'node-dsmr-parser/sagemcom-xt211': {
    'meterTime (wall clock)': '123412341234W (month 34) is a placeholder: invalid, left absent; node-dsmr-parser rolls it over into 2014-10-13',
  },
};

function expectSourceValues(v: P1Vector, reading: MeterReading): void {
  const es = v.sidecar.expected_source;
  let ours: Record<string, unknown>;
  let theirs: Record<string, unknown>;
  if (es?.parsed) {
    const c = compareNdokter(reading, es.parsed);
    expect(c.unknown).toEqual([]);
    ours = c.ours;
    theirs = c.theirs;
  } else if (es?.electricity || es?.metadata) {
    ({ ours, theirs } = compareNodeDsmr(reading, es));
  } else return;
  expect(Object.keys(theirs).length).toBeGreaterThan(0);
  for (const label of Object.keys(DISAGREEMENTS[v.name] ?? {})) {
    expect({ label, ours: ours[label] }).not.toEqual({ label, ours: theirs[label] });
    delete ours[label];
    delete theirs[label];
  }
  expect(ours).toEqual(theirs);
}

const clear = vectors.filter((v) => v.dataFile.endsWith('.txt'));
const encrypted = vectors.filter((v) => !v.dataFile.endsWith('.txt'));

test('the vector folder holds the P1 families we claim to support', () => {
  expect(clear.length).toBeGreaterThanOrEqual(36);
  expect(encrypted.length).toBeGreaterThanOrEqual(4);
});

test('our CRC-16/ARC equals the independent cross-check CRC of every clear vector', () => {
  const checked = clear.filter((v) => typeof v.sidecar.cross_check?.values?.crc_calc === 'string');
  expect(checked.length).toBeGreaterThanOrEqual(30);
  for (const v of checked) {
    const bang = v.bytes.lastIndexOf(0x21);
    const ours = crc16Arc(v.bytes, 0, bang + 1)
      .toString(16)
      .toUpperCase()
      .padStart(4, '0');
    expect({ name: v.name, crc: ours }).toEqual({ name: v.name, crc: v.sidecar.cross_check.values.crc_calc });
  }
});

describe.each(clear.map((v) => [v.name, v] as const))('%s', (_name, v) => {
  const cc = v.sidecar.cross_check?.values ?? {};

  if (cc.has_bang === false) {
    // Stored without the closing "!" line: a cut telegram for the splitter; lines still parse.
    it('is reported truncated by the splitter (no "!"), and its lines still parse', () => {
      const results = frames(run(v.bytes));
      expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['truncated']);
      expectSourceValues(v, parseTelegramText(latin1(v.bytes)).reading);
    });
    return;
  }

  if (cc.crc_ok === false) {
    it('is rejected with the checksum check on, never parsed into numbers', () => {
      const results = frames(run(v.bytes));
      expect(results).toHaveLength(1);
      expect(results[0]).toMatchObject({ ok: false, error: { code: 'checksum' } });
    });
    it('parses with skipChecksum explicitly on, says so, and matches its source', () => {
      const results = frames(run(v.bytes, { skipChecksum: true }));
      expect(results).toHaveLength(1);
      const r = results[0];
      if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
      expect(r.reading.checksumChecked).toBe(false);
      expectSourceValues(v, r.reading);
    });
    return;
  }

  it(`decodes (${cc.crc_ok === true ? 'CRC checked' : 'no CRC: DSMR 2.2/3 or D0'}) and matches its source`, () => {
    const results = frames(run(v.bytes));
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`))).toEqual(['ok']);
    const r = results[0];
    if (!r.ok) return;
    expect(r.reading.protocol).toBe('dsmr');
    expect(r.reading.checksumChecked).toBeUndefined();
    expectSourceValues(v, r.reading);
  });
});

function keysOf(v: P1Vector): DecoderOptions {
  const e = v.sidecar.encryption ?? {};
  const ak = e.ak ?? e.ak_or_aad_16;
  return {
    encryptionKey: parseHexText(e.ek),
    ...(ak ? { authenticationKey: parseHexText(ak) } : {}),
  };
}

/** The same telegram in clear text, for comparison: the vector it was made from, or the sidecar's plaintext. */
function clearReading(v: P1Vector, skipChecksum: boolean): MeterReading | undefined {
  const es = v.sidecar.expected_source;
  let bytes: Uint8Array | undefined;
  if (typeof es?.plaintext === 'string') {
    const original = clear.find((c) => es.plaintext.includes(c.name.split('/').pop() + '.txt'));
    bytes = original?.bytes;
  } else if (typeof v.sidecar.cross_check?.values?.plaintext === 'string') {
    bytes = latin1Bytes(v.sidecar.cross_check.values.plaintext);
  }
  if (bytes === undefined) return undefined;
  const r = frames(run(bytes, { skipChecksum }));
  return r[0]?.ok ? r[0].reading : undefined;
}

describe.each(encrypted.map((v) => [v.name, v] as const))('%s (encrypted)', (_name, v) => {
  const innerCrcBroken = /luxembourgh-spec-example/.test(v.name); // the spec example's CRC is made up
  const options = { ...keysOf(v), skipChecksum: innerCrcBroken };

  it('decrypts with the sidecar keys into a telegram', () => {
    const results = frames(run(v.bytes, options));
    expect(results.map((r) => (r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`))).toEqual(['ok']);
    const r = results[0];
    if (!r.ok) return;
    expect(r.format).toBe('dsmr-encrypted');
    expect(r.reading.encrypted).toBe(true);
    const startsWith = v.sidecar.expected_source?.starts_with as string | undefined;
    if (startsWith) expect(`/${r.reading.listId}`).toBe(startsWith.split('\\r\\n')[0].replace(/\\\\/g, '\\'));
    const plain = clearReading(v, innerCrcBroken);
    if (plain !== undefined) {
      const { encrypted: _e, ...rest } = r.reading;
      expect(rest).toEqual(plain);
    } else {
      expect(startsWith).toBeDefined();
    }
  });

  it('says encrypted-no-key without a key, and decrypt-failed with a wrong one', () => {
    expect(frames(run(v.bytes))).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'encrypted-no-key' }) })]);
    const wrong = keysOf(v);
    wrong.encryptionKey = wrong.encryptionKey!.slice();
    wrong.encryptionKey[0] ^= 1;
    const r = frames(run(v.bytes, wrong));
    expect(r).toHaveLength(1);
    expect(r[0].ok).toBe(false);
    if (!r[0].ok) expect(['decrypt-failed', 'checksum']).toContain(r[0].error.code);
  });
});
