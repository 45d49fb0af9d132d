// Shared by every page: navigation, fetch helpers, number formatting. Plain JS, no build step.
'use strict';
/* exported mb */
const mb = (() => {
  const pages = [['/', 'Live'], ['/settings', 'Settings'], ['/diagnostics', 'Diagnostics'], ['/setup', 'Setup'], ['/update', 'Update']];
  function header(active) {
    const h = document.createElement('header');
    const nav = pages.map(([href, label]) => `<a href="${href}"${href === active ? ' class="active"' : ''}>${label}</a>`).join('');
    h.innerHTML = `<h1><span class="dot" id="linkdot" title="link"></span>meterbox</h1><nav>${nav}</nav>`;
    document.body.prepend(h);
  }
  async function api(method, path, body) {
    const init = { method, headers: {}, credentials: 'same-origin' };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    const res = await fetch(path, init);
    let data;
    try { data = await res.json(); } catch { data = null; }
    return { ok: res.ok, status: res.status, data };
  }
  function fmt(value, digits, unit) {
    if (value === undefined || value === null || Number.isNaN(value)) return '–';
    return Number(value).toFixed(digits) + (unit ? ' ' + unit : '');
  }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  }
  function setDot(state) {
    const d = document.getElementById('linkdot');
    if (!d) return;
    d.className = 'dot ' + (state === 'ok' ? 'ok' : state === 'starting' ? 'warn' : 'bad');
    d.title = 'meter link: ' + state;
  }
  return { header, api, fmt, esc, setDot };
})();
