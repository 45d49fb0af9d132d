// What each charger does with what the box sends, transcribed from its public source, so the tests
// check the box's pushes by the charger's own rules (used by the unit tests through ScriptedClient
// and by the end-to-end tests behind real HTTP servers).
//
// SmartEVSE: SmartEVSE/SmartEVSE-3 @ 2bc4238314fb (2026-01-14)
//   src/esp32.cpp  "/currents" POST handler: only when MainsMeter.Type == EM_API and all of L1, L2, L3
//                  are present; each value toInt() (deci-amps); CalcIsum(); MainsMeter.setTimeout(COMM_TIMEOUT);
//                  answer {"original": ..., "L1".. , "TOTAL": Isum}
//   src/main.h     #define COMM_TIMEOUT 11 (seconds; decremented once a second, CT_NOCOMM at 0 in Smart/Solar mode)
// OpenEVSE: OpenEVSE/openevse_esp32_firmware @ 1797b7a3a1dd (2026-07-21)
//   src/web_server.cpp handleStatusPost: "shaper_live_pwr" -> shaper.setLivePwr(); 400 {"msg":"Could not parse JSON"}
//   src/current_shaper.cpp shapeCurrent: max_cur = ((max_pwr - livepwr) / V) + amps, "/ 3.0" more when three phase;
//                  loop(): below the minimum current -> EvseState::Disabled (paused);
//                  no update for current_shaper_data_maxinterval (src/app_config.cpp: 120 s) -> paused
//   src/input.cpp  GET /status "amp" = getAmps() * AMPS_SCALE_FACTOR (src/emonesp.h 1000: mA), "voltage"
// go-e: goecharger/go-eCharger-API-v2 @ b4d7f853 (2026-08-12)
//   http-en.md     /api/set?key=value (JSON values), answer {key: true} or {key: "error text"};
//                  /api/status?filter=a,b answers those keys
//   API_KEYS_FIRMWARE/apikeys-en.md  amp (A), ama (max), frc (0 neutral, 1 off, 2 on), nrg (U1..3, UN, I1..3, P...)

export interface SmartevseModel {
  mainsMeterIsApi: boolean;
  irmsDa: [number, number, number] | undefined;
  lastUpdateMs: number | undefined;
  posts: { atMs: number; query: Record<string, string> }[];
}

export function newSmartevse(mainsMeterIsApi = true): SmartevseModel {
  return { mainsMeterIsApi, irmsDa: undefined, lastUpdateMs: undefined, posts: [] };
}

/** The "/currents" handler: returns the JSON answer text. */
export function smartevseCurrents(m: SmartevseModel, query: Record<string, string>, nowMs: number): string {
  m.posts.push({ atMs: nowMs, query });
  const doc: Record<string, unknown> = {};
  if (m.mainsMeterIsApi && 'L1' in query && 'L2' in query && 'L3' in query) {
    const toInt = (s: string) => {
      const n = parseInt(s, 10);
      return Number.isNaN(n) ? 0 : n;
    }; // Arduino String::toInt
    m.irmsDa = [toInt(query.L1!), toInt(query.L2!), toInt(query.L3!)];
    m.lastUpdateMs = nowMs;
    doc.L1 = m.irmsDa[0];
    doc.L2 = m.irmsDa[1];
    doc.L3 = m.irmsDa[2];
    doc.TOTAL = m.irmsDa[0] + m.irmsDa[1] + m.irmsDa[2];
  }
  return JSON.stringify(doc);
}

/** Would the SmartEVSE have raised CT_NOCOMM by `nowMs` (11 s after the last accepted currents)? */
export function smartevseNoComm(m: SmartevseModel, nowMs: number): boolean {
  return m.lastUpdateMs === undefined || nowMs - m.lastUpdateMs >= 11_000;
}

export interface OpenevseModel {
  maxPowerW: number;
  threePhase: boolean;
  voltageV: number;
  ampsA: number;
  minCurrentA: number;
  livePowerW: number | undefined;
  lastUpdateMs: number | undefined;
  posts: { atMs: number; body: unknown }[];
  statusReads: number;
}

export function newOpenevse(o: Partial<OpenevseModel> = {}): OpenevseModel {
  return {
    maxPowerW: 11000,
    threePhase: true,
    voltageV: 230,
    ampsA: 0,
    minCurrentA: 6,
    livePowerW: undefined,
    lastUpdateMs: undefined,
    posts: [],
    statusReads: 0,
    ...o,
  };
}

