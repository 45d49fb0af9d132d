// Settings page, "MQTT and Home Assistant" and "HomeWizard" block: reads the `mqtt` and
// `homewizard` sections of GET /api/v1/settings, saves them with PUT (login needed), shows
// outputs.mqtt from the status (connected, last error) and the mDNS name HomeWizard clients see.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const TEXT = ['url', 'username', 'baseTopic', 'discoveryPrefix'];

  function say(ok, text) {
    const el = $('integrations-msg');
    el.className = 'msg ' + (ok ? 'ok' : 'err');
    el.textContent = text;
  }

  async function load() {
    const r = await mb.api('GET', '/api/v1/settings');
    if (!r.ok || !r.data.mqtt) return;
    const m = r.data.mqtt;
    for (const k of TEXT) $('mqtt-' + k).value = m[k] === undefined ? '' : m[k];
    $('mqtt-password').value = '';
    $('mqtt-password-state').textContent =
      m.password && m.password.set ? 'A password is stored (not shown). Type a new one to replace it, or "clear" to remove it.' : 'No password stored.';
    $('mqtt-discovery').checked = m.discovery !== false;
    $('hw-l2').value = (r.data.homewizard && r.data.homewizard.l2) || 'safe';
    const api = await mb.api('GET', '/api');
    if (api.ok && api.data.serial) {
      const name = 'p1meter-' + String(api.data.serial).slice(-6).toUpperCase();
      $('hw-identity').textContent =
        `Serial ${api.data.serial}; on the network as ${name} (_hwenergy._tcp) for SmartEVSE and Home Assistant, http://${name}.local for evcc.`;
      $('mqtt-baseTopic').placeholder = 'meterbox/' + api.data.serial;
    }
  }

  async function showStatus() {
    const r = await mb.api('GET', '/api/v1/status');
    const s = r.ok && r.data.outputs ? r.data.outputs.mqtt : undefined;
    const el = $('mqtt-status');
    if (!s) {
      el.textContent = '';
      return;
    }
    if (!s.enabled) el.textContent = 'MQTT is off.' + (s.lastError ? ' ' + s.lastError : '');
    else if (s.connected) el.textContent = `Connected to ${s.broker} (${s.source}), base topic ${s.baseTopic}.`;
    else el.textContent = `Not connected to ${s.broker}` + (s.lastError ? ': ' + s.lastError : '') + '.';
  }

  $('integrations-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const mqtt = { discovery: $('mqtt-discovery').checked };
    for (const k of TEXT) {
      const v = $('mqtt-' + k).value.trim();
      mqtt[k] = v === '' && k !== 'discoveryPrefix' ? null : v;
    }
    const pw = $('mqtt-password').value;
    if (pw.trim().toLowerCase() === 'clear') mqtt.password = null;
    else if (pw) mqtt.password = pw;
    const r = await mb.api('PUT', '/api/v1/settings', { mqtt, homewizard: { l2: $('hw-l2').value } });
    if (r.ok) {
      say(true, 'Saved.');
      await load();
    } else say(false, (r.data && r.data.error) || 'error ' + r.status);
    await showStatus();
  });

  load();
  showStatus();
  setInterval(showStatus, 3000);
})();
