// Shared by every page: navigation, fetch helpers, number formatting. Plain JS, no build step.
'use strict';
/* exported mb */
const mb = (() => {
  const pages = [
    ['/', 'Live'],
    ['/settings', 'Settings'],
    ['/diagnostics', 'Diagnostics'],
    ['/setup', 'Setup'],
    ['/update', 'Update'],
  ];
  function header(active) {
    const h = document.createElement('header');
    const nav = pages.map(([href, label]) => `<a href="${href}"${href === active ? ' class="active"' : ''}>${label}</a>`).join('');
    h.innerHTML = `<h1><span class="dot" id="linkdot" title="link"></span>meterbox</h1><nav>${nav}</nav>`;
    document.body.prepend(h);
    settingsBanner(h);
  }
  // Damaged stored settings (GET /api/v1/settings/health, public): said on every page, with the
  // way out: confirm the settings in use (logged in), or how the owner unlocks a locked box.
  async function settingsBanner(after) {
    const r = await api('GET', '/api/v1/settings/health');
    const s = r.data;
    if (!r.ok || !s || (s.state === 'ok' && !s.confirmRequired && !s.locked)) return;
    const box = document.createElement('section');
    box.className = 'card warn-banner';
    box.id = 'settings-banner';
    const kept = s.keptAs ? ' The original was kept as ' + esc(s.keptAs) + '.' : '';
    const problems = '<ul>' + s.problems.map((p) => '<li>' + esc(p) + '</li>').join('') + '</ul>';
    if (s.locked) {
      box.innerHTML = '<h2>Settings could not be read: box locked</h2><p>' + esc(s.howToUnlock || '') + '</p>' + problems;
    } else {
      box.innerHTML =
        '<h2>Stored settings were damaged</h2><p>Some settings could not be read and use their defaults.' +
        kept +
        (s.confirmRequired
          ? ' Until you check them on the Settings page and confirm, chargers get at most the minimum current (0 A when no fuse could be read).'
          : '') +
        '</p>' +
        problems +
        '<button type="button" id="settings-confirm">These settings are right: confirm</button> <span class="msg" id="settings-confirm-msg"></span>';
      box.querySelector('#settings-confirm').addEventListener('click', async () => {
        const c = await api('POST', '/api/v1/settings/confirm', {});
        const msg = box.querySelector('#settings-confirm-msg');
        msg.textContent = c.ok
          ? 'Confirmed: the settings are stored as shown and the limit is lifted.'
          : c.status === 401
            ? 'Log in on the Settings page first.'
            : (c.data && c.data.error) || 'error';
        if (c.ok) setTimeout(() => box.remove(), 1500);
      });
    }
    after.after(box);
  }
  // status 0: no answer (the app or the box is gone, or timeoutMs passed).
  async function api(method, path, body, timeoutMs) {
    const init = { method, headers: {}, credentials: 'same-origin' };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (timeoutMs) init.signal = AbortSignal.timeout(timeoutMs);
    let res;
    try {
      res = await fetch(path, init);
    } catch {
      return { ok: false, status: 0, data: { error: 'no answer from meterbox: is it running and on the network?' } };
    }
    let data;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    return { ok: res.ok, status: res.status, data };
  }
  // The API's error texts are for programs ("POST /api/v1/auth/setup"); a person gets what to do.
  function plainError(r) {
    const d = r.data || {};
    if (r.status === 0) return d.error;
    if (d.setupRequired) return 'No password is set yet: choose one under Access at the top of the Settings page.';
    if (d.loginRequired) return 'Log in first (Access, at the top of the Settings page).';
    if (r.status === 409 && /already set/.test(d.error || '')) return 'A password is already set: log in with it.';
    return d.error || 'error ' + r.status;
  }
  function fmt(value, digits, unit) {
    if (value === undefined || value === null || Number.isNaN(value)) return '–';
    return Number(value).toFixed(digits) + (unit ? ' ' + unit : '');
  }
  function esc(text) {
    return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
  }
  function setDot(state) {
    const d = document.getElementById('linkdot');
    if (!d) return;
    d.className = 'dot ' + (state === 'ok' ? 'ok' : state === 'starting' ? 'warn' : state === 'disconnected' ? 'off' : 'bad');
    d.title = state === 'disconnected' ? 'meterbox does not answer' : 'meter link: ' + state;
  }
  // Who can read live data (access.readOpen), in the words of the setup and settings pages.
  function readAccessState(open) {
    return open
      ? 'Open: anyone on your network can read live data without a password (changes need it).'
      : 'Private: reading live data needs the password too.';
  }
  return { header, api, plainError, fmt, esc, setDot, readAccessState };
})();