/** shapeCurrent's max_cur for the last live_pwr. */
export function openevseMaxCurrentA(m: OpenevseModel): number | undefined {
  if (m.livePowerW === undefined) return undefined;
  const perPhase = (m.maxPowerW - m.livePowerW) / m.voltageV;
  return (m.threePhase ? perPhase / 3 : perPhase) + m.ampsA;
}

/** loop(): paused when the shaper's current is below the minimum or the data is older than 120 s. */
export function openevsePaused(m: OpenevseModel, nowMs: number): boolean {
  const c = openevseMaxCurrentA(m);
  if (c === undefined || m.lastUpdateMs === undefined || nowMs - m.lastUpdateMs > 120_000) return true;
  return c < m.minCurrentA;
}

export function openevseHandle(m: OpenevseModel, method: string, body: string | undefined, nowMs: number): { status: number; body: string } {
  if (method === 'GET') {
    m.statusReads++;
    return {
      status: 200,
      body: JSON.stringify({
        amp: Math.round(m.ampsA * 1000),
        voltage: m.voltageV,
        shaper: 1,
        shaper_live_pwr: m.livePowerW ?? 0,
        shaper_cur: openevseMaxCurrentA(m) ?? 0,
      }),
    };
  }
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body ?? '');
  } catch {
    return { status: 400, body: '{"msg":"Could not parse JSON"}' };
  }
  m.posts.push({ atMs: nowMs, body: doc });
  if (typeof doc.shaper_live_pwr === 'number') {
    m.livePowerW = doc.shaper_live_pwr;
    m.lastUpdateMs = nowMs;
  }
  return { status: 200, body: JSON.stringify(doc) };
}

export interface GoeModel {
  amp: number;
  ama: number;
  frc: number;
  car: number;
  currentsA: [number, number, number];
  sets: { atMs: number; query: Record<string, string> }[];
  polls: number;
}

export function newGoe(o: Partial<GoeModel> = {}): GoeModel {
  return { amp: 16, ama: 32, frc: 0, car: 2, currentsA: [0, 0, 0], sets: [], polls: 0, ...o };
}

export function goeHandle(m: GoeModel, path: string, query: Record<string, string>, nowMs: number): { status: number; body: string } {
  if (path === '/api/set') {
    m.sets.push({ atMs: nowMs, query });
    const out: Record<string, unknown> = {};
    for (const [key, text] of Object.entries(query)) {
      let v: unknown;
      try {
        v = JSON.parse(text);
      } catch {
        out[key] = 'invalid json';
        continue;
      }
      if (key === 'amp') {
        if (typeof v !== 'number' || !Number.isInteger(v) || v < 6 || v > m.ama) out[key] = 'value out of range';
        else {
          m.amp = v;
          out[key] = true;
        }
      } else if (key === 'frc') {
        if (v !== 0 && v !== 1 && v !== 2) out[key] = 'value out of range';
        else {
          m.frc = v;
          out[key] = true;
        }
      } else out[key] = 'unknown key';
    }
    return { status: 200, body: JSON.stringify(out) };
  }
  if (path === '/api/status') {
    m.polls++;
    const all: Record<string, unknown> = {
      amp: m.amp,
      ama: m.ama,
      frc: m.frc,
      car: m.car,
      nrg: [230, 231, 229, 0, m.currentsA[0], m.currentsA[1], m.currentsA[2], 0, 0, 0, 0, 0, 0, 0, 0, 0],
    };
    const filter = query.filter ? query.filter.split(',') : Object.keys(all);
    const out: Record<string, unknown> = {};
    for (const k of filter) if (k in all) out[k] = all[k];
    return { status: 200, body: JSON.stringify(out) };
  }
  return { status: 404, body: '' };
}

/** The query of a URL as text values. */
export function queryOf(url: string): Record<string, string> {
  const out: Record<string, string> = {};
  const q = url.indexOf('?');
  if (q < 0) return out;
  for (const part of url.slice(q + 1).split('&')) {
    const eq = part.indexOf('=');
    out[decodeURIComponent(eq < 0 ? part : part.slice(0, eq))] = decodeURIComponent(eq < 0 ? '' : part.slice(eq + 1));
  }
  return out;
}
