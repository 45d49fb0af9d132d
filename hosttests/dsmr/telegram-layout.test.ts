/**
 * The telegram layout (decoders/dsmr/layout.ts): a telegram with the same skeleton as the
 * previous one is replayed from its records instead of parsed line by line. Replaying must give
 * exactly what a full parse gives (same fields, same key order, same counts), whatever digits
 * changed, including the digits of the OBIS codes themselves.
 */
import { readTelegram, TelegramLayout, skeletonOf } from '../../decoders/dsmr/layout';
import { parseTelegramText } from '../../decoders/dsmr/parse-telegram';
import { latin1 } from '../../decoders/util/ascii';
import { loadP1Vectors } from './vectors';
import { mulberry32 } from '../../tools/simulate/prng';

/** A fixed sequence (the simulator's mulberry32), so a failure reproduces. */
const prng = mulberry32;

/** Change a few digits anywhere (values, time stamps, ids, OBIS codes): the skeleton stays. */
function newDigits(text: string, rnd: () => number): string {
  const chars = text.split('');
  const changes = 1 + Math.floor(rnd() * 6);
  for (let k = 0; k < changes; k++) {
    const at = Math.floor(rnd() * chars.length);
    if (chars[at] >= '0' && chars[at] <= '9') chars[at] = String(Math.floor(rnd() * 10));
  }
  return chars.join('');
}

const full = (text: string): string => JSON.stringify(parseTelegramText(text));

/** A layout that counts its replays. */
function countingLayout(): { layout: TelegramLayout; replays: () => number } {
  const layout = new TelegramLayout();
  let n = 0;
  const hit = layout.hit.bind(layout);
  layout.hit = () => {
    n++;
    hit();
  };
  return { layout, replays: () => n };
}

const telegram = (...lines: string[]): string => ['/ISk5\\2MT382-1000', '', ...lines, '!'].join('\r\n');

