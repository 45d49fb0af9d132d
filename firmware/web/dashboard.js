// Live dashboard: first paint from GET /api/v1/status and /api/v1/history, then WebSocket pushes.
// When the app or the box stops answering (socket closed, or silent and the status poll fails)
// the page greys out the last values and says "Disconnected" until it answers again.
'use strict';
mb.header('/');
const $ = (id) => document.getElementById(id);
const historyPoints = [];
const STATUS_TEXT = { ok: 'OK', estimated: 'Estimated', stale: 'Data is late', 'safe-fallback': 'Safe fallback', 'no-data': 'No data' };
// The installation settings (GET /api/v1/settings headroom), to compare with what the meter says.
let installed = null;
let lastMessageMs = Date.now();
let disconnectedSince = null;

/** Energy register: the total, or (DSMR sends only per-tariff registers) their sum when every one is there (as the engine's tariff.ts and the HomeWizard API do). */
function energyText(totalWh, tariffWh) {
  const kwh = (wh) => mb.fmt(wh / 1000, 1, 'kWh');
  if (typeof totalWh === 'number') return kwh(totalWh);
  if (!Array.isArray(tariffWh) || tariffWh.length === 0 || !tariffWh.every((v) => typeof v === 'number' && Number.isFinite(v))) return '–';
  const sum = tariffWh.reduce((a, b) => a + b, 0);
  return kwh(sum) + ' (' + tariffWh.map((v, i) => 'T' + (i + 1) + ' ' + mb.fmt(v / 1000, 1)).join(' + ') + ')';
}

/** What the meter says about the supply and the settings disagree on: plain sentences for the banner. */
function installationWarnings(reading, h) {
  if (!reading || !h) return [];
  const out = [];
  if (reading.threeWire === true && h.gridType === 'TN') {
    out.push(
      'Your meter reports a 3-wire supply without neutral (IT, 3×230 V), but Settings say TN. meterbox already calculates the safer IT way; set "Grid type" to IT in Settings.',
    );
  } else if (reading.threeWire === false && h.gridType === 'IT') {
    out.push('Your meter reports a supply with neutral (TN, 230/400 V), but Settings say IT. Check "Grid type" in Settings.');
  }
  if ((reading.phaseCount === 1 || reading.phaseCount === 3) && reading.phaseCount !== h.phases) {
    out.push(
      `Your meter reports ${reading.phaseCount === 1 ? 'one phase' : 'three phases'}, but Settings say ${h.phases === 1 ? 'one phase' : 'three phases'}. Check "Phases" in Settings.`,
    );
  }
  return out;
}

/** Greys out the last values and says so, or (connected) undoes it. */
function setConnected(connected) {
  if (connected) {
    disconnectedSince = null;
    document.body.classList.remove('disconnected');
    return;
  }
  if (disconnectedSince === null) disconnectedSince = new Date(lastMessageMs);
  document.body.classList.add('disconnected');
  $('banner').className = 'card banner span2 disconnected';
  $('status').textContent = 'Disconnected';
  $('reason').textContent =
    `No answer from meterbox since ${disconnectedSince.toLocaleTimeString()}: the values below are the last ones received and may be out of date. Trying again…`;
  $('hint').textContent = '';
  $('gridwarn').textContent = '';
  mb.setDot('disconnected');
}

function phaseRow(name, p, settingsMarginA) {
  const limit = p.limitA || 0;
  const known = p.currentA !== undefined && p.currentA !== null;
  const pct = limit > 0 && known ? Math.min(100, (p.currentA / limit) * 100) : 0;
  const marginPct = limit > 0 ? Math.min(100, (settingsMarginA / limit) * 100) : 0;
  const cls = ['fill', p.currentSource === 'estimated' || p.currentSource === 'bound' ? p.currentSource : '', pct > 95 ? 'over' : pct > 80 ? 'hot' : ''].join(
    ' ',
  );
  const inner =
    limit === 0
      ? '<div class="unknown"></div>'
      : (known ? `<div class="${cls}" style="width:${pct.toFixed(1)}%"></div>` : '<div class="unknown"></div>') +
        `<div class="margin" style="width:${marginPct.toFixed(1)}%"></div>`;
  const current = known ? `<b>${mb.fmt(p.currentA, 1, 'A')}</b> of ${mb.fmt(limit, 0, 'A')}` : limit === 0 ? 'not on this supply' : '<b>unknown</b>';
  return `<div class="phase" data-phase="${name}"><div class="name">${name.toUpperCase()}</div><div class="bar">${inner}</div>
    <div class="detail"><span>${current} <span class="tag ${p.currentSource}">${p.currentSource}</span></span><span>headroom <b class="headroom">${mb.fmt(p.headroomA, 1, 'A')}</b></span></div></div>`;
}

