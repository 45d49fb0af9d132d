// Diagnostics page: polls GET /api/v1/diagnostics every 2 s.
'use strict';
mb.header('/diagnostics');
const $ = (id) => document.getElementById(id);
const kv = (rows) => rows.map(([k, v]) => `<dt>${k}</dt><dd>${mb.esc(v === undefined || v === null ? '–' : v)}</dd>`).join('');

async function refresh() {
  const r = await mb.api('GET', '/api/v1/diagnostics');
  if (!r.ok) {
    mb.setDot(r.status === 0 ? 'disconnected' : 'no-data');
    $('frames').textContent = mb.plainError(r);
    return;
  }
  const d = r.data;
  mb.setDot(d.link.state);
  $('link').innerHTML = kv([
    ['State', d.link.state],
    ['Source', d.link.source],
    ['Line', d.link.line || d.lineDetection.mode],
    [
      'Line detection',
      d.lineDetection.mode === 'auto'
        ? (d.lineDetection.locked ? 'kept: ' : 'trying ') + d.lineDetection.line + ' · ' + d.lineDetection.verdict
        : d.lineDetection.mode,
    ],
    ['Format', d.detectedFormat],
    ['Last source error', d.link.lastError],
  ]);
  $('hint').textContent = d.hint || '';
  const f = d.frames;
  const sc = d.sourceCounters || {};
  $('counters').innerHTML = kv([
    ['Bytes', f.bytes],
    ['Frames ok', f.frames],
    ['Frame errors', f.errors],
    ['Garbage bytes', f.garbageBytes],
    ['Last byte', f.lastByteAgeS === undefined ? 'never' : f.lastByteAgeS + ' s ago'],
    ['Last frame', f.lastFrameAgeS === undefined ? 'never' : f.lastFrameAgeS + ' s ago'],
    ['UART parity / framing / overflow', `${sc.parityErrors || 0} / ${sc.framingErrors || 0} / ${sc.overflows || 0}`],
  ]);
  const kinds = Object.keys(f.errorsByKind);
  $('errors').innerHTML = kinds.length
    ? '<tr><th>kind</th><th>count</th></tr>' + kinds.map((k) => `<tr><td>${mb.esc(k)}</td><td>${f.errorsByKind[k]}</td></tr>`).join('')
    : '<tr><td class="muted">none</td></tr>';
  $('frames').innerHTML = d.recentFrames.length
    ? d.recentFrames
        .slice()
        .reverse()
        .map(
          (x) =>
            `<div><b>${x.ok ? 'ok' : 'error'}</b> ${mb.esc(x.format || '')} · ${x.bytes} bytes · ${new Date(x.timeMs).toLocaleTimeString()}${x.error ? ' · <span class="err">' + mb.esc(x.errorCode + ': ' + x.error) + '</span>' : ''}` +
            `<div class="hex">${mb.esc(x.hex)}${x.truncated ? ' …' : ''}</div></div>`,
        )
        .join('')
    : 'no frames yet';
}
refresh();
setInterval(refresh, 2000);