describe('telegram layout replay', () => {
  test.each(
    loadP1Vectors()
      .filter((v) => !v.name.startsWith('encrypted/'))
      .map((v) => [v.name, v] as const),
  )('%s: a run of telegrams with changed digits reads exactly as parsed in full', (_name, v) => {
    const rnd = prng(v.bytes.length);
    const original = latin1(v.bytes);
    const { layout, replays } = countingLayout();
    let text = original;
    for (let i = 0; i < 60; i++) {
      expect(JSON.stringify(readTelegram(text, layout))).toBe(full(text));
      text = rnd() < 0.1 ? original : newDigits(text, rnd);
    }
    expect(replays()).toBeGreaterThan(0);
  });

  test('the same telegram twice is replayed, and gives the same reading', () => {
    const t = telegram('1-0:1.8.1(000004.426*kWh)', '1-0:21.7.0(00.070*kW)', '1-0:31.7.0(000*A)', '0-0:96.13.0()', '1-0:99.99.0(00000)');
    const { layout, replays } = countingLayout();
    const first = JSON.stringify(readTelegram(t, layout));
    expect(JSON.stringify(readTelegram(t, layout))).toBe(first);
    expect(replays()).toBe(1);
    expect(first).toBe(full(t));
  });

  test('an OBIS code whose digits changed (same skeleton) is read as the new code', () => {
    const { layout } = countingLayout();
    readTelegram(telegram('1-0:21.7.0(00.070*kW)'), layout);
    const r = readTelegram(telegram('1-0:41.7.0(00.070*kW)'), layout).reading;
    expect(r.l1).toBeUndefined();
    expect(r.l2).toEqual({ powerImportW: 70 });
  });

  test('a sub-meter reading taken again (new capture time) is read anew, the same one from the memo', () => {
    const { layout, replays } = countingLayout();
    const gas = (time: string, m3: string) => telegram('0-1:24.1.0(003)', '0-1:96.1.0(4730303332353631323930333235)', `0-1:24.2.1(${time}W)(${m3}*m3)`);
    const at = (t: string) => readTelegram(t, layout).reading.subMeters?.[0];
    expect(at(gas('101209110000', '12785.123'))).toMatchObject({ time: '2010-12-09T11:00:00+01:00', value: 12785.123, id: 'G0032561290325' });
    expect(at(gas('101209110000', '12785.123'))).toMatchObject({ time: '2010-12-09T11:00:00+01:00', value: 12785.123, id: 'G0032561290325' });
    expect(at(gas('101209120000', '12785.456'))).toMatchObject({ time: '2010-12-09T12:00:00+01:00', value: 12785.456 });
    expect(at(gas('101309120000', '12785.456'))?.time).toBeUndefined(); // month 13: invalid, absent
    expect(at(gas('101209120000', '12785.456'))?.time).toBe('2010-12-09T12:00:00+01:00');
    expect(replays()).toBe(4);
  });

  test('month peak, peak history and failure log: decoded once while unchanged, anew when a digit changes, never shared between readings', () => {
    const { layout, replays } = countingLayout();
    const lists = (peak: string, outage: string) =>
      telegram(
        `1-0:1.6.0(${peak}S)(02.589*kW)`,
        `0-0:98.1.0(2)(1-0:1.6.0)(1-0:1.6.0)(200501000000S)(200423192538S)(03.695*kW)(200401000000S)(${peak}S)(05.980*kW)`,
        `1-0:99.97.0(1)(0-0:96.7.19)(${outage}W)(0000000240*s)`,
      );
    const read = (t: string) => readTelegram(t, layout).reading;
    const first = read(lists('200305122139', '101208152415'));
    const again = read(lists('200305122139', '101208152415'));
    expect(again.peakHistory).toEqual(first.peakHistory);
    expect(again.peakHistory).not.toBe(first.peakHistory);
    expect(again.peakHistory?.[1]).not.toBe(first.peakHistory?.[1]);
    expect(again.powerFailureLog).toEqual([{ endTime: '2010-12-08T15:24:15+01:00', durationS: 240 }]);
    expect(again.powerFailureLog).not.toBe(first.powerFailureLog);
    const changed = read(lists('200305122140', '101208152416'));
    expect(changed.peakHistory?.[1]).toEqual({ powerW: 5980, periodTime: '2020-04-01T00:00:00+02:00', peakTime: '2020-03-05T12:21:40+02:00' });
    expect(changed.powerFailureLog?.[0].endTime).toBe('2010-12-08T15:24:16+01:00');
    expect(changed.monthPeakTime).toBe('2020-03-05T12:21:40+02:00');
    expect(first.monthPeakTime).toBe('2020-03-05T12:21:39+02:00');
    expect(again.monthPeakW).toBe(2589);
    const badTime = lists('200345122140', '101308152416'); // day 45, month 13: both times invalid
    expect(JSON.stringify(readTelegram(badTime, layout))).toBe(full(badTime));
    expect(JSON.stringify(readTelegram(badTime, layout))).toBe(full(badTime));
    expect(replays()).toBe(4);
  });

  test('the telegram time stamp is replayed as a TIME record: a new time read anew, an impossible one absent and counted bad', () => {
    const { layout, replays } = countingLayout();
    const at = (stamp: string) => telegram(`0-0:1.0.0(${stamp})`, '1-0:1.8.1(000004.426*kWh)');
    const read = (t: string) => readTelegram(t, layout);
    expect(read(at('101209113020W')).reading.meterTime).toBe('2010-12-09T11:30:20+01:00');
    expect(read(at('101209113021W')).reading.meterTime).toBe('2010-12-09T11:30:21+01:00');
    const bad = read(at('101309113021W'));
    expect(bad.reading.meterTime).toBeUndefined();
    expect(JSON.stringify(bad)).toBe(full(at('101309113021W')));
    expect(bad.badValues).toBe(1);
    expect(replays()).toBe(2);
  });

  test('a value that changed width (new skeleton) is parsed in full and recorded anew', () => {
    const { layout, replays } = countingLayout();
    readTelegram(telegram('1-0:31.7.0(9.48*A)'), layout);
    expect(readTelegram(telegram('1-0:31.7.0(10.48*A)'), layout).reading.l1).toEqual({ currentA: 10.48 });
    expect(replays()).toBe(0);
    expect(readTelegram(telegram('1-0:31.7.0(11.02*A)'), layout).reading.l1).toEqual({ currentA: 11.02 });
    expect(replays()).toBe(1);
  });

  test('a meter whose skeleton keeps changing stops paying for skeletons for a while', () => {
    const layout = new TelegramLayout();
    for (let i = 0; i < 3; i++) readTelegram(telegram(`1-0:31.7.0(${'1'.repeat(i + 1)}*A)`), layout);
    expect(layout.skeletonFor(telegram('1-0:31.7.0(1*A)'))).toBeUndefined();
  });

  test('the skeleton keeps everything but the digits', () => {
    expect(skeletonOf('1-0:21.7.0(19.876*kW)\r\n')).toBe('0-0:00.0.0(00.000*kW)\r\n');
  });
});