function tariffText(t) {
  if (!t) return '';
  const kwh = (wh) => mb.fmt(wh / 1000, 2, 'kWh');
  let text = '';
  if (t.scheme === 'norway') {
    text =
      `Capacity tariff: this hour ${t.hourEnergyWh !== undefined ? kwh(t.hourEnergyWh) : '–'}` +
      (t.hourBudgetWh !== undefined ? ` of ${kwh(t.hourBudgetWh)}` : '') +
      (t.stepKwh !== undefined ? ` (step ${t.stepKwh} kWh/h)` : '');
  } else if (t.scheme === 'belgium') {
    text =
      `Capacity tariff: quarter-hour ${mb.fmt((t.quarterAverageW || 0) / 1000, 2, 'kW')}` +
      (t.targetW !== undefined ? ` of ${mb.fmt(t.targetW / 1000, 2, 'kW')}` : '');
  } else if (t.scheme === 'power-limit') {
    text = `Import limit ${mb.fmt((t.powerLimitW || 0) / 1000, 1, 'kW')}`;
  }
  return text + (t.note ? ' · ' + t.note : '');
}

function render(s) {
  lastMessageMs = Date.now();
  setConnected(true);
  const h = s.headroom || {};
  const banner = $('banner');
  banner.className = 'card banner span2 ' + (h.status || '');
  $('status').textContent = (STATUS_TEXT[h.status] || h.status || '–') + (h.limitedBy && h.status !== 'no-data' ? ' · limited by ' + h.limitedBy : '');
  const hint = s.link && s.link.hint ? s.link.hint : '';
  // With no data at all the link hint says it better than the engine's generic reason.
  $('reason').textContent = hint && h.status === 'no-data' ? '' : h.reason || '';
  $('hint').textContent = hint;
  $('gridwarn').textContent = installationWarnings(s.reading, installed).join(' ');
  mb.setDot(s.link ? s.link.state : 'starting');

  $('three').innerHTML = `${mb.fmt(h.threePhaseA, 1)}<small> A</small>`;
  $('one').innerHTML = `${mb.fmt(h.onePhaseA, 1)}<small> A</small>`;
  $('onek').textContent = '1-phase charger' + (h.onePhaseLine ? ' (' + h.onePhaseLine + ')' : '');
  $('tariff').textContent = tariffText(h.tariff);

  const r = s.reading || {};
  const hasPower = r.powerImportW !== undefined || r.powerExportW !== undefined;
  const net = hasPower ? (r.powerImportW || 0) - (r.powerExportW || 0) : undefined;
  $('net').innerHTML = net === undefined ? '–' : `<span class="${net >= 0 ? 'import' : 'export'}">${mb.fmt(net / 1000, 2)}</span><small> kW</small>`;
  $('netk').textContent = net === undefined ? 'net' : net >= 0 ? 'net import' : 'net export';
  $('imp').innerHTML = r.powerImportW === undefined ? '–' : `${mb.fmt(r.powerImportW, 0)}<small> W</small>`;
  $('exp').innerHTML = r.powerExportW === undefined ? '–' : `${mb.fmt(r.powerExportW, 0)}<small> W</small>`;

  const phases = h.phases || {};
  const margin = installed ? installed.marginA : 0;
  $('phases').innerHTML = ['l1', 'l2', 'l3']
    .filter((n) => phases[n])
    .map((n) => phaseRow(n, phases[n], margin))
    .join('');

  const m = s.meter || {};
  const rows = [
    ['Meter', [m.manufacturer, m.model].filter(Boolean).join(' ') || '–'],
    ['ID', m.id || '–'],
    ['Protocol', [m.protocol, m.format, m.listId || (m.dsmrVersion ? 'DSMR ' + m.dsmrVersion : '')].filter(Boolean).join(' · ') || '–'],
    ['Meter time', m.meterTime || '–'],
    ['Data age', s.readingAgeS === null || s.readingAgeS === undefined ? '–' : s.readingAgeS.toFixed(1) + ' s (' + (s.lastFrameKind || '') + ' frame)'],
    ['Energy in', energyText(r.energyImportWh, r.energyImportTariffWh)],
    ['Energy out', energyText(r.energyExportWh, r.energyExportTariffWh)],
    ['Frames', `${s.frames ? s.frames.frames : 0} ok, ${s.frames ? s.frames.errors : 0} errors`],
    ['Source', (s.link && s.link.source) || '–'],
  ];
  $('meter').innerHTML = rows.map(([k, v]) => `<dt>${k}</dt><dd>${mb.esc(v)}</dd>`).join('');
  $('foot').textContent = `${s.device ? s.device.name + ' ' + s.device.firmwareVersion : ''} · API v${s.apiVersion}`;

  if (net !== undefined && s.readingAgeS !== null) {
    const t = s.timeMs - s.readingAgeS * 1000;
    const last = historyPoints[historyPoints.length - 1];
    const hs = ['l1', 'l2', 'l3'].map((n) => phases[n] && phases[n].headroomA).filter((v) => typeof v === 'number');
    if (!last || t - last.tMs >= 2000) historyPoints.push({ tMs: t, netPowerW: net, minHeadroomA: hs.length ? Math.min(...hs) : undefined });
    while (historyPoints.length > 240) historyPoints.shift();
    drawSpark();
  }
}

