// Settings page: login / first-use password, then the settings form (PUT /api/v1/settings).
'use strict';
mb.header('/settings');
const $ = (id) => document.getElementById(id);
const ADVANCED = [
  ['staleAfterS', 'Data counts as stale after (s)'],
  ['safeFallbackAfterS', 'Safe current after (s)'],
  ['zeroAfterS', '0 A after (s)'],
  ['safeCurrentA', 'Safe current while data is missing (A)'],
  ['utcOffsetMin', 'Standard-time UTC offset (minutes)'],
  ['nominalVoltageV', 'Voltage when the meter sends none (V)'],
  ['rampAPerS', 'Fastest increase (A/s)'],
  ['rampMaxStepA', 'Largest increase per frame (A)'],
  ['hysteresisA', 'Hysteresis (A)'],
  ['holdOffS', 'Keep back the room a load left for (s)'],
];
$('advanced').innerHTML =
  ADVANCED.map(([id, label]) => `<div class="row"><label for="${id}">${label}</label><input id="${id}" type="number" step="any"></div>`).join('') +
  '<div class="row"><label for="dst">Daylight saving</label><select id="dst"><option value="eu">EU rule</option><option value="none">none</option></select></div>';

// Charger and regulation pace (headroom settings riseIntervalS and chargerPhases, docs/headroom.md).
const PACE = [['riseIntervalS', 'At most one rise every (s)']];
$('advanced').insertAdjacentHTML(
  'beforeend',
  PACE.map(([id, label]) => `<div class="row"><label for="${id}">${label}</label><input id="${id}" type="number" step="any"></div>`).join('') +
    '<div class="row"><label for="chargerPhases">Charger phases</label><select id="chargerPhases"><option value="3">3 (or a one-phase charger that says where it is wired)</option><option value="1">1</option></select></div>',
);
function loadPace(h) {
  for (const [id] of PACE) $(id).value = h[id];
  $('chargerPhases').value = String(h.chargerPhases);
}
function patchPace(headroom) {
  for (const [id] of PACE) headroom[id] = num(id);
  // A wired one-phase charger is one-phase: the validator refuses 3 beside a chargerLine.
  headroom.chargerPhases = headroom.chargerLine ? 1 : Number($('chargerPhases').value);
}

function message(id, ok, text) {
  const el = $(id);
  el.className = 'msg ' + (ok ? 'ok' : 'err');
  el.textContent = text;
}

async function refreshAuth() {
  const st = await mb.api('GET', '/api/v1/auth/status');
  const s = st.data || {};
  $('setup-form').classList.toggle('hidden', s.passwordSet !== false);
  $('login-form').classList.toggle('hidden', !(s.passwordSet && !s.authenticated));
  $('logged-in').classList.toggle('hidden', !s.authenticated);
  $('auth-state').textContent = !s.passwordSet ? 'No password yet.' : s.authenticated ? 'Logged in: you can change settings.' : 'Log in to change settings.';
  showReadAccess(s);
  return s;
}

// Read access (access.readOpen), shown from the public auth status so it is right before a login
// too, and saved on its own: a refused installation field never holds it back, nor the reverse.
function showReadAccess(s) {
  if (typeof s.readOpen !== 'boolean') return;
  $('read-state').textContent = mb.readAccessState(s.readOpen);
  $('read-open').checked = s.readOpen;
  $('read-private').checked = !s.readOpen;
}
$('read-save').addEventListener('click', async () => {
  const open = $('read-open').checked;
  if (!open && !$('read-private').checked) return;
  const r = await mb.api('PUT', '/api/v1/settings', { access: { readOpen: open } });
  // What is stored now, saved or not, shown before the message: a refusal must not sit beside a
  // choice that looks taken (the check was seen still on "private" under "Not saved" in a CI run).
  await refreshAuth();
  message(
    'read-msg',
    r.ok,
    r.ok ? (open ? 'Saved: live data is open on your network.' : 'Saved: live data is private now.') : 'Not saved: ' + mb.plainError(r),
  );
});

function tariffRows() {
  $('row-steps').classList.toggle('hidden', $('tariff').value !== 'norway');
  $('row-target').classList.toggle('hidden', $('tariff').value !== 'belgium');
}
$('tariff').addEventListener('change', tariffRows);

function keyState(k) {
  return k && k.set ? 'A key is stored (not shown). Type a new one to replace it, or "clear" to remove it.' : 'No key stored.';
}

