/** tools/decode.ts run as a subprocess, the way a user runs `npm run decode -- ...`. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { aesGcmEncrypt } from '../../decoders/crypto/gcm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');
const P1 = join(ROOT, 'hosttests', 'vectors', 'p1');
const APDUS = join(ROOT, 'hosttests', 'han-meters', 'apdus', 'amsreader-firmware');

function decode(args: string[], input?: Buffer): { status: number | null; lines: any[]; stderr: string } {
  const r = spawnSync(TSX, [join(ROOT, 'tools', 'decode.ts'), ...args], { cwd: ROOT, input, encoding: 'utf8' });
  const lines = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));
  return { status: r.status, lines, stderr: r.stderr };
}

describe('npm run decode', () => {
  it('prints one JSON line per telegram with the reading in W/Wh', () => {
    const r = decode([join(P1, 'ndokter-dsmr_parser', 'telegram_v5.txt')]);
    expect(r.status).toBe(0);
    expect(r.lines).toHaveLength(1);
    expect(r.lines[0].ok).toBe(true);
    expect(r.lines[0].file).toMatch(/telegram_v5\.txt$/);
    expect(r.lines[0].reading.energyImportTariffWh).toEqual([4426, 2399]);
    expect(r.lines[0].reading.powerImportW).toBe(244);
  });

  it('reports a CRC mismatch as an error line, and parses it only with --skip-checksum', () => {
    const file = join(P1, 'node-dsmr-parser', 'dsmr-5.0-spec-example.txt');
    const checked = decode([file]);
    expect(checked.status).toBe(0);
    expect(checked.lines).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'checksum' }) })]);
    const skipped = decode(['--skip-checksum', file]);
    expect(skipped.lines[0].ok).toBe(true);
    expect(skipped.lines[0].reading.checksumChecked).toBe(false);
  });

  it('decrypts an encrypted .hex capture with --key and --auth-key, and says when the key is missing', () => {
    const file = join(P1, 'encrypted', 'shrdzm-sagemcom-t210d-steiermark.hex');
    const withKey = decode(['--key', '953E7F1725EA910F26E053813A639094', file]);
    expect(withKey.lines[0]).toMatchObject({ ok: true, format: 'dsmr-encrypted', reading: { encrypted: true, powerImportW: 544 } });
    const noKey = decode([file]);
    expect(noKey.lines[0]).toMatchObject({ ok: false, error: { code: 'encrypted-no-key' } });
    const smarty = decode([
      '--key',
      'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '--auth-key',
      '00112233445566778899AABBCCDDEEFF',
      join(P1, 'encrypted', 'esphome-smarty-synthetic.bin'),
    ]);
    expect(smarty.lines[0]).toMatchObject({ ok: true, reading: { powerImportW: 286 } });
    const wrongAuth = decode([
      '--key',
      'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      '--auth-key',
      '00112233445566778899AABBCCDDEEFE',
      join(P1, 'encrypted', 'esphome-smarty-synthetic.bin'),
    ]);
    expect(wrongAuth.lines[0]).toMatchObject({ ok: false, error: { code: 'decrypt-failed' } });
  });

  it('reads stdin with "-" and hex text with comments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'decode-cli-'));
    const telegram = Buffer.from('/ISk5\\2MT382-1000\r\n\r\n1-0:1.7.0(001.19*kW)\r\n!\r\n', 'latin1');
    const hexFile = join(dir, 'one.hex');
    writeFileSync(hexFile, `# a DSMR 3 telegram as hex\n${telegram.toString('hex').replace(/(..)/g, '$1 ')}// end\n`);
    const fromHex = decode([hexFile]);
    expect(fromHex.lines[0]).toMatchObject({ ok: true, reading: { powerImportW: 1190 } });
    const fromStdin = decode(['-'], telegram);
    expect(fromStdin.lines[0]).toMatchObject({ file: '-', ok: true, reading: { powerImportW: 1190 } });
  });

  it('exits non-zero with a clear message for an unreadable file, bad hex, a bad key and no input', () => {
    const missing = decode(['/nonexistent/capture.txt']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/cannot read \/nonexistent\/capture\.txt/);
    const dir = mkdtempSync(join(tmpdir(), 'decode-cli-'));
    const bad = join(dir, 'bad.hex');
    writeFileSync(bad, '7E A0 ZZ');
    const badHex = decode([bad]);
    expect(badHex.status).toBe(1);
    expect(badHex.stderr).toMatch(/unexpected character 'Z'/);
    const badKey = decode(['--key', '1234', bad]);
    expect(badKey.status).toBe(2);
    expect(badKey.stderr).toMatch(/--key must be 16 bytes/);
    const none = decode([]);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/usage/);
  });

  it('accepts a raw DLMS APDU as users paste them (0F ..., or E6 E7 00 0F ...): auto-detected, format dlms', () => {
    const bare = decode([join(APDUS, 'iskra-ie5-hr-gh1072-4.hex')]);
    expect(bare.status).toBe(0);
    expect(bare.lines).toEqual([
      expect.objectContaining({ ok: true, format: 'dlms', reading: expect.objectContaining({ meterId: '92029691', powerImportW: 382 }) }),
    ]);
    const llc = decode([join(APDUS, 'iskra-am550-1phase-list1-gh869-8.hex')]);
    expect(llc.lines).toEqual([expect.objectContaining({ ok: true, format: 'dlms', reading: expect.objectContaining({ powerImportW: 540 }) })]);
    // the same bytes as a wire stream would be 'garbage': the CLI says how it read them
    expect(bare.stderr).toMatch(/raw DLMS APDU/);
  });

  it('--apdu forces the raw-APDU reading (a glo-ciphering APDU with --key), and refuses bytes that are no APDU', () => {
    const dir = mkdtempSync(join(tmpdir(), 'decode-cli-'));
    // BUILT IN THIS TEST: the real plaintext of #1072 frame 4 encrypted under a test key
    // (general-glo-ciphering, SC 0x20, system title and frame counter made up here).
    const plain = readFileSync(join(APDUS, 'iskra-ie5-hr-gh1072-4.hex'), 'latin1').replace(/[^0-9A-Fa-f]/g, '');
    const key = Uint8Array.from({ length: 16 }, (_, i) => 0x30 + i);
    const iv = Uint8Array.from([0x49, 0x53, 0x4b, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2a]);
    const { ciphertext } = aesGcmEncrypt({ key, iv, plaintext: Uint8Array.from(Buffer.from(plain, 'hex')) });
    const body = [0x20, 0x00, 0x00, 0x00, 0x2a, ...ciphertext];
    const apdu = Uint8Array.from([0xdb, 0x08, ...iv.subarray(0, 8), 0x81, body.length, ...body]);
    const file = join(dir, 'glo.hex');
    writeFileSync(file, Buffer.from(apdu).toString('hex'));
    const keyHex = Buffer.from(key).toString('hex');
    const forced = decode(['--apdu', '--key', keyHex, file]);
    expect(forced.lines).toEqual([
      expect.objectContaining({ ok: true, format: 'dlms', reading: expect.objectContaining({ meterId: '92029691', encrypted: true }) }),
    ]);
    const noKey = decode(['--apdu', file]);
    expect(noKey.lines).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'encrypted-no-key' }) })]);
    const text = join(dir, 'text.txt');
    writeFileSync(text, 'not an APDU');
    const refused = decode(['--apdu', text]);
    expect(refused.lines).toEqual([expect.objectContaining({ ok: false, format: 'dlms', error: expect.objectContaining({ code: 'unsupported' }) })]);
  });
});
