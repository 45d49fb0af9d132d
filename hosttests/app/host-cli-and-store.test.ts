// The PC host's own small pieces: CLI parsing (firmware/host/main.ts) and the atomic settings file.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs, parseLineWord } from '../../firmware/host/main';
import { FileSettingsStore } from '../../firmware/host/file-settings-store';

describe('CLI', () => {
  test('defaults: simulated meter, port 8080, loopback, ./meterbox-settings.json', () => {
    const o = parseArgs([]);
    expect(o).toMatchObject({ port: 8080, host: '127.0.0.1', settings: './meterbox-settings.json', captures: [] });
    expect(o.serial).toBeUndefined();
    expect(o.tcp).toBeUndefined();
  });

  test('serial line options and the one-word form', () => {
    const o = parseArgs(['--serial', '/dev/ttyUSB0', '--baud', '2400', '--data-bits', '8', '--parity', 'even', '--stop-bits', '1']);
    expect(o.serial).toBe('/dev/ttyUSB0');
    expect(o.line).toEqual({ baud: 2400, dataBits: 8, parity: 'even', stopBits: 1 });
    expect(parseArgs(['--serial', 'x', '--line', 'auto']).lineMode).toBe('auto');
    expect(parseLineWord('115200 8N1')).toEqual({ baud: 115200, dataBits: 8, parity: 'none', stopBits: 1 });
    expect(parseLineWord('9600-7E1')).toEqual({ baud: 9600, dataBits: 7, parity: 'even', stopBits: 1 });
    expect(parseLineWord('2400 9E1')).toBeUndefined();
    expect(parseLineWord('fast')).toBeUndefined();
  });

  test('captures (repeatable and comma separated), cadence, tcp', () => {
    const o = parseArgs(['--capture', 'a.hex,b.hex', '--capture', 'c.txt', '--interval-ms', '10000', '--replay-baud', '0']);
    expect(o.captures).toEqual(['a.hex', 'b.hex', 'c.txt']);
    expect(o.intervalMs).toBe(10000);
    expect(o.replayBaud).toBe(0);
    expect(parseArgs(['--tcp', '127.0.0.1:2000']).tcp).toEqual({ host: '127.0.0.1', port: 2000 });
  });

  test.each([
    [['--bogus'], /unknown option/],
    [['--port'], /needs a value/],
    [['--port', '-1'], /non-negative/],
    [['--parity', 'mark'], /parity/],
    [['--data-bits', '9'], /data-bits/],
    [['--stop-bits', '3'], /stop-bits/],
    [['--line', '2400'], /--line/],
    [['--tcp', 'nohost'], /HOST:PORT/],
    [['--tcp', 'h:99999'], /HOST:PORT/],
    [['--serial', '/dev/x', '--tcp', '127.0.0.1:1'], /one meter source/],
  ])('%j is refused', (args, reason) => {
    expect(() => parseArgs(args)).toThrow(reason);
  });
});

describe('FileSettingsStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'meterbox-store-'));

  test('nothing stored yet: undefined; save then load returns the text; no temp file left', () => {
    const store = new FileSettingsStore(join(dir, 'a.json'));
    expect(store.load()).toBeUndefined();
    store.save('{"version":1}');
    expect(store.load()).toBe('{"version":1}');
    store.save('{"version":1,"x":2}');
    expect(store.load()).toBe('{"version":1,"x":2}');
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
  });

  test('a failed write throws and leaves the old document whole', () => {
    const path = join(dir, 'b.json');
    writeFileSync(path, '{"old":true}');
    // Block the temp file's name with a directory: opening it for writing fails (even as root).
    mkdirSync(join(dir, `.b.json.${process.pid}.tmp`));
    const store = new FileSettingsStore(path);
    expect(() => store.save('{"new":true}')).toThrow();
    expect(readFileSync(path, 'utf8')).toBe('{"old":true}');
  });
});