async function loadSettings() {
  const r = await mb.api('GET', '/api/v1/settings');
  if (!r.ok) {
    message('save-msg', false, mb.plainError(r));
    return;
  }
  const h = r.data.headroom;
  for (const id of ['fuseA', 'marginA', 'minChargeA', ...ADVANCED.map((a) => a[0])]) $(id).value = h[id];
  $('phases').value = String(h.phases);
  $('gridType').value = h.gridType;
  $('dst').value = h.dst;
  $('powerLimitKw').value = h.powerLimitKw === undefined ? '' : h.powerLimitKw;
  $('chargerLine').value = h.chargerLine || '';
  loadPace(h);
  $('tariff').value = h.tariff.scheme;
  $('stepsKwh').value = h.tariff.stepsKwh ? h.tariff.stepsKwh.join(', ') : '';
  $('targetKw').value = h.tariff.targetKw === undefined ? '' : h.tariff.targetKw;
  tariffRows();
  const m = r.data.meter;
  $('encryptionKey-state').textContent = keyState(m.encryptionKey);
  $('authenticationKey-state').textContent = keyState(m.authenticationKey);
  $('encryptionKey').value = '';
  $('authenticationKey').value = '';
  const line = m.line;
  $('line').value = !line ? '' : line === 'auto' ? 'auto' : `${line.baud} ${line.dataBits}${line.parity[0].toUpperCase()}${line.stopBits}`;
}

// An empty field is sent as null, so the app refuses it with its reason instead of keeping the
// old value behind a "Saved." (optional fields say what empty means where they are read).
function num(id) {
  const v = $(id).value.trim();
  return v === '' ? null : Number(v);
}

const LABELS = {
  fuseA: 'Main fuse per phase (A)',
  marginA: 'Safety margin below the fuse (A)',
  minChargeA: 'Smallest charging current (A)',
  powerLimitKw: 'Import power limit (kW)',
  'tariff.stepsKwh': 'Step thresholds',
  'tariff.targetKw': 'Stay under (kW)',
};
for (const [id, label] of ADVANCED) LABELS[id] = label;

/** "headroom: fuseA must be a number (...)" -> "Main fuse per phase (A) must be a number (...)". */
function plainSettingsError(text) {
  return text.replace(/^headroom: /, '').replace(/^([a-zA-Z.]+)(?= )/, (key) => LABELS[key] || key);
}

function buildPatch() {
  const headroom = {
    fuseA: num('fuseA'),
    phases: Number($('phases').value),
    gridType: $('gridType').value,
    marginA: num('marginA'),
    minChargeA: num('minChargeA'),
    dst: $('dst').value,
  };
  for (const [id] of ADVANCED) headroom[id] = num(id);
  headroom.powerLimitKw = num('powerLimitKw'); // empty: no import limit
  headroom.chargerLine = $('chargerLine').value || null;
  patchPace(headroom);
  const scheme = $('tariff').value;
  if (scheme === 'norway')
    headroom.tariff = {
      scheme,
      stepsKwh: $('stepsKwh')
        .value.split(',')
        .map((x) => Number(x.trim()))
        .filter((x) => x > 0),
    };
  else if (scheme === 'belgium') headroom.tariff = { scheme, targetKw: num('targetKw') };
  else headroom.tariff = { scheme: 'none' };
  const meter = {};
  for (const id of ['encryptionKey', 'authenticationKey']) {
    const v = $(id).value.trim().replace(/\s+/g, '');
    if (v.toLowerCase() === 'clear') meter[id] = null;
    else if (v) meter[id] = v;
  }
  const line = $('line').value;
  if (line === 'auto') meter.line = 'auto';
  else if (line) {
    const [baud, shape] = line.split(' ');
    meter.line = { baud: Number(baud), dataBits: Number(shape[0]), parity: { N: 'none', E: 'even', O: 'odd' }[shape[1]], stopBits: Number(shape[2]) };
  } else meter.line = null;
  return { headroom, meter };
}

$('settings-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await mb.api('PUT', '/api/v1/settings', buildPatch());
  if (r.ok) {
    message('save-msg', true, 'Saved.');
    await loadSettings();
  } else if (r.data && Array.isArray(r.data.errors)) message('save-msg', false, 'Not saved: ' + r.data.errors.map(plainSettingsError).join('; '));
  else message('save-msg', false, 'Not saved: ' + mb.plainError(r));
});

$('setup-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await mb.api('POST', '/api/v1/auth/setup', { password: $('setup-password').value });
  message('auth-msg', r.ok, r.ok ? 'Password set; you are logged in.' : mb.plainError(r));
  await refreshAuth();
});
$('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await mb.api('POST', '/api/v1/auth/login', { password: $('login-password').value });
  message('auth-msg', r.ok, r.ok ? 'Logged in.' : mb.plainError(r));
  await refreshAuth();
  await loadSettings();
});
$('logout').addEventListener('click', async () => {
  await mb.api('POST', '/api/v1/auth/logout');
  message('auth-msg', true, 'Logged out.');
  await refreshAuth();
});
$('password-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  const r = await mb.api('POST', '/api/v1/auth/password', { currentPassword: $('pw-current').value, newPassword: $('pw-new').value });
  message('auth-msg', r.ok, r.ok ? 'Password changed.' : mb.plainError(r));
});

(async () => {
  await refreshAuth();
  await loadSettings();
})();
