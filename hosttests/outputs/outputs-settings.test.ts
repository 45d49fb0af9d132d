// The `outputs` settings section (firmware/app/outputs/outputs-settings.ts): defaults, every refusal
// with its reason, the stored reader keeping what is valid, and the section through the real API.
import { outputsSection, checkChargerUrl, defaultOutputsSettings } from '../../firmware/app/outputs/outputs-settings';
import { readStoredSettings } from '../../firmware/app/settings';
import { harness } from './fixtures';

const patch = (p: unknown) => outputsSection.applyPatch(defaultOutputsSettings(), p);
const errorsOf = (p: unknown) => {
  const r = patch(p);
  return r.ok ? [] : r.errors;
};

describe('outputs settings', () => {
  test('defaults: Modbus off on 502 unit 1, no chargers', () => {
    expect(outputsSection.defaults()).toEqual({ modbusTcp: { enabled: false, port: 502, unitId: 1 }, chargers: [] });
  });

  test('a complete patch is checked and normalised (trailing slash, defaults per type)', () => {
    const r = patch({
      modbusTcp: { enabled: true, port: 5020, unitId: 3 },
      chargers: [
        { type: 'smartevse', url: 'http://192.168.1.20/' },
        { type: 'openevse', url: 'http://openevse.local:8080/base/', mode: 'allowance', maxPowerW: 11000 },
        { type: 'goe', url: 'http://192.168.1.22', enabled: false, phases: 1 },
      ],
    });
    expect(r).toEqual({
      ok: true,
      value: {
        modbusTcp: { enabled: true, port: 5020, unitId: 3 },
        chargers: [
          { type: 'smartevse', url: 'http://192.168.1.20', enabled: true },
          { type: 'openevse', url: 'http://openevse.local:8080/base', enabled: true, phases: 3, mode: 'allowance', maxPowerW: 11000 },
          { type: 'goe', url: 'http://192.168.1.22', enabled: false, phases: 1 },
        ],
      },
    });
  });

  test('refusals name the field and the reason', () => {
    expect(errorsOf({ modbusTcp: { port: 0 } })[0]).toMatch(/outputs.modbusTcp.port must be a whole number from 1 to 65535/);
    expect(errorsOf({ modbusTcp: { unitId: 248 } })[0]).toMatch(/unitId/);
    expect(errorsOf({ modbusTcp: { enabled: 'yes' } })[0]).toMatch(/enabled must be true or false/);
    expect(errorsOf({ modbusTcp: { host: 'x' } })[0]).toMatch(/unknown field "outputs.modbusTcp.host"/);
    expect(errorsOf({ mqtt: {} })[0]).toMatch(/unknown field "outputs.mqtt"/);
    expect(errorsOf({ chargers: {} })[0]).toMatch(/must be a list/);
    expect(errorsOf({ chargers: [{ type: 'easee', url: 'http://a' }] })[0]).toMatch(/type must be one of smartevse, openevse, goe/);
    expect(errorsOf({ chargers: [{ type: 'goe', url: 'https://a' }] })[0]).toMatch(/plain http/);
    expect(errorsOf({ chargers: [{ type: 'goe', url: 'http://admin:secret@a' }] })[0]).toMatch(/user name or password/);
    expect(errorsOf({ chargers: [{ type: 'goe', url: 'http://a?x=1' }] })[0]).toMatch(/no query/);
    expect(errorsOf({ chargers: [{ type: 'goe', url: 'http://a:70000' }] })[0]).toMatch(/port must be 1 to 65535/);
    expect(errorsOf({ chargers: [{ type: 'smartevse', url: 'http://a', phases: 3 }] })[0]).toMatch(/not used by smartevse/);
    expect(errorsOf({ chargers: [{ type: 'openevse', url: 'http://a', mode: 'allowance' }] })[0]).toMatch(/maxPowerW is needed in "allowance" mode/);
    expect(errorsOf({ chargers: [{ type: 'openevse', url: 'http://a', maxPowerW: 12.5 }] })[0]).toMatch(/whole watts/);
    expect(errorsOf({ chargers: [{ type: 'goe', url: 'http://a', phases: 2 }] })[0]).toMatch(/phases must be 1 or 3/);
    expect(errorsOf({ chargers: Array.from({ length: 5 }, () => ({ type: 'smartevse', url: 'http://a' })) })[0]).toMatch(/at most 4/);
  });

  test('only one enabled charger may follow the allowance; a disabled second one is fine', () => {
    const two = [
      { type: 'goe', url: 'http://a' },
      { type: 'openevse', url: 'http://b', mode: 'allowance', maxPowerW: 7000 },
    ];
    expect(errorsOf({ chargers: two }).join()).toMatch(/only one enabled charger may follow the allowance/);
    expect(patch({ chargers: [two[0], { ...two[1], enabled: false }] }).ok).toBe(true);
    expect(patch({ chargers: [two[0], { type: 'openevse', url: 'http://b' }, { type: 'smartevse', url: 'http://c' }] }).ok).toBe(true);
  });

  test('a patch without chargers keeps the list; a Modbus patch keeps the other Modbus fields', () => {
    const current = {
      modbusTcp: { enabled: true, port: 5020, unitId: 2 },
      chargers: [{ type: 'goe' as const, url: 'http://a', enabled: true, phases: 3 as const }],
    };
    const r = outputsSection.applyPatch(current, { modbusTcp: { port: 1502 } });
    expect(r).toEqual({ ok: true, value: { modbusTcp: { enabled: true, port: 1502, unitId: 2 }, chargers: current.chargers } });
  });

  test('stored: each bad field falls back alone and is named; bad chargers are left out; a second follower is switched off', () => {
    const r = outputsSection.readStored({
      modbusTcp: { enabled: true, port: 99999, unitId: 2 },
      chargers: [
        { type: 'goe', url: 'http://a' },
        { type: 'nope', url: 'http://b' },
        { type: 'openevse', url: 'http://c', mode: 'allowance', maxPowerW: 7000 },
      ],
    });
    expect(r.value.modbusTcp).toEqual({ enabled: true, port: 502, unitId: 2 });
    expect(r.value.chargers.map((c) => [c.type, c.enabled])).toEqual([
      ['goe', true],
      ['openevse', false],
    ]);
    expect(r.problems.join('\n')).toMatch(/port/);
    expect(r.problems.join('\n')).toMatch(/chargers\[1\]\.type.*left out/);
    expect(r.problems.join('\n')).toMatch(/all but the first are switched off/);
    expect(outputsSection.readStored('x').problems).toEqual(['outputs is not an object; outputs off']);
    expect(outputsSection.readStored(undefined)).toEqual({ value: defaultOutputsSettings(), problems: [] });
  });

  test('in the settings document: an old document gets the defaults; a damaged outputs section keeps the rest', () => {
    expect(readStoredSettings(JSON.stringify({ version: 1, headroom: { fuseA: 35 } })).doc.outputs).toEqual(defaultOutputsSettings());
    const p = readStoredSettings(JSON.stringify({ version: 1, headroom: { fuseA: 35 }, outputs: { modbusTcp: { port: 'x' } } }));
    expect(p.doc.headroom.fuseA).toBe(35);
    expect(p.doc.outputs.modbusTcp.port).toBe(502);
    expect(p.health.state).toBe('repaired');
    expect(p.health.problems.join(' ')).toMatch(/outputs.modbusTcp.port/);
  });

  test('URL forms', () => {
    expect(checkChargerUrl('http://[fe80::1]:8080/')).toEqual({ ok: true, url: 'http://[fe80::1]:8080' });
    expect(checkChargerUrl('http://goe')).toEqual({ ok: true, url: 'http://goe' });
    expect(checkChargerUrl('ftp://x').ok).toBe(false);
    expect(checkChargerUrl('http://').ok).toBe(false);
    expect(checkChargerUrl('http://a b').ok).toBe(false);
  });

  test('through PUT /api/v1/settings: stored, shown by GET, a bad one refused with every reason and nothing stored', async () => {
    const h = harness([]);
    const setup = await h.app.handle({ method: 'POST', path: '/api/v1/auth/setup', query: {}, headers: {}, body: '{"password":"outputs test password"}' });
    const token = JSON.parse(String(setup.body)).token;
    const put = (body: unknown) =>
      h.app.handle({ method: 'PUT', path: '/api/v1/settings', query: {}, headers: { authorization: 'Bearer ' + token }, body: JSON.stringify(body) });
    const ok = await put({ outputs: { modbusTcp: { enabled: true, port: 5020 }, chargers: [{ type: 'smartevse', url: 'http://10.0.0.9' }] } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(String(ok.body)).outputs.chargers[0]).toEqual({ type: 'smartevse', url: 'http://10.0.0.9', enabled: true });
    const bad = await put({ outputs: { modbusTcp: { port: -1 }, chargers: [{ type: 'goe' }] } });
    expect(bad.status).toBe(400);
    const body = JSON.parse(String(bad.body));
    expect(body.errors).toHaveLength(2);
    expect(h.app.settings().outputs.modbusTcp.port).toBe(5020);
  });
});
