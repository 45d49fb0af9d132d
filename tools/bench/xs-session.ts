/**
 * An xsnap worker with a bundle loaded and the two measuring aids every XS figure uses: `cost`
 * (computrons of one evaluation, net of an empty one) and, inside the engine, `__meterNow()`
 * (the meter read from JavaScript, for shares measured from within: xs-device.ts).
 */
import { XsWorker } from '../xs/xsnap-driver';

export interface XsSession {
  xs: XsWorker;
  cost(code: string): Promise<number>;
}

export async function openXsSession(bundleCode: string): Promise<XsSession> {
  const xs = new XsWorker();
  await xs.evaluate(bundleCode + '\n;0');
  await xs.evaluate(`globalThis.__meterNow = function () { const m = resetMeter(2000000000, 0); resetMeter(2000000000, m); return m; }; 0`);
  const empty = (await xs.evaluate('0')).meter.compute;
  const cost = async (code: string): Promise<number> => Math.max(0, (await xs.evaluate(code + '; 0')).meter.compute - empty);
  return { xs, cost };
}
