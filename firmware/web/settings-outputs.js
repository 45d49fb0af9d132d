// Settings page, "Chargers" block: the SDM630 Modbus TCP emulation and the charger pushes
// (settings `outputs`, PUT /api/v1/settings), with each output's state from /api/v1/status.
'use strict';
(() => {
  const $ = (id) => document.getElementById(id);
  const TYPES = [
    ['smartevse', 'SmartEVSE (mains meter "API")'],
    ['openevse', 'OpenEVSE (current shaper)'],
    ['goe', 'go-e Charger (HTTP API v2)'],
  ];
  let chargers = [];

  function say(ok, text) {
    const el = $('outputs-msg');
    el.className = 'msg ' + (ok ? 'ok' : 'err');
    el.textContent = text;
  }

  function row(c, i) {
    const type = TYPES.map(([v, label]) => `<option value="${v}"${c.type === v ? ' selected' : ''}>${label}</option>`).join('');
    const openevse = c.type === 'openevse';
    const phased = c.type === 'openevse' || c.type === 'goe';
    return `<fieldset class="charger" data-i="${i}" style="border:1px solid var(--line);border-radius:8px;margin:0 0 10px;padding:8px 10px">
      <div class="row"><label>Type</label><select data-k="type">${type}</select></div>
      <div class="row"><label>Address</label><input data-k="url" value="${mb.esc(c.url || '')}" placeholder="http://192.168.1.20" autocomplete="off" spellcheck="false"></div>
      <div class="row${phased ? '' : ' hidden'}"><label>Phases the charger charges on</label><select data-k="phases"><option value="3"${c.phases !== 1 ? ' selected' : ''}>3</option><option value="1"${c.phases === 1 ? ' selected' : ''}>1</option></select></div>
      <div class="row${openevse ? '' : ' hidden'}"><label>OpenEVSE mode</label><select data-k="mode"><option value="import"${c.mode !== 'allowance' ? ' selected' : ''}>import: send the house import power</option><option value="allowance"${c.mode === 'allowance' ? ' selected' : ''}>allowance: make the shaper follow the box</option></select></div>
      <div class="row${openevse ? '' : ' hidden'}"><label>OpenEVSE shaper max power (W, as set on the OpenEVSE)</label><input data-k="maxPowerW" type="number" min="500" step="1" value="${c.maxPowerW === undefined ? '' : c.maxPowerW}"></div>
      <div class="row"><label><input data-k="enabled" type="checkbox"${c.enabled !== false ? ' checked' : ''}> Enabled</label></div>
      <div class="help" data-state></div>
      <button type="button" class="secondary" data-remove>Remove</button>
    </fieldset>`;
  }

  function render() {
    $('charger-list').innerHTML = chargers.length ? chargers.map(row).join('') : '<p class="muted">No charger pushes.</p>';
    for (const fs of document.querySelectorAll('#charger-list fieldset')) {
      const i = Number(fs.dataset.i);
      fs.querySelector('[data-remove]').addEventListener('click', () => {
        read();
        chargers.splice(i, 1);
        render();
      });
      fs.querySelector('[data-k="type"]').addEventListener('change', () => {
        read();
        render();
      });
    }
  }

  /** The list as the form shows it (only the fields that type uses). */
  function read() {
    chargers = [...document.querySelectorAll('#charger-list fieldset')].map((fs) => {
      const v = (k) => fs.querySelector(`[data-k="${k}"]`);
      const c = { type: v('type').value, url: v('url').value.trim(), enabled: v('enabled').checked };
      if (c.type !== 'smartevse') c.phases = Number(v('phases').value);
      if (c.type === 'openevse') {
        c.mode = v('mode').value;
        const w = v('maxPowerW').value.trim();
        if (w !== '') c.maxPowerW = Number(w);
      }
      return c;
    });
    return chargers;
  }

  async function load() {
    const r = await mb.api('GET', '/api/v1/settings');
    if (!r.ok || !r.data.outputs) return;
    const m = r.data.outputs.modbusTcp;
    $('modbus-enabled').checked = m.enabled;
    $('modbus-port').value = m.port;
    $('modbus-unit').value = m.unitId;
    chargers = r.data.outputs.chargers.map((c) => ({ ...c }));
    render();
    await showState();
  }

  function ago(ms, now) {
    return ms ? Math.max(0, Math.round((now - ms) / 1000)) + ' s ago' : 'never';
  }

  async function showState() {
    const r = await mb.api('GET', '/api/v1/status');
    const o = r.ok && r.data.outputs;
    if (!o) return;
    const now = r.data.timeMs;
    const m = o.modbusTcp;
    if (m) {
      $('modbus-state').textContent = !m.enabled
        ? 'Modbus: off.'
        : m.listening
          ? `Modbus: listening on port ${m.port}${m.portFrom ? ' (' + m.portFrom + ')' : ''}, ${m.connections} connection(s), ${m.requests} request(s); currents served ${m.live ? 'from the meter' : 'as the fuse rating (no live data)'}: ${(m.servedCurrentA || []).join(' / ')} A`
          : 'Modbus: not listening' + (m.lastError ? ': ' + m.lastError : '');
    }
    const pushes = (o.chargers && o.chargers.pushes) || [];
    for (const fs of document.querySelectorAll('#charger-list fieldset')) {
      const c = chargers[Number(fs.dataset.i)];
      const p = c && pushes.find((x) => x.type === c.type && x.url === c.url && x.source === 'settings');
      const el = fs.querySelector('[data-state]');
      if (!p) {
        el.textContent = c && c.enabled === false ? 'Switched off.' : 'Not running (save first).';
        continue;
      }
      el.textContent =
        `${p.state || 'waiting'}; last success ${ago(p.lastSuccessMs, now)}; last sent ${p.lastValue ? JSON.stringify(p.lastValue) : '–'}` +
        (p.lastError ? `; last error ${ago(p.lastErrorMs, now)}: ${p.lastError}` : '');
    }
  }

  $('charger-add').addEventListener('click', () => {
    read();
    chargers.push({ type: 'smartevse', url: '', enabled: true });
    render();
  });

  $('outputs-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const num = (id) => ($(id).value.trim() === '' ? undefined : Number($(id).value));
    const body = { outputs: { modbusTcp: { enabled: $('modbus-enabled').checked, port: num('modbus-port'), unitId: num('modbus-unit') }, chargers: read() } };
    const r = await mb.api('PUT', '/api/v1/settings', body);
    if (r.ok) {
      say(true, 'Saved.');
      await load();
    } else say(false, (r.data && r.data.errors ? r.data.errors.join('; ') : r.data && r.data.error) || 'error ' + r.status);
  });

  load();
  setInterval(showState, 5000);
})();
