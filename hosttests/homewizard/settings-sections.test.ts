// The `homewizard` and `mqtt` settings sections: defaults, stored values kept field by field,
// patches refused with every reason, the MQTT password never echoed, and the document-level hooks
// in firmware/app/settings.ts (PUT body, stored file) reaching them.
import { homeWizardSettingsSection } from '../../firmware/app/outputs/homewizard-settings';
import { describeMqttAddress, mqttSettingsSection, parseMqttUrl } from '../../firmware/app/outputs/mqtt-settings';
import { applySettingsPatch, defaultSettings, readStoredSettings, redactSettings } from '../../firmware/app/settings';

describe('homewizard section', () => {
  test('default "safe"; "omit" accepted; anything else refused with the reason', () => {
    expect(homeWizardSettingsSection.defaults()).toEqual({ l2: 'safe' });
    expect(homeWizardSettingsSection.applyPatch({ l2: 'safe' }, { l2: 'omit' })).toEqual({ ok: true, value: { l2: 'omit' } });
    const bad = homeWizardSettingsSection.applyPatch({ l2: 'safe' }, { l2: 'zero', extra: 1 });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors).toEqual([expect.stringMatching(/unknown field "homewizard.extra"/), expect.stringMatching(/l2 must be "safe".*or "omit"/)]);
  });
  test('a damaged stored value keeps the default and says so', () => {
    expect(homeWizardSettingsSection.readStored({ l2: 0 })).toEqual({ value: { l2: 'safe' }, problems: [expect.stringMatching(/using "safe"/)] });
    expect(homeWizardSettingsSection.readStored({ l2: 'omit' })).toEqual({ value: { l2: 'omit' }, problems: [] });
  });
});

describe('mqtt URL', () => {
  test.each([
    ['mqtt://192.168.1.10', { secure: false, host: '192.168.1.10', port: 1883 }],
    ['MQTTS://broker.lan:8884/', { secure: true, host: 'broker.lan', port: 8884 }],
    ['mqtts://broker.lan', { secure: true, host: 'broker.lan', port: 8883 }],
    ['mqtt://[fd00::5]:1884', { secure: false, host: 'fd00::5', port: 1884 }],
    ['mqtt://user:p%40ss@host:1', { secure: false, host: 'host', port: 1, username: 'user', password: 'p@ss' }],
  ])('%s', (url, address) => {
    expect(parseMqttUrl(url)).toEqual({ ok: true, address });
  });
  test.each([
    ['http://host', /must start with mqtt:\/\//],
    ['mqtt://', /has no host/],
    ['mqtt://host:0', /port outside/],
    ['mqtt://host:70000', /port outside/],
    ['mqtt://host:12a', /not a number/],
    ['mqtt://host/path', /no path/],
    ['mqtt://ho st', /character that does not belong/],
    ['mqtt://[fd00::5', /closing/],
  ])('%s is refused', (url, why) => {
    const r = parseMqttUrl(url);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).toMatch(why);
  });
  test('shown without credentials', () => {
    const r = parseMqttUrl('mqtt://u:secret@[fd00::1]');
    expect(r.ok && describeMqttAddress(r.address)).toBe('mqtt://[fd00::1]:1883');
  });
});

describe('mqtt section', () => {
  const base = mqttSettingsSection.defaults();
  test('defaults: off, discovery under homeassistant', () => {
    expect(base).toEqual({ url: '', discoveryPrefix: 'homeassistant', discovery: true });
  });
  test('a patch sets, clears and keeps; credentials in the URL are refused (the URL is shown)', () => {
    const set = mqttSettingsSection.applyPatch(base, { url: 'mqtt://broker:1883', username: 'mb', password: 'pw-1', baseTopic: 'home/meter' });
    expect(set).toEqual({ ok: true, value: { ...base, url: 'mqtt://broker:1883', username: 'mb', password: 'pw-1', baseTopic: 'home/meter' } });
    const kept = mqttSettingsSection.applyPatch((set as any).value, { discovery: false });
    expect((kept as any).value.password).toBe('pw-1');
    const cleared = mqttSettingsSection.applyPatch((kept as any).value, { password: null, baseTopic: null, url: '' });
    expect((cleared as any).value).toEqual({ ...base, discovery: false, username: 'mb' });
    const withCredentials = mqttSettingsSection.applyPatch(base, { url: 'mqtt://mb:pw@broker' });
    expect(!withCredentials.ok && withCredentials.errors[0]).toMatch(/must not carry a user name or password/);
  });
  test('every reason at once', () => {
    const r = mqttSettingsSection.applyPatch(base, { url: 'tcp://x', baseTopic: 'a/+/b', discoveryPrefix: '', discovery: 'yes', password: 5, port: 1 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.errors).toEqual([
      'unknown field "mqtt.port"',
      expect.stringMatching(/mqtt.url must start with mqtt:\/\//),
      expect.stringMatching(/mqtt.password must be text/),
      expect.stringMatching(/mqtt.baseTopic must not contain the MQTT wildcards/),
      expect.stringMatching(/mqtt.discoveryPrefix must not be empty/),
      expect.stringMatching(/mqtt.discovery must be true or false/),
    ]);
  });
  test('a stored value keeps every valid field and names each invalid one', () => {
    const r = mqttSettingsSection.readStored({ url: 'mqtt://broker', username: 'mb', password: 'pw', baseTopic: '/bad', discovery: 'x' });
    expect(r.value).toEqual({ url: 'mqtt://broker', username: 'mb', password: 'pw', discoveryPrefix: 'homeassistant', discovery: true });
    expect(r.problems).toEqual([expect.stringMatching(/baseTopic must not start or end/), expect.stringMatching(/discovery must be true or false/)]);
  });
});

describe('through the settings document', () => {
  test('PUT body with mqtt and homewizard; GET shows the password as {set: true}, never its text', () => {
    const r = applySettingsPatch(defaultSettings(), { mqtt: { url: 'mqtt://broker', password: 'Sup3r-secret' }, homewizard: { l2: 'omit' } });
    expect(r.ok).toBe(true);
    const doc = (r as any).value;
    expect(doc.mqtt.password).toBe('Sup3r-secret');
    const shown = JSON.stringify(redactSettings(doc));
    expect(shown).not.toContain('Sup3r-secret');
    expect(redactSettings(doc).mqtt).toMatchObject({ url: 'mqtt://broker', password: { set: true } });
    expect(redactSettings(doc).homewizard).toEqual({ l2: 'omit' });
  });
  test('a bad section refuses the whole change', () => {
    const r = applySettingsPatch(defaultSettings(), { headroom: { fuseA: 32 }, mqtt: { url: 'ftp://x' } });
    expect(r.ok).toBe(false);
  });
  test('a stored file: documents without the sections get defaults; a damaged section is reported, the rest kept', () => {
    expect(readStoredSettings(JSON.stringify({ version: 1 })).doc.mqtt).toEqual(mqttSettingsSection.defaults());
    const r = readStoredSettings(JSON.stringify({ version: 1, headroom: { fuseA: 35 }, mqtt: { url: 'mqtt://b', discoveryPrefix: 'ha#' } }));
    expect(r.doc.headroom.fuseA).toBe(35);
    expect(r.doc.mqtt.url).toBe('mqtt://b');
    expect(r.doc.mqtt.discoveryPrefix).toBe('homeassistant');
    expect(r.health.state).toBe('repaired');
    expect(r.health.problems.join(' ')).toMatch(/discoveryPrefix/);
  });
});