function drawSpark() {
  const pts = historyPoints.filter((p) => p.netPowerW !== undefined);
  const svg = $('spark');
  if (pts.length < 2) {
    svg.innerHTML = '';
    return;
  }
  let lo = Math.min(0, ...pts.map((p) => p.netPowerW));
  let hi = Math.max(...pts.map((p) => p.netPowerW));
  if (hi - lo < 100) hi = lo + 100;
  const t0 = pts[0].tMs,
    t1 = pts[pts.length - 1].tMs || t0 + 1;
  const x = (t) => ((t - t0) / Math.max(1, t1 - t0)) * 300;
  const y = (v) => 86 - ((v - lo) / (hi - lo)) * 82;
  const line = pts.map((p) => `${x(p.tMs).toFixed(1)},${y(p.netPowerW).toFixed(1)}`).join(' ');
  svg.innerHTML =
    `<line x1="0" x2="300" y1="${y(0).toFixed(1)}" y2="${y(0).toFixed(1)}" stroke="#c4ceda" stroke-dasharray="3 3"/>` +
    `<polygon points="0,${y(0).toFixed(1)} ${line} 300,${y(0).toFixed(1)}" fill="rgba(47,111,214,.12)"/>` +
    `<polyline points="${line}" fill="none" stroke="#2f6fd6" stroke-width="2" vector-effect="non-scaling-stroke"/>`;
  // Smallest phase headroom on its own scale (0 .. largest seen), drawn dashed.
  const hp = pts.filter((p) => p.minHeadroomA !== undefined);
  if (hp.length > 1) {
    const hmax = Math.max(1, ...hp.map((p) => p.minHeadroomA));
    const hy = (a) => 86 - (a / hmax) * 82;
    svg.innerHTML += `<polyline points="${hp.map((p) => `${x(p.tMs).toFixed(1)},${hy(p.minHeadroomA).toFixed(1)}`).join(' ')}" fill="none" stroke="#1f9d55" stroke-width="1.5" stroke-dasharray="4 3" vector-effect="non-scaling-stroke"/>`;
  }
  $('sparkmin').textContent = mb.fmt(lo, 0, 'W');
  $('sparkmax').textContent = mb.fmt(hi, 0, 'W');
}

let socket;
let retryMs = 1000;
function connect() {
  socket = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws');
  socket.onmessage = (event) => {
    retryMs = 1000;
    try {
      const msg = JSON.parse(event.data);
      if (msg.type === 'snapshot') render(msg.snapshot);
    } catch {
      /* ignore a bad message */
    }
  };
  socket.onclose = () => {
    setConnected(false);
    setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  };
}

// The app pushes on every frame and on every change, so a quiet socket may be fine (a silent
// meter) or dead (the box lost power: no close ever comes). After 20 s without a message, ask.
const QUIET_MS = 20000;
async function checkAlive() {
  if (Date.now() - lastMessageMs < QUIET_MS) return;
  const r = await mb.api('GET', '/api/v1/status', undefined, 5000);
  if (r.ok) render(r.data);
  else if (r.status === 0) {
    setConnected(false);
    if (socket && socket.readyState === WebSocket.OPEN) socket.close();
  }
}
setInterval(checkAlive, 5000);

async function loadInstallation() {
  const settings = await mb.api('GET', '/api/v1/settings');
  if (settings.ok && settings.data.headroom) installed = settings.data.headroom;
}
// Settings change on another page or device: look again now and then, and when the tab comes back.
setInterval(loadInstallation, 60000);
document.addEventListener('visibilitychange', () => {
  if (!document.hidden) loadInstallation();
});

(async () => {
  await loadInstallation();
  const hist = await mb.api('GET', '/api/v1/history');
  if (hist.ok) for (const p of hist.data.points) historyPoints.push(p);
  await openLive();
})();

// Live data closed to strangers (access.readOpen false): the WebSocket would be refused and its
// close would paint "Disconnected" over the real reason. Say what to do, look again now and then
// (a login in another tab sets this browser's session), and connect once the box lets it read.
async function openLive() {
  const status = await mb.api('GET', '/api/v1/status');
  if (status.status === 401) {
    $('status').textContent = 'Login needed to see live data';
    $('reason').innerHTML = '<a href="/settings">Log in on the settings page</a>';
    setTimeout(openLive, 10000);
    return;
  }
  if (status.ok) render(status.data);
  else if (status.status === 0) setConnected(false);
  connect();
}
