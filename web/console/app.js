// loom-oncall web console: one vanilla script, no dependencies, no inline code (the CSP forbids
// it). It talks to the server's JSON API (docs/api.md) with the session cookie set by
// POST /ui/session, and sends the session's CSRF token with every state change.
//
// Views (location.hash): "#/" the incident list (filters in the hash: "#/?state=open&severity=sev1"),
// "#/incidents/INC-7" one incident, "#/incidents/INC-7/review" its post-incident review,
// "#/oncall", "#/followups" (?mine=1: the owner chosen in "I am"), "#/drills", "#/reports". Every view polls the API every few seconds; countdowns tick
// every second. All text goes into the page through textContent, never as HTML.
'use strict';

const POLL_MS = 4000;
const DAY_MS = 24 * 3600 * 1000;
const STATES = ['triggered', 'acknowledged', 'mitigated', 'resolved', 'closed'];
const OPEN_STATES = ['triggered', 'acknowledged', 'mitigated'];
const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'];
const UPDATE_FIELDS = ['impact', 'scope', 'mitigation', 'next_update_at'];

const app = {
  session: null,   // {name, role, actor, csrf_token}
  users: {},       // GET /v1/users by id: people are shown by name
  policy: null,    // GET /v1/policy's severities, or null
  services: [],
  view: null,      // {refresh(): Promise, key: string}
  poll: null,
};

// ---- DOM helpers ----

// h('p', {class: 'x'}, 'text', child...): an element; attributes starting with "on" are listeners.
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

function $(id) { return document.getElementById(id); }

function announce(text) {
  const el = $('announce');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

// ---- API ----

class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = app.session ? app.session.csrf_token : '';
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && app.session && path !== '/ui/session') {
    app.session = null;
    showSignIn('Your session has ended. Sign in again.');
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// ---- time ----

function fmtDuration(ms) {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (d > 0) return `${d}d ${hh}h`;
  if (hh > 0) return `${hh}h ${String(mm).padStart(2, '0')}m`;
  return `${mm}:${String(ss).padStart(2, '0')}`;
}

// Times are shown in the viewer's time zone, 24-hour, with the zone's abbreviation ("Dec 7, 14:03:12
// CET"), so that a time read on a phone abroad is not mistaken for the office's.
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  hourCycle: 'h23', timeZoneName: 'short' });

function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : TIME_FORMAT.format(d);
}

// ---- people ----

// Who an actor or a user id is, for people to read: a configured user by name ("user:alice" or
// "alice" → "Alice Primary"), an API token by its name, the server itself as loom-oncall.
function person(actor) {
  if (!actor) return '—';
  const id = actor.startsWith('user:') ? actor.slice(5) : actor;
  const user = app.users[id];
  if (user) return user.name || user.id;
  if (id.startsWith('token:')) return `${id.slice(6)} (API token)`;
  if (id === 'system') return 'loom-oncall';
  if (id.startsWith('integration:')) return `the alert source (${id.slice(12)})`;
  return id;
}

function roleName(role) { return String(role || '').replace(/_/g, ' '); }

async function loadUsers() {
  try {
    const list = (await api('GET', '/v1/users')).users;
    app.users = Object.fromEntries(list.map((u) => [u.id, u]));
  } catch (e) {
    app.users = {};  // ids are shown instead of names
  }
}

function age(iso) { return fmtDuration(Date.now() - Date.parse(iso)); }

// A <span> that the ticker keeps counting down to `deadline` (ms since the epoch).
function countdown(deadline) {
  const el = h('span', { class: 'countdown', 'data-deadline': deadline });
  updateCountdown(el);
  return el;
}

function updateCountdown(el) {
  const left = Number(el.dataset.deadline) - Date.now();
  const missed = left < 0;
  el.classList.toggle('missed', missed);
  el.textContent = missed ? `missed by ${fmtDuration(left)}` : `${fmtDuration(left)} left`;
}

function tick() {
  document.querySelectorAll('.countdown').forEach(updateCountdown);
  document.querySelectorAll('[data-since]').forEach((el) => { el.textContent = age(el.dataset.since); });
}

// ---- deadlines (docs/console.md "Countdowns") ----

function rule(severity) { return app.policy ? app.policy[severity] : null; }

// The acknowledgement target of a triggered incident: its ack target after it was opened (or
// last unacknowledged / changed severity, which restart the escalation). Wall-clock targets only:
// business-hours targets are not counted down here.
function ackDue(incident, timeline) {
  const r = rule(incident.severity);
  if (incident.state !== 'triggered' || !r || r.ack_basis !== 'wall') return null;
  let base = Date.parse(incident.created_at);
  for (const e of timeline || []) {
    if (e.type === 'incident.unacknowledged' || e.type === 'incident.severity_changed') {
      base = Math.max(base, Date.parse(e.at));
    }
  }
  return base + r.ack_target_seconds * 1000;
}

// When the next status update is due, as the server's cadence computes it (src/core/cadence.cc):
// the update cadence after the acknowledgement, the last status update or the last missed due
// time, or sooner when the last update promised an earlier time.
function updateDue(incident, timeline) {
  const r = rule(incident.severity);
  if (!r || r.update_async || !incident.acknowledged_at) return null;
  if (incident.state !== 'acknowledged' && incident.state !== 'mitigated') return null;
  let base = Date.parse(incident.acknowledged_at);
  let promised = null;
  for (const e of timeline || []) {
    const at = Date.parse(e.at);
    const data = e.data || {};
    if (e.type === 'incident.status_update' && at >= base) {
      base = at;
      promised = typeof data.next_update_at === 'number' ? data.next_update_at / 1000 : null;
    } else if (e.type === 'update.missed' && data.due_at && Date.parse(data.due_at) >= base) {
      base = Date.parse(data.due_at);
      promised = null;
    }
  }
  let due = base + r.update_cadence_seconds * 1000;
  if (promised !== null && promised < due) due = promised;
  return due;
}

// ---- session ----

function canAct() { return app.session && app.session.role !== 'viewer'; }

function showHeader() {
  const signedIn = !!app.session;
  $('who').textContent = signedIn ? `${app.session.name} · ${app.session.role}` : '';
  $('signout').hidden = !signedIn;
  $('views').hidden = !signedIn;  // the views need a session: no navigation before sign-in
}

function setMain(...children) {
  const main = $('main');
  main.replaceChildren(...children);
}

function showSignIn(message) {
  stopPolling();
  app.view = null;
  showHeader();
  const input = h('input', { id: 'token', name: 'token', type: 'password', required: true,
                             autocomplete: 'current-password', 'aria-describedby': 'token-error' });
  const error = h('p', { id: 'token-error', class: 'field-error' }, message || '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to loom-oncall'),
    h('label', { for: 'token' }, 'API token'),
    input, error,
    h('p', { class: 'hint' }, 'A token from your administrator (loom-oncall token create). ' +
      'It stays on the server; this browser keeps only a session cookie.'),
    button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    if (!input.value) {
      error.textContent = 'Enter your API token.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      app.session = await api('POST', '/ui/session', { token: input.value });
      input.value = '';
      await start();
    } catch (e) {
      error.textContent = e.message;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  setMain(form);
  input.focus();
}

async function signOut() {
  try { await api('DELETE', '/ui/session'); } catch (e) { /* signed out either way */ }
  app.session = null;
  showSignIn('Signed out.');
}

async function start() {
  showHeader();
  try {
    const policy = await api('GET', '/v1/policy');
    app.policy = policy.severities;
  } catch (e) {
    app.policy = null;  // countdowns left out
  }
  try {
    app.services = (await api('GET', '/v1/services')).services.map((s) => s.id);
  } catch (e) {
    app.services = [];
  }
  await loadUsers();
  route();
}

// ---- routing and polling ----

function stopPolling() {
  if (app.poll) clearInterval(app.poll);
  app.poll = null;
}

function route() {
  if (!app.session) return;
  stopPolling();
  const hash = location.hash || '#/';
  const m = hash.match(/^#\/incidents\/([A-Za-z0-9-]+)$/);
  const review = hash.match(/^#\/incidents\/([A-Za-z0-9-]+)\/review$/);
  const views = { '#/oncall': oncallView, '#/followups': followupsView, '#/reports': reportsView,
                  '#/drills': drillsView };
  const base = hash.split('?')[0];
  app.view = m ? incidentView(decodeURIComponent(m[1]))
    : review ? reviewView(decodeURIComponent(review[1]))
      : views[base] ? views[base](hash) : listView(hash);
  app.view.refresh();
  app.poll = setInterval(() => { if (app.view) app.view.refresh(); }, POLL_MS);
}

// ---- on call now ----

const ROLES = [['primary', 'Primary'], ['secondary', 'Secondary'],
               ['escalation_manager', 'Escalation manager'], ['security_lead', 'Security lead']];

// Every service's four roles: who holds each now and until when (GET /v1/oncall); below, every
// schedule's next two weeks as a shift timeline with its overrides, and a form to add one.
function oncallView() {
  const body = h('div', { 'aria-busy': 'true' });
  const error = h('div', { class: 'banner', role: 'alert' });
  const schedules = h('div', { 'aria-busy': 'true' });
  const overrideForm = h('div');
  setMain(h('h1', { tabindex: '-1' }, 'On call now'), error, body,
    h('h2', { id: 'schedules-title' }, 'Schedules: the next two weeks'), schedules, overrideForm);
  document.title = 'On call · loom-oncall';
  let users = null;  // GET /v1/users, once
  let scheduleIds = [];
  async function refreshRoles() {
    const sections = [];
    for (const service of app.services) {
      let roles = null;
      try {
        roles = (await api('GET', '/v1/oncall?service=' + encodeURIComponent(service))).roles;
      } catch (e) {
        sections.push(h('section', {}, h('h2', {}, service),
          h('p', { class: 'muted' }, 'No on-call roles configured.')));
        continue;
      }
      const rows = ROLES.map(([key, label]) => {
        const r = roles[key] || {};
        return h('tr', { 'data-role': key },
          h('th', { scope: 'row' }, label),
          h('td', {}, r.user ? (r.name ? `${r.name} (${r.user})` : r.user) : h('span', { class: 'nobody' }, 'nobody')),
          h('td', {}, r.until ? fmtTime(r.until) : '—'));
      });
      sections.push(h('section', { 'data-service': service }, h('h2', {}, service),
        h('table', { class: 'oncall' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Who'),
                          h('th', { scope: 'col' }, 'Until'))),
          h('tbody', {}, rows))));
    }
    body.replaceChildren(...sections);
    body.setAttribute('aria-busy', 'false');
  }
  async function refreshSchedules() {
    if (users === null) users = (await api('GET', '/v1/users')).users;
    const list = (await api('GET', '/v1/schedules')).schedules;
    const from = new Date();
    from.setUTCHours(0, 0, 0, 0);
    const to = new Date(from.getTime() + 14 * DAY_MS);
    const window = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const sections = [];
    for (const schedule of list) {
      const id = encodeURIComponent(schedule.id);
      const [shifts, overrides] = await Promise.all([
        api('GET', `/v1/schedules/${id}/shifts?${window}`),
        api('GET', `/v1/schedules/${id}/overrides`)]);
      sections.push(scheduleSection(schedule, shifts.shifts, overrides.overrides, from, to));
    }
    schedules.replaceChildren(...(sections.length ? sections
      : [h('p', { class: 'muted' }, 'No schedules configured.')]));
    schedules.setAttribute('aria-busy', 'false');
    const ids = list.map((x) => x.id);
    if (canAct() && ids.join() !== scheduleIds.join()) {
      scheduleIds = ids;
      overrideForm.replaceChildren(...(ids.length ? [renderOverrideForm(ids)] : []));
    }
  }
  function userName(uid) {
    const u = (users || []).find((x) => x.id === uid);
    return u && u.name ? u.name : uid;
  }
  function scheduleSection(schedule, shifts, overrides, from, to) {
    const span = to - from;
    const pct = (t) => `${Math.max(0, Math.min(100, ((Date.parse(t) - from) / span) * 100)).toFixed(3)}%`;
    const segments = shifts.map((x) => h('div', {
      class: 'shift' + (x.user ? '' : ' gap') + (x.override ? ' override' : ''),
      'data-left': pct(x.start), 'data-right': pct(x.end),
      title: `${x.user ? userName(x.user) : 'nobody'}: ${fmtTime(x.start)} – ${fmtTime(x.end)}`,
    }, x.user ? userName(x.user) : 'nobody'));
    const days = [];
    for (let d = 0; d < 14; ++d) {
      const day = new Date(from.getTime() + d * DAY_MS);
      days.push(h('span', {}, day.toLocaleDateString(undefined, { day: 'numeric' })));
    }
    const band = h('div', { class: 'band', 'aria-hidden': 'true' }, segments);
    const rows = shifts.map((x) => h('tr', { class: x.user ? '' : 'gap-row' },
      h('td', {}, x.user ? userName(x.user) : h('span', { class: 'nobody' }, 'nobody')),
      h('td', {}, fmtTime(x.start)), h('td', {}, fmtTime(x.end)),
      h('td', {}, x.override ? 'override' : '')));
    const overrideRows = overrides.map((o) => h('li', { 'data-override': o.id },
      `${userName(o.user)} from ${fmtTime(o.from)} to ${fmtTime(o.to)} (by ${person(o.created_by)}) `,
      canAct() ? h('button', { type: 'button', class: 'quiet', onclick: () => deleteOverride(schedule.id, o.id),
                               'aria-label': `Delete override ${o.id}` }, 'Delete') : null));
    const section = h('section', { class: 'schedule', 'data-schedule': schedule.id,
                                   'aria-label': `Schedule ${schedule.id}` },
      h('h3', {}, `${schedule.id} `, h('span', { class: 'muted' }, `(${schedule.time_zone})`)),
      band, h('div', { class: 'days', 'aria-hidden': 'true' }, days),
      h('details', {}, h('summary', {}, shifts.length === 1 ? '1 shift' : `${shifts.length} shifts`),
        h('div', { class: 'table-scroll' }, h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Who'), h('th', { scope: 'col' }, 'From'),
                          h('th', { scope: 'col' }, 'To'), h('th', { scope: 'col' }, 'Override'))),
          h('tbody', {}, rows)))),
      overrides.length ? h('ul', { class: 'overrides', 'aria-label': `Overrides of ${schedule.id}` }, overrideRows) : null);
    // Positions through the CSSOM: the CSP forbids inline style attributes.
    for (const seg of band.children) {
      seg.style.left = seg.dataset.left;
      seg.style.width = `calc(${seg.dataset.right} - ${seg.dataset.left})`;
    }
    return section;
  }
  async function deleteOverride(schedule, overrideId) {
    try {
      await api('DELETE', `/v1/schedules/${encodeURIComponent(schedule)}/overrides/${overrideId}`);
      announce(`Override ${overrideId} deleted`);
      await refresh();
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  function renderOverrideForm(ids) {
    const field = (name, label, control) => [h('label', { for: `o-${name}` }, label), control,
      h('p', { id: `o-${name}-error`, class: 'field-error' })];
    const schedule = h('select', { id: 'o-schedule', name: 'schedule' },
      ids.map((x) => h('option', { value: x }, x)));
    const user = h('select', { id: 'o-user', name: 'user' },
      (users || []).map((u) => h('option', { value: u.id }, u.name ? `${u.name} (${u.id})` : u.id)));
    const fromInput = h('input', { id: 'o-from', name: 'from', type: 'datetime-local' });
    const toInput = h('input', { id: 'o-to', name: 'to', type: 'datetime-local' });
    const formError = h('p', { class: 'field-error', role: 'alert' });
    const button = h('button', { type: 'submit' }, 'Create override');
    const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'override-title' },
      h('h2', { id: 'override-title' }, 'Create an override'),
      field('schedule', 'Schedule', schedule), field('user', 'Who takes over', user),
      field('from', 'From', fromInput), field('to', 'To', toInput), formError, button);
    const inputs = { from: fromInput, to: toInput, user, schedule };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      formError.textContent = '';
      for (const [name, el] of Object.entries(inputs)) {
        el.removeAttribute('aria-invalid');
        $(`o-${name}-error`).textContent = '';
      }
      let bad = false;
      for (const name of ['from', 'to']) {
        if (!inputs[name].value) {
          inputs[name].setAttribute('aria-invalid', 'true');
          inputs[name].setAttribute('aria-describedby', `o-${name}-error`);
          $(`o-${name}-error`).textContent = 'Required.';
          bad = true;
        }
      }
      if (bad) return;
      button.disabled = true;
      try {
        await api('POST', `/v1/schedules/${encodeURIComponent(schedule.value)}/overrides`, {
          user: user.value, from: new Date(fromInput.value).toISOString(),
          to: new Date(toInput.value).toISOString() });
        announce(`Override created: ${user.value} on ${schedule.value}`);
        fromInput.value = '';
        toInput.value = '';
        await refresh();
      } catch (e) {
        if (e.status === 401) return;
        const errors = (e.problem && e.problem.errors) || [];
        let placed = false;
        for (const fe of errors) {
          const name = String(fe.pointer || '').replace(/^\//, '');
          if (inputs[name]) {
            inputs[name].setAttribute('aria-invalid', 'true');
            inputs[name].setAttribute('aria-describedby', `o-${name}-error`);
            $(`o-${name}-error`).textContent = fe.detail || e.message;
            placed = true;
          }
        }
        if (!placed) formError.textContent = e.message;
      } finally {
        button.disabled = false;
      }
    });
    return form;
  }
  async function refresh() {
    try {
      await refreshRoles();
      await refreshSchedules();
      error.textContent = '';
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}

// ---- follow-ups ----

const ME_KEY = 'loom-oncall.me';

// The configured user this browser says it is ("I am"), or "". Kept in localStorage: the
// server's tokens carry a name and a role, not a user.
function rememberedUser() {
  try { return localStorage.getItem(ME_KEY) || ''; } catch (e) { return ''; }
}

function rememberUser(id) {
  try {
    if (id) localStorage.setItem(ME_KEY, id);
    else localStorage.removeItem(ME_KEY);
  } catch (e) { /* storage disabled: nothing is remembered */ }
}

// Follow-ups (GET /v1/followups): open ones by default, filtered by owner and overdue; a
// responder marks one done. The filters live in the hash ("#/followups?owner=alice&overdue=1").
function followupsView(hash) {
  const q = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const filters = { owner: q.get('owner') || '', status: q.get('status') || 'open',
                    overdue: q.get('overdue') === '1', mine: q.get('mine') === '1' };
  // "Mine": the owner this browser remembers as "I am" (tokens are not tied to users).
  const me = rememberedUser();
  if (filters.mine && me) filters.owner = me;
  const meSelect = h('select', { id: 'f-me', name: 'me', 'aria-describedby': 'f-me-hint f-me-error' },
    h('option', { value: '' }, 'Not chosen'));
  const mine = h('input', { id: 'f-mine', name: 'mine', type: 'checkbox', checked: filters.mine });
  const error = h('div', { class: 'banner', role: 'alert' });
  const list = h('div', { 'aria-busy': 'true' });
  const owner = h('select', { id: 'f-owner', name: 'owner' }, h('option', { value: '' }, 'Everyone'));
  const status = selectControl('f-status', 'Status', filters.status,
    [['open', 'Open'], ['done', 'Done'], ['cancelled', 'Cancelled'], ['', 'Any']]);
  const overdue = h('input', { id: 'f-overdue', name: 'overdue', type: 'checkbox', checked: filters.overdue });
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' },
    h('div', {}, h('label', { for: 'f-owner' }, 'Owner'), owner), h('div', {}, status),
    h('div', { class: 'check' }, overdue, h('label', { for: 'f-overdue' }, 'Overdue only')),
    h('div', { class: 'check' }, mine, h('label', { for: 'f-mine' }, 'Mine only')));
  const meForm = h('form', { class: 'me', 'aria-label': 'Who you are' },
    h('label', { for: 'f-me' }, 'I am'), meSelect,
    h('p', { class: 'hint', id: 'f-me-hint' },
      'Remembered in this browser only: API tokens are not tied to a user. "Mine only" shows this user\'s follow-ups.'),
    h('p', { class: 'field-error', id: 'f-me-error' },
      filters.mine && !me ? 'Choose who you are to see your follow-ups.' : ''));
  meForm.addEventListener('submit', (ev) => ev.preventDefault());
  meSelect.addEventListener('change', () => {
    rememberUser(meSelect.value);
    announce(meSelect.value ? `You are ${meSelect.value}` : 'Nobody chosen');
    if (filters.mine) { route(); if ($('f-me')) $('f-me').focus(); }
  });
  if (filters.mine && me) owner.disabled = true;
  form.addEventListener('change', (ev) => {
    const next = new URLSearchParams();
    if (mine.checked) next.set('mine', '1');
    else if (owner.value && ev.target !== mine) next.set('owner', owner.value);
    next.set('status', $('f-status').value);
    if (overdue.checked) next.set('overdue', '1');
    history.replaceState(null, '', '#/followups?' + next);
    const changed = ev.target.id;
    route();
    if (changed && $(changed)) $(changed).focus();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  setMain(h('h1', { tabindex: '-1' }, filters.mine && me ? `My follow-ups (${me})` : 'Follow-ups'),
    meForm, form, error, list);
  document.title = 'Follow-ups · loom-oncall';
  api('GET', '/v1/users').then((r) => {
    for (const u of r.users) {
      owner.append(h('option', { value: u.id, selected: u.id === filters.owner }, u.name ? `${u.name} (${u.id})` : u.id));
      meSelect.append(h('option', { value: u.id, selected: u.id === me }, userLabel(u)));
    }
  }).catch(() => {});
  async function markDone(fu) {
    try {
      await api('PATCH', `/v1/followups/${encodeURIComponent(fu.id)}`, { status: 'done' });
      announce(`${fu.id} done`);
      await refresh();
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  async function refresh() {
    if (filters.mine && !me) {
      list.replaceChildren();
      return;
    }
    const p = new URLSearchParams();
    if (filters.owner) p.set('owner', filters.owner);
    if (filters.status) p.set('status', filters.status);
    if (filters.overdue) p.set('overdue', 'true');
    try {
      const r = await api('GET', '/v1/followups?' + p);
      error.textContent = '';
      const rows = r.followups.map((fu) => {
        const src = fu.source ? Object.entries(fu.source).map(([k, v]) => k === 'incident' || k === 'review'
          ? h('a', { href: `#/incidents/${v}` }, `${k} ${v}`) : `${k} ${v}`) : ['—'];
        return h('tr', { 'data-followup': fu.id, class: fu.overdue ? 'overdue' : '' },
          h('td', {}, fu.id), h('td', {}, fu.title), h('td', {}, person(fu.owner)),
          h('td', {}, fmtTime(fu.due), fu.overdue ? h('span', { class: 'nobody' }, ' overdue') : null),
          h('td', {}, fu.status), h('td', {}, ...src),
          h('td', {}, canAct() && fu.status === 'open'
            ? h('button', { type: 'button', class: 'quiet', 'aria-label': `Mark ${fu.id} done`,
                            onclick: () => markDone(fu) }, 'Done') : null));
      });
      list.replaceChildren(rows.length === 0 ? h('p', { class: 'muted' }, 'No follow-ups.')
        : h('div', { class: 'table-scroll' }, h('table', {},
          h('thead', {}, h('tr', {}, ['Id', 'Title', 'Owner', 'Due', 'Status', 'From', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows))));
      list.setAttribute('aria-busy', 'false');
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}

// ---- reports ----

const WEEKS = 8;

// Acknowledgement and resolution times by severity over the last eight weeks (one
// GET /v1/reports/response with bucket=week), as uPlot charts, and pages per responder.
function reportsView() {
  const error = h('div', { class: 'banner', role: 'alert' });
  const charts = h('div', { 'aria-busy': 'true' });
  const tables = h('div', {});
  setMain(h('h1', { tabindex: '-1' }, 'Reports'), error, charts, tables);
  document.title = 'Reports · loom-oncall';
  let drawn = '';
  async function refresh() {
    const end = new Date();
    end.setUTCHours(0, 0, 0, 0);
    end.setTime(end.getTime() + DAY_MS);
    const start = new Date(end.getTime() - WEEKS * 7 * DAY_MS);
    try {
      const range = `from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(end.toISOString())}`;
      const total = await api('GET', `/v1/reports/response?${range}&bucket=week`);
      const pages = await api('GET', '/v1/reports/pages?' + range);
      error.textContent = '';
      const key = JSON.stringify([total, pages]);
      if (key === drawn) return;
      drawn = key;
      const reports = total.buckets;
      const xs = reports.map((r) => Date.parse(r.from) / 1000);
      const series = (measure) => SEVERITIES.map((sev) => reports.map((r) => {
        const m = r.by_severity && r.by_severity[sev] && r.by_severity[sev][measure];
        return m && m.count ? m.p50_seconds : null;
      }));
      charts.replaceChildren(
        chartFigure('ack-chart', 'Time to acknowledge, median per week', xs, series('acknowledge')),
        chartFigure('resolve-chart', 'Time to resolve, median per week', xs, series('resolve')));
      charts.setAttribute('aria-busy', 'false');
      tables.replaceChildren(
        h('h2', {}, `Last ${WEEKS} weeks by severity`), severityTable(total),
        h('h2', {}, 'Pages per responder'), pagesTable(pages));
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}

const SEV_COLORS = { sev1: '#b3261e', sev2: '#c24e00', sev3: '#8a6d00', sev4: '#4a5568' };

// The duration axis's tick steps in seconds (1 s to 4 weeks) and their labels ("45s", "2m 30s",
// "1h", "2d"): every tick a whole step, so no two ticks read the same (uPlot's own decimal steps
// of minutes printed "0.001" twice).
const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                        43200, 86400, 172800, 604800, 1209600, 2419200];

function fmtAxisDuration(seconds) {
  const s = Math.round(seconds);
  if (s === 0) return '0';
  const units = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  const parts = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length) {
      break;  // "1h 30m", never "1h 0m 5s"
    }
  }
  return parts.join(' ');
}

function chartFigure(id, title, xs, ys) {
  const box = h('div', { class: 'chart', id });
  const figure = h('figure', { 'aria-labelledby': `${id}-title` },
    h('figcaption', { id: `${id}-title` }, title), box);
  const hasData = ys.some((line) => line.some((v) => v !== null));
  if (!hasData) {
    box.append(h('p', { class: 'muted' }, 'No incidents in these weeks.'));
    return figure;
  }
  if (typeof uPlot !== 'function') {
    box.append(h('p', { class: 'muted' }, 'Charts unavailable (uPlot did not load).'));
    return figure;
  }
  const width = Math.min(960, Math.max(300, document.getElementById('main').clientWidth - 32));
  // eslint-disable-next-line no-undef
  new uPlot({
    width, height: 220,
    series: [{}, ...SEVERITIES.map((sev) => ({ label: sev, stroke: SEV_COLORS[sev], width: 2, spanGaps: true,
                                                 points: { show: true }, value: (u, v) => (v === null ? '—' : fmtSeconds(v)) }))],
    axes: [{}, {
      incrs: DURATION_STEPS, size: 60,
      values: (u, splits) => {
        const labels = splits.map(fmtAxisDuration);
        box.dataset.yTicks = labels.join('|');  // what the axis shows, for the tests
        return labels;
      },
    }],
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max || 0, 1)] } },
  }, [xs, ...ys], box);
  return figure;
}

function fmtSeconds(v) { return v === undefined || v === null ? '—' : fmtDuration(v * 1000); }

function severityTable(report) {
  const rows = SEVERITIES.map((sev) => {
    const r = (report.by_severity || {})[sev] || {};
    const a = r.acknowledge || {};
    const z = r.resolve || {};
    return h('tr', { 'data-severity': sev }, h('th', { scope: 'row' }, sev),
      h('td', {}, String(a.count || 0)), h('td', {}, fmtSeconds(a.p50_seconds)), h('td', {}, fmtSeconds(a.p90_seconds)),
      h('td', {}, a.within_target_share === undefined ? '—' : `${Math.round(a.within_target_share * 100)} %`),
      h('td', {}, fmtSeconds(z.p50_seconds)), h('td', {}, fmtSeconds(z.p90_seconds)));
  });
  return h('div', { class: 'table-scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Severity', 'Acks', 'Ack p50', 'Ack p90', 'Within target', 'Resolve p50', 'Resolve p90']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)));
}

function pagesTable(report) {
  const entries = Object.entries(report.responders || {});
  if (entries.length === 0) return h('p', { class: 'muted' }, 'Nobody was paged.');
  return h('div', { class: 'table-scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Responder', 'Pages', 'Off hours'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, entries.map(([who, r]) => h('tr', { 'data-responder': who },
      h('th', { scope: 'row' }, person(who)), h('td', {}, String(r.pages)), h('td', {}, String(r.off_hours)))))));
}

// ---- the incident list ----

function listFilters(hash) {
  const q = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  return { state: q.get('state') || 'open', severity: q.get('severity') || '',
           service: q.get('service') || '' };
}

function selectControl(id, label, value, options) {
  const select = h('select', { id, name: id },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  return [h('label', { for: id }, label), select];
}

function listView(hash) {
  const f = listFilters(hash);
  const list = h('ul', { class: 'incidents', 'aria-label': 'Incidents', 'aria-busy': 'true' });
  const error = h('div', { class: 'banner', role: 'alert' });
  const empty = h('p', { class: 'muted', hidden: true }, 'No incidents match.');
  const filters = h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter incidents' },
    h('div', {}, selectControl('f-state', 'State', f.state,
      [['open', 'Open (any)'], ['all', 'All'], ...STATES.map((s) => [s, s])])),
    h('div', {}, selectControl('f-severity', 'Severity', f.severity,
      [['', 'All'], ...SEVERITIES.map((s) => [s, s])])),
    h('div', {}, selectControl('f-service', 'Service', f.service,
      [['', 'All'], ...app.services.map((s) => [s, s])])));
  filters.addEventListener('change', (ev) => {
    const q = new URLSearchParams();
    for (const [k, id] of [['state', 'f-state'], ['severity', 'f-severity'], ['service', 'f-service']]) {
      const v = $(id).value;
      if (k === 'state' ? v !== 'open' : v) q.set(k, v);
    }
    history.replaceState(null, '', '#/' + (q.toString() ? '?' + q : ''));
    const changed = ev.target.id;
    route();
    if (changed && $(changed)) $(changed).focus();
  });
  filters.addEventListener('submit', (ev) => ev.preventDefault());
  setMain(h('h1', { tabindex: '-1' }, 'Incidents'), filters, error, list, empty);
  document.title = 'Incidents · loom-oncall';

  let last = '';
  let openCount = null;
  async function refresh() {
    const q = new URLSearchParams({ limit: '100' });
    if (f.state === 'open') q.set('open', 'true');
    else if (f.state && f.state !== 'all') q.set('state', f.state);
    if (f.severity) q.set('severity', f.severity);
    if (f.service) q.set('service', f.service);
    try {
      const { incidents } = await api('GET', '/v1/incidents?' + q);
      // The next status update needs the timeline: fetched for the open, acknowledged ones.
      const timelines = {};
      const need = incidents.filter((i) => i.state === 'acknowledged' || i.state === 'mitigated');
      await Promise.all(need.slice(0, 25).map(async (i) => {
        try { timelines[i.id] = (await api('GET', `/v1/incidents/${i.id}`)).timeline; } catch (e) { /* shown without */ }
      }));
      const key = JSON.stringify([incidents, timelines]);
      error.textContent = '';
      if (key === last) return;
      last = key;
      renderList(list, sortIncidents(incidents), timelines);
      empty.hidden = incidents.length > 0;
      list.setAttribute('aria-busy', 'false');
      const open = incidents.filter((i) => OPEN_STATES.includes(i.state)).length;
      if (openCount !== null && open !== openCount) announce(`${open} open incidents`);
      openCount = open;
    } catch (e) {
      if (e.status !== 401) error.textContent = `Could not load incidents: ${e.message}`;
    }
  }
  return { refresh };
}

function sortIncidents(incidents) {
  const open = (i) => (OPEN_STATES.includes(i.state) ? 0 : 1);
  return [...incidents].sort((a, b) => open(a) - open(b) ||
    a.severity.localeCompare(b.severity) || b.number - a.number);
}

function deadlineFacts(incident, timeline) {
  const facts = [];
  const ack = ackDue(incident, timeline);
  const r = rule(incident.severity);
  if (ack !== null) facts.push(['Ack target', countdown(ack)]);
  else if (incident.state === 'triggered' && r) {
    facts.push(['Ack target', `${r.ack_target} (${r.ack_basis.replace('_', ' ')})`]);
  }
  const upd = updateDue(incident, timeline);
  if (upd !== null) facts.push(['Next update', countdown(upd)]);
  return facts;
}

function factList(facts) {
  return h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function badges(incident) {
  return h('div', { class: 'badges' },
    h('span', { class: `badge sev-${incident.severity}` }, incident.severity.toUpperCase()),
    h('span', { class: `badge state-${incident.state}` }, incident.state),
    incident.kind !== 'availability' ? h('span', { class: 'badge' }, incident.kind) : null,
    incident.drill ? h('span', { class: 'badge' }, 'drill') : null);
}

function renderList(list, incidents, timelines) {
  const focusedId = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.incident : null;
  list.replaceChildren(...incidents.map((i) => h('li',
    { class: `card sev-${i.severity} ${i.state}`, 'data-incident': i.id },
    h('a', { class: 'title', href: `#/incidents/${i.id}`, 'data-incident': i.id }, `${i.id} · ${i.title}`),
    badges(i),
    factList([
      ['Service', i.service],
      ['Age', h('span', { 'data-since': i.created_at }, age(i.created_at))],
      ['Commander', person(i.commander)],
      ...deadlineFacts(i, timelines[i.id]),
    ]))));
  if (focusedId) {
    const again = list.querySelector(`a[data-incident="${CSS.escape(focusedId)}"]`);
    if (again) again.focus();
  }
}

// ---- one incident ----

function incidentView(id) {
  const head = h('div', {});
  const actions = h('div', {});
  const actionError = h('div', { class: 'banner', role: 'alert', id: 'action-error' });
  const timeline = h('ol', { class: 'timeline' });
  const pages = h('div', { class: 'table-scroll' });
  const alerts = h('div', { class: 'table-scroll' });
  const updateSection = h('div', {});
  const playbookSection = h('div', {});
  const overrideBox = h('div', {});
  const summarySection = h('div', {});
  const securitySection = h('div', {});
  const evidenceList = h('div', { class: 'table-scroll' });
  const evidenceFormBox = h('div', {});
  let incident = null;
  let last = '';

  setMain(
    h('p', {}, h('a', { href: '#/' }, '← All incidents')),
    head, actionError, overrideBox, actions, summarySection, playbookSection, securitySection,
    updateSection,
    h('div', { class: 'incident-grid' },
      h('section', { 'aria-labelledby': 'timeline-title' },
        h('h2', { id: 'timeline-title' }, 'Timeline'), timeline),
      h('div', {},
        h('section', { 'aria-labelledby': 'pages-title' },
          h('h2', { id: 'pages-title' }, 'Pages and their delivery'), pages),
        h('section', { 'aria-labelledby': 'alerts-title' },
          h('h2', { id: 'alerts-title' }, 'Member alerts'), alerts),
        h('section', { 'aria-labelledby': 'evidence-title' },
          h('h2', { id: 'evidence-title' }, 'Evidence'), evidenceList, evidenceFormBox))));

  async function act(path, body, done) {
    actionError.textContent = '';
    const buttons = actions.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api('POST', `/v1/incidents/${id}/${path}`, body || {});
      overrideBox.replaceChildren();
      announce(done);
      last = '';
      await refresh();
    } catch (e) {
      if (e.status !== 401) actionError.textContent = e.message;
      const gate = ((e.problem && e.problem.errors) || [])
        .filter((fe) => String(fe.pointer || '').startsWith('/recovery/'));
      if (path === 'resolve' && e.status === 409 && gate.length > 0) renderOverride(gate);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  function renderActions() {
    if (!canAct()) {
      actions.replaceChildren();
      return;
    }
    const s = incident.state;
    const btn = (label, path, done, body) =>
      h('button', { type: 'button', onclick: () => act(path, body, `${id} ${done}`) }, label);
    const list = [];
    if (s === 'triggered') list.push(btn('Acknowledge', 'acknowledge', 'acknowledged'));
    if ((s === 'acknowledged' || s === 'mitigated') && incident.commander !== app.session.actor) {
      list.push(btn('Take command', 'commander', 'is commanded by you', { commander: app.session.actor }));
    }
    if (s === 'acknowledged') list.push(btn('Mitigate', 'mitigate', 'mitigated'));
    if (s === 'acknowledged' || s === 'mitigated') list.push(btn('Resolve', 'resolve', 'resolved'));
    if (s === 'resolved') list.push(btn('Close', 'close', 'closed'));
    if (OPEN_STATES.includes(s)) {
      const select = h('select', { id: 'new-severity' },
        SEVERITIES.map((v) => h('option', { value: v, selected: v === incident.severity }, v)));
      list.push(h('div', { class: 'severity' },
        h('div', {}, h('label', { for: 'new-severity' }, 'Severity'), select),
        h('button', { type: 'button', class: 'quiet', onclick: () =>
          act('severity', { severity: select.value }, `severity is ${select.value}`) },
        'Change severity')));
    }
    const focused = document.activeElement && actions.contains(document.activeElement)
      ? document.activeElement.textContent : null;
    actions.replaceChildren(h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, list));
    if (focused) {
      const again = [...actions.querySelectorAll('button')].find((b) => b.textContent === focused);
      if (again) again.focus();
    }
  }

  // The recovery gate refused a resolve (docs/playbook-availability.md): what failed, and a
  // written reason to resolve anyway.
  function renderOverride(failed) {
    const reason = h('textarea', { id: 'override-reason', name: 'override_reason', required: true,
                                   'aria-describedby': 'override-reason-error' });
    const error = h('p', { class: 'field-error', id: 'override-reason-error' });
    const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'override-title' },
      h('h2', { id: 'override-title' }, 'Recovery not verified'),
      h('ul', {}, failed.map((fe) => h('li', {}, fe.detail))),
      h('label', { for: 'override-reason' }, 'Reason to resolve anyway'), reason, error,
      h('button', { type: 'submit' }, 'Resolve anyway'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) {
        error.textContent = 'Required: the reason is recorded in the timeline.';
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      act('resolve', { override_reason: reason.value.trim() }, `${id} resolved (recovery overridden)`);
    });
    overrideBox.replaceChildren(form);
    reason.focus();
  }

  // The availability playbook: the runbook's steps, the dominant signal of the latest probe round
  // with its evidence and mitigations, and the recovery check.
  function renderPlaybook(p) {
    if (!p || p.kind !== 'availability') {
      playbookSection.replaceChildren();
      return;
    }
    const items = [];
    if (!p.probe) {
      items.push(h('p', { class: 'muted' }, 'This service names no LOOM node to probe (services[].probe).'));
    } else if (!p.latest) {
      items.push(h('p', { class: 'muted' }, 'No probe round yet.'));
    } else {
      const r = p.latest;
      items.push(factList([
        ['Last probe', `${fmtTime(r.at)} (${r.trigger}) · ${r.healthy ? 'healthy' : 'unhealthy'}`
          + (r.unchanged ? ` · unchanged ×${r.unchanged.rounds} through ${fmtTime(r.unchanged.through)}` : '')],
        ['/ready', r.ready && r.ready.status ? String(r.ready.status) : 'no answer'],
        ['Dominant signal', p.dominant_signal_title
          ? h('strong', { class: 'signal', 'data-signal': p.dominant_signal }, p.dominant_signal_title) : 'none'],
      ]));
      if ((p.evidence || []).length) {
        items.push(h('h3', {}, 'Evidence'), h('ul', {}, p.evidence.map((x) => h('li', {}, x))));
      }
      if ((p.mitigations || []).length) {
        items.push(h('h3', {}, 'Mitigations'), h('ul', {}, p.mitigations.map((x) => h('li', {}, x))));
      }
      if ((r.errors || []).length) {
        items.push(h('h3', {}, 'Probe errors'), h('ul', {}, r.errors.map((x) => h('li', {}, x))));
      }
    }
    if (p.recovery) {
      items.push(h('p', { class: p.recovery.passed ? 'ok' : 'nobody' },
        p.recovery.passed ? 'Recovery verified: resolve is allowed.'
          : `Recovery not verified: ${(p.recovery.failures || []).join('; ')}`));
    }
    const probe = canAct() && p.probe && OPEN_STATES.includes(incident.state)
      ? h('button', { type: 'button', class: 'quiet', onclick: () => act('probe', {}, `${id} probed`) },
        'Probe now') : null;
    playbookSection.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'playbook-title' },
      h('h2', { id: 'playbook-title' }, 'Availability playbook'),
      h('ol', { class: 'steps' }, (p.steps || []).map((x) => h('li', {}, x))), items, probe));
  }

  // The final summary (docs/followups.md): required before close; shown while resolved.
  async function renderSummaryForm() {
    if (!canAct() || incident.state !== 'resolved') {
      summarySection.replaceChildren();
      return;
    }
    if (summarySection.firstChild) return;  // keep what the responder is typing
    let saved = null;
    try { saved = await api('GET', `/v1/incidents/${id}/summary`); } catch (e) { saved = null; }
    if (summarySection.firstChild) return;
    const users = (await api('GET', '/v1/users').catch(() => ({ users: [] }))).users;
    const text = (name, label) => [h('label', { for: `s-${name}` }, label),
      h('textarea', { id: `s-${name}`, name, 'aria-describedby': `s-${name}-error` }),
      h('p', { class: 'field-error', id: `s-${name}-error` })];
    const rows = h('div', { class: 'followup-rows' });
    let n = 0;
    function addRow(fu) {
      const i = n++;
      const owner = h('select', { id: `s-fu-${i}-owner`, 'aria-describedby': `s-fu-${i}-owner-error` },
        users.map((u) => h('option', { value: u.id, selected: fu && fu.owner === u.id }, u.name ? `${u.name} (${u.id})` : u.id)));
      const row = h('fieldset', { class: 'followup-row', 'data-row': i },
        h('legend', {}, `Follow-up ${i + 1}`),
        h('label', { for: `s-fu-${i}-title` }, 'Title'),
        h('input', { id: `s-fu-${i}-title`, type: 'text', value: fu ? fu.title : '', 'aria-describedby': `s-fu-${i}-title-error` }),
        h('p', { class: 'field-error', id: `s-fu-${i}-title-error` }),
        h('label', { for: `s-fu-${i}-owner` }, 'Owner'), owner,
        h('p', { class: 'field-error', id: `s-fu-${i}-owner-error` }),
        h('label', { for: `s-fu-${i}-due` }, 'Due'),
        h('input', { id: `s-fu-${i}-due`, type: 'date', value: fu && fu.due ? fu.due.slice(0, 10) : '', 'aria-describedby': `s-fu-${i}-due-error` }),
        h('p', { class: 'field-error', id: `s-fu-${i}-due-error` }));
      rows.append(row);
    }
    const formError = h('div', { class: 'banner', role: 'alert' });
    const form = h('form', { novalidate: true, 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, 'Final summary'),
      h('p', { class: 'hint' }, 'Required before the incident can close.'), formError,
      text('root_cause', 'Root cause'), text('customer_impact', 'Customer impact'),
      text('remediation', 'Remediation actions'), rows,
      h('button', { type: 'button', class: 'quiet', onclick: () => addRow(null) }, 'Add a follow-up'),
      text('no_followups_reason', 'No follow-ups because (only without follow-ups)'),
      h('button', { type: 'submit' }, 'Save final summary'));
    summarySection.replaceChildren(h('section', { class: 'panel' }, form));
    for (const name of ['root_cause', 'customer_impact', 'remediation', 'no_followups_reason']) {
      if (saved && saved[name]) $(`s-${name}`).value = saved[name];
    }
    const savedFollowups = saved && saved.followups && saved.followups.length ? saved.followups : [null];
    savedFollowups.forEach(addRow);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
      form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
      formError.textContent = '';
      const body = {};
      for (const name of ['root_cause', 'customer_impact', 'remediation']) body[name] = $(`s-${name}`).value.trim();
      const reason = $('s-no_followups_reason').value.trim();
      if (reason) body.no_followups_reason = reason;
      body.followups = [];
      const ids = [];
      for (const row of rows.children) {
        const i = row.dataset.row;
        const title = $(`s-fu-${i}-title`).value.trim();
        const due = $(`s-fu-${i}-due`).value;
        if (!title && !due) continue;
        ids.push(i);
        body.followups.push({ title, owner: $(`s-fu-${i}-owner`).value, due });
      }
      try {
        await api('PUT', `/v1/incidents/${id}/summary`, body);
        announce(`Final summary of ${id} saved`);
        last = '';
        await refresh();
      } catch (e) {
        if (e.status === 401) return;
        let first = null;
        for (const fe of (e.problem && e.problem.errors) || []) {
          const parts = String(fe.pointer || '').split('/').filter(Boolean);
          let target = null;
          if (parts[0] === 'followups' && parts.length === 3 && ids[Number(parts[1])] !== undefined) {
            target = `s-fu-${ids[Number(parts[1])]}-${parts[2]}`;
          } else if (parts.length === 1 && $(`s-${parts[0]}`)) {
            target = `s-${parts[0]}`;
          } else if (parts[0] === 'followups') {
            target = 's-no_followups_reason';
          }
          if (target && $(`${target}-error`)) {
            $(`${target}-error`).textContent = fe.detail;
            $(target).setAttribute('aria-invalid', 'true');
            if (!first) first = $(target);
          }
        }
        if (first) first.focus();
        else formError.textContent = e.message;
      }
    });
  }

  // The security playbook (docs/security-playbook.md): the checklist, and the report both
  // resolve and close wait for.
  async function renderSecurity() {
    if (incident.kind !== 'security') {
      securitySection.replaceChildren();
      return;
    }
    let checklist = null;
    let report = null;
    try { checklist = await api('GET', `/v1/incidents/${id}/checklist`); } catch (e) { checklist = null; }
    try { report = await api('GET', `/v1/incidents/${id}/security-report`); } catch (e) { report = null; }
    const open = OPEN_STATES.includes(incident.state) || incident.state === 'resolved';
    const items = checklist ? checklist.items.map((it) => h('li', { 'data-item': it.id, class: it.done ? 'done' : '' },
      h('span', {}, it.done ? '✔ ' : '☐ ', it.text),
      it.done ? h('span', { class: 'hint' }, ` · ${person(it.done_by)}, ${fmtTime(it.done_at)}`) : null,
      canAct() && open && !it.done ? h('button', { type: 'button', class: 'quiet',
        'aria-label': `Mark done: ${it.text}`, onclick: async () => {
          try {
            await api('POST', `/v1/incidents/${id}/checklist/${encodeURIComponent(it.id)}`, { done: true });
            announce(`${it.text}: done`);
            last = '';
            await refresh();
          } catch (e) { if (e.status !== 401) actionError.textContent = e.message; }
        } }, 'Done') : null)) : [];
    const progress = checklist ? `${checklist.done} of ${checklist.total} done` : '';
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'security-title' },
      h('h2', { id: 'security-title' }, 'Security playbook'),
      h('p', { class: checklist && checklist.complete && report ? 'ok' : 'nobody' },
        checklist && checklist.complete && report ? 'Checklist and report complete: resolve and close are allowed.'
          : `Resolve and close wait for the checklist (${progress}) and the report${report ? '' : ' (missing)'}.`),
      h('ul', { class: 'checklist' }, items));
    const keep = securitySection.querySelector('form');
    if (keep) {
      panel.append(keep);  // keep what the responder is typing
    } else if (canAct() && open) {
      const fields = [['timeline', 'Timeline'], ['indicators', 'Indicators'], ['containment', 'Containment actions'],
                      ['residual_risk', 'Residual risk']];
      const form = h('form', { novalidate: true, 'aria-labelledby': 'report-title' },
        h('h3', { id: 'report-title' }, report ? `Security report (revision ${report.revision})` : 'Security report'),
        fields.flatMap(([name, label]) => [h('label', { for: `r-${name}` }, label),
          h('textarea', { id: `r-${name}`, name, 'aria-describedby': `r-${name}-error` }),
          h('p', { class: 'field-error', id: `r-${name}-error` })]),
        h('button', { type: 'submit' }, 'Save report'));
      if (report) for (const [name] of fields) form.querySelector(`#r-${name}`).value = report[name] || '';
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        const body = {};
        for (const [name] of fields) {
          body[name] = $(`r-${name}`).value;
          $(`r-${name}-error`).textContent = '';
          $(`r-${name}`).removeAttribute('aria-invalid');
        }
        try {
          await api('PUT', `/v1/incidents/${id}/security-report`, body);
          announce(`Security report of ${id} saved`);
          form.remove();
          last = '';
          await refresh();
        } catch (e) {
          if (e.status === 401) return;
          let placed = false;
          for (const fe of (e.problem && e.problem.errors) || []) {
            const name = String(fe.pointer || '').replace(/^\//, '');
            if ($(`r-${name}`)) {
              $(`r-${name}-error`).textContent = fe.detail;
              $(`r-${name}`).setAttribute('aria-invalid', 'true');
              placed = true;
            }
          }
          if (!placed) actionError.textContent = e.message;
        }
      });
      panel.append(form);
    }
    securitySection.replaceChildren(panel);
  }

  async function renderEvidence() {
    let list = [];
    try { list = (await api('GET', `/v1/incidents/${id}/evidence`)).evidence; } catch (e) { list = []; }
    if (list.length === 0) {
      evidenceList.replaceChildren(h('p', { class: 'muted' }, 'No evidence attached.'));
      return;
    }
    evidenceList.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['What', 'SHA-256', 'Size', 'By', 'When'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((a) => h('tr', {},
        h('td', {}, a.name, a.request_id ? ` (request ${a.request_id})` : '', a.uri ? ` (${a.uri})` : ''),
        h('td', { class: 'hash', title: a.sha256 }, a.sha256.slice(0, 12) + '…'),
        h('td', {}, String(a.size)), h('td', {}, person(a.actor)), h('td', {}, fmtTime(a.at)))))));
  }

  function renderUpdateForm() {
    if (!canAct() || !OPEN_STATES.includes(incident.state)) {
      updateSection.replaceChildren();
      return;
    }
    if (updateSection.firstChild) return;  // keep what the responder is typing
    const r = rule(incident.severity);
    const field = (name, label, control, hint) => [
      h('label', { for: `u-${name}` }, label),
      control,
      hint ? h('p', { class: 'hint', id: `u-${name}-hint` }, hint) : null,
      h('p', { class: 'field-error', id: `u-${name}-error` }),
    ];
    const ctl = (tag, name, extra) => h(tag, { id: `u-${name}`, name, required: true,
      'aria-describedby': `u-${name}-error${extra && extra.hint ? ` u-${name}-hint` : ''}`,
      ...(extra ? extra.attrs : {}) });
    const formError = h('div', { class: 'banner', role: 'alert' });
    const submit = h('button', { type: 'submit' }, 'Post status update');
    const form = h('form', { novalidate: true, 'aria-labelledby': 'update-title' },
      h('h2', { id: 'update-title' }, 'Status update'),
      formError,
      field('impact', 'Impact', ctl('textarea', 'impact'), null),
      field('scope', 'Scope', ctl('input', 'scope', { attrs: { type: 'text' } }), null),
      field('mitigation', 'Mitigation', ctl('textarea', 'mitigation'), null),
      field('next_update_at', 'Next update time',
        ctl('input', 'next_update_at', { attrs: { type: 'datetime-local' }, hint: true }),
        r && !r.update_async
          ? `Your local time, at most ${Math.round(r.update_cadence_seconds / 60)} minutes from now (${incident.severity} cadence).`
          : 'Your local time.'),
      submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      formError.textContent = '';
      const values = {};
      const errors = {};
      for (const name of UPDATE_FIELDS) {
        const el = $(`u-${name}`);
        values[name] = el.value.trim();
        if (!values[name]) errors[name] = 'Required.';
      }
      if (values.next_update_at && Number.isNaN(Date.parse(values.next_update_at))) {
        errors.next_update_at = 'Enter a date and time.';
      }
      if (!showFieldErrors(errors)) return;
      submit.disabled = true;
      try {
        await api('POST', `/v1/incidents/${id}/updates`, {
          impact: values.impact, scope: values.scope, mitigation: values.mitigation,
          next_update_at: new Date(values.next_update_at).toISOString(),
        });
        form.reset();
        announce(`Status update posted to ${id}`);
        last = '';
        await refresh();
      } catch (e) {
        const byField = {};
        for (const fe of (e.problem && e.problem.errors) || []) {
          const name = (fe.pointer || '').replace(/^\//, '');
          if (UPDATE_FIELDS.includes(name)) byField[name] = fe.detail;
        }
        if (Object.keys(byField).length > 0) showFieldErrors(byField);
        else if (e.status !== 401) formError.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    });
    updateSection.replaceChildren(h('section', { class: 'panel' }, form));
  }

  // Shows `errors` ({field: message}) next to their fields; focuses the first. True when none.
  function showFieldErrors(errors) {
    let first = null;
    for (const name of UPDATE_FIELDS) {
      const el = $(`u-${name}`);
      const msg = errors[name] || '';
      $(`u-${name}-error`).textContent = msg;
      if (msg) {
        el.setAttribute('aria-invalid', 'true');
        if (!first) first = el;
      } else {
        el.removeAttribute('aria-invalid');
      }
    }
    if (first) first.focus();
    return first === null;
  }

  function renderHead(detail) {
    document.title = `${incident.id} ${incident.state} · loom-oncall`;
    head.replaceChildren(
      h('h1', { id: 'incident-title', tabindex: '-1' }, `${incident.id} · ${incident.title}`),
      badges(incident),
      factList([
        ['Service', incident.service],
        ['Opened', h('span', {}, fmtTime(incident.created_at), ' (',
          h('span', { 'data-since': incident.created_at }, age(incident.created_at)), ' ago)')],
        ['Commander', person(incident.commander)],
        ['Alerts', `${incident.firing_alert_count} firing of ${incident.alert_count}`],
        ...deadlineFacts(incident, detail.timeline),
        ...(incident.state === 'closed'
          ? [['Review', h('a', { href: `#/incidents/${incident.id}/review` }, 'Post-incident review')]] : []),
      ]));
  }

  function renderTimeline(events) {
    timeline.replaceChildren(...[...events].reverse().map((e) => h('li', { 'data-type': e.type },
      h('div', { class: 'when' }, fmtTime(e.at)),
      h('p', { class: 'what' }, describeEvent(e)))));
  }

  function renderPages(list) {
    if (list.length === 0) {
      pages.replaceChildren(h('p', { class: 'muted' }, 'Nobody was paged.'));
      return;
    }
    pages.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['When', 'To', 'Role', 'How', 'Delivery'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((n) => h('tr', {},
        h('td', {}, fmtTime(n.created_at)), h('td', {}, person(n.user)), h('td', {}, roleName(n.role)),
        h('td', {}, [n.kind, n.type].filter(Boolean).join(' · ')),
        h('td', {}, n.state + (n.delivered_at ? ` ${fmtTime(n.delivered_at)}` : '') +
          (n.attempts > 1 ? ` (${n.attempts} attempts)` : ''),
        n.last_error ? h('div', { class: 'hint' }, n.last_error) : null))))));
  }

  // The incident answer carries the first 100 member alerts (and `alerts_next` when more
  // follow); "Show more" loads the next pages, kept here across refreshes.
  let moreAlerts = [];
  let moreNext = null;
  function renderAlerts(detail) {
    const list = (detail.alerts || []).concat(moreAlerts);
    if (list.length === 0) {
      alerts.replaceChildren(h('p', { class: 'muted' }, 'No alerts.'));
      return;
    }
    const cursor = moreAlerts.length ? moreNext : detail.alerts_next;
    alerts.replaceChildren(...[h('table', {},
      h('thead', {}, h('tr', {}, ['Alert', 'Status', 'Source', 'Since'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((a) => h('tr', {},
        h('td', {}, a.summary), h('td', {}, a.status), h('td', {}, a.source || '—'),
        h('td', {}, fmtTime(a.created_at)))))),
    cursor ? h('button', { type: 'button', class: 'quiet', onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        const page = await api('GET', `/v1/incidents/${id}/alerts?after=${encodeURIComponent(cursor)}`);
        moreAlerts = moreAlerts.concat(page.alerts || []);
        moreNext = page.next;
        renderAlerts(incident);
      } catch (e) {
        ev.target.disabled = false;
        actionError.textContent = `Could not load more alerts: ${e.message}`;
      }
    } }, `Show more (${list.length} of ${detail.alert_count})`) : null].filter(Boolean));
  }

  async function refresh() {
    try {
      const [detail, notes] = await Promise.all([
        api('GET', `/v1/incidents/${id}`),
        api('GET', `/v1/incidents/${id}/notifications`).catch(() => ({ notifications: [] })),
      ]);
      const key = JSON.stringify([detail, notes]);
      if (key === last) return;
      const first = last === '';
      last = key;
      incident = detail;
      renderHead(detail);
      renderActions();
      renderPlaybook(detail.playbook);
      renderSummaryForm();
      renderSecurity();
      renderEvidence();
      if (canAct() && !evidenceFormBox.firstChild) {
        evidenceFormBox.append(evidenceForms(id, async () => { last = ''; await refresh(); }));
      }
      renderUpdateForm();
      renderTimeline(detail.timeline || []);
      renderPages(notes.notifications || []);
      renderAlerts(detail);
      if (first && document.activeElement === document.body) $('incident-title').focus();
    } catch (e) {
      if (e.status === 404) {
        head.replaceChildren(h('h1', {}, `No incident ${id}`));
        stopPolling();
      } else if (e.status !== 401) {
        actionError.textContent = `Could not load ${id}: ${e.message}`;
      }
    }
  }
  return { refresh };
}

const EVENT_LABELS = {
  'incident.triggered': 'Triggered',
  'incident.acknowledged': 'Acknowledged',
  'incident.unacknowledged': 'Unacknowledged',
  'incident.mitigated': 'Mitigated',
  'incident.resolved': 'Resolved',
  'incident.closed': 'Closed',
  'incident.commander_assigned': 'Commander assigned',
  'commander.handover': 'Commander handover',
  'incident.summary': 'Final summary',
  'review.drafted': 'Review drafted',
  'review.published': 'Review published',
  'incident.severity_changed': 'Severity changed',
  'incident.status_update': 'Status update',
  'incident.note': 'Note',
  'incident.reassigned': 'Reassigned',
  'alert.triggered': 'Alert',
  'alert.resolved': 'Alert resolved',
  'alerts.resolved': 'Alerts resolved',
  'escalation.notified': 'Paged',
  'escalation.role_skipped': 'Role skipped',
  'escalation.exhausted': 'Escalation exhausted',
  'escalation.unrouted': 'Nobody to page',
  'update.reminder': 'Update reminder',
  'update.missed': 'Update missed',
  'probe.result': 'Probe',
  'probe.unchanged': 'Probe unchanged',
  'evidence.added': 'Evidence added',
  'security.checklist_updated': 'Checklist updated',
  'security.report_updated': 'Security report saved',
  'recovery.verified': 'Recovery verified',
  'recovery.override': 'Recovery overridden',
  'recovery.auto_resolve_checked': 'Recovery checked after auto-resolve',
};

function eventLabel(type) { return EVENT_LABELS[type] || type; }

// One timeline event as a sentence ("Paged Alice Primary as primary (step 0)."), people by name and
// times in the viewer's zone. Events without a sentence of their own read "<label> by <who>.".
function describeEvent(e) {
  const d = e.data || {};
  const who = person(e.actor);
  const at = (v) => (typeof v === 'number' ? fmtTime(new Date(v / 1000).toISOString()) : fmtTime(v));
  const step = d.step !== undefined && d.step !== null ? `step ${d.step}` : '';
  const paren = (...parts) => (parts.filter(Boolean).length ? ` (${parts.filter(Boolean).join(', ')})` : '');
  const how = d.type || d.method || '';
  switch (e.type) {
    case 'incident.triggered':
      return `Opened by ${who}` + (d.severity ? ` as ${String(d.severity).toUpperCase()}` : '') +
        (d.title ? `: ${d.title}` : '') + '.';
    case 'incident.acknowledged': return `Acknowledged by ${who}.`;
    case 'incident.unacknowledged': return `Acknowledgement withdrawn by ${who}: escalation starts again.`;
    case 'incident.mitigated': return `Mitigated by ${who}.`;
    case 'incident.resolved':
      return `Resolved by ${who}` + (d.reason ? `: ${d.reason}` : '') + '.';
    case 'incident.closed': return `Closed by ${who}.`;
    case 'incident.commander_assigned':
      return `${person(d.commander)} is the incident commander` +
        (d.commander && d.commander !== e.actor ? ` (named by ${who})` : '') + '.';
    case 'commander.handover':
      return `Command handed over` + (d.from ? ` from ${person(d.from)}` : '') +
        (d.to ? ` to ${person(d.to)}` : '') + ` by ${who}.`;
    case 'incident.summary': return `Final summary written by ${who}.`;
    case 'review.drafted': return `Post-incident review drafted by ${who}.`;
    case 'review.published': return `Post-incident review published by ${who}.`;
    case 'incident.severity_changed':
      return `Severity changed` + (d.from ? ` from ${String(d.from).toUpperCase()}` : '') +
        (d.to ? ` to ${String(d.to).toUpperCase()}` : '') + ` by ${who}.`;
    case 'incident.status_update': {
      const parts = [['Impact', d.impact], ['Scope', d.scope], ['Mitigation', d.mitigation]]
        .filter(([, v]) => v).map(([k, v]) => `${k}: ${v}.`);
      if (d.next_update_at) parts.push(`Next update by ${at(d.next_update_at)}.`);
      return [`Status update by ${who}.`, ...parts].join(' ');
    }
    case 'incident.note': return `Note by ${who}: ${d.note || ''}`;
    case 'incident.reassigned':
      return `Reassigned` + (d.user || d.to ? ` to ${person(d.user || d.to)}` : '') + ` by ${who}.`;
    case 'alert.triggered': return `Alert firing: ${d.summary || 'no summary'}.`;
    case 'alert.resolved': return `Alert resolved: ${d.summary || 'no summary'}.`;
    case 'alerts.resolved': return `${d.resolved || d.alert_count || 'The'} alerts resolved by ${who}.`;
    case 'escalation.notified': {
      const urgent = d.method === 'page';
      const verb = urgent ? 'Paged' : 'Notified';
      return `${verb} ${person(d.user)} as ${roleName(d.role)}` +
        paren(urgent ? '' : (d.method === 'notify' ? 'low urgency' : d.method), step, d.reason) + '.';
    }
    case 'escalation.role_skipped':
      return `Nobody on call as ${roleName(d.role)}: skipped` + paren(step) + '.';
    case 'escalation.exhausted': return `Escalation ran out of steps` + paren(step) + ': nobody acknowledged.';
    case 'escalation.unrouted': return `Nobody was paged: ${d.reason || 'no on-call roles'}.`;
    case 'update.reminder':
      return `${person(d.commander)} reminded that a status update is due` + (d.due_at ? ` at ${at(d.due_at)}` : '') + '.';
    case 'update.missed': return `Status update missed` + (d.due_at ? ` (due ${at(d.due_at)})` : '') + '.';
    case 'notification.sent':
      return `Delivered to ${person(d.user)}` + (how ? ` by ${how}` : '') +
        paren(d.attempt > 1 ? `attempt ${d.attempt}` : '', d.bundled > 1 ? `${d.bundled} incidents in one message` : '') + '.';
    case 'notification.failed':
      return `Delivery to ${person(d.user)}` + (how ? ` by ${how}` : '') + ` failed` +
        paren(d.attempt ? `attempt ${d.attempt}` : '') + (d.error ? `: ${d.error}` : '') +
        (d.next_attempt_at ? `. Next try at ${at(d.next_attempt_at)}.` : '.');
    case 'notification.dead_lettered':
      return `Delivery to ${person(d.user)}` + (how ? ` by ${how}` : '') + ` given up` +
        (d.error ? `: ${d.error}` : '') + (d.next_method ? `. Trying ${d.next_method} next.` : '.');
    case 'recovery.verified': return 'Recovery verified by the probe.';
    case 'recovery.override': return `Resolved by ${who} without verified recovery: ${d.reason || 'no reason given'}.`;
    case 'evidence.added': return `Evidence added by ${who}` + (d.name ? `: ${d.name}` : '') + '.';
    default: {
      const label = EVENT_LABELS[e.type];
      return label ? `${label} by ${who}.` : `${e.type} by ${who}.`;
    }
  }
}

// ---- shared form helpers of the drills, review and evidence forms ----

// [label, control, hint?, error]: the error paragraph has id `${control.id}-error` and the control
// is described by it (and by the hint).
function labelled(label, control, hint) {
  const id = control.id;
  const described = [`${id}-error`, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  return [h('label', { for: id }, label), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error` })];
}

function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

// Marks the control `id` invalid with `message`; true when there is such a control.
function markInvalid(id, message) {
  const el = $(id);
  const error = $(`${id}-error`);
  if (!el || !error) return false;
  error.textContent = message;
  el.setAttribute('aria-invalid', 'true');
  return true;
}

// Places the problem's field errors with `idOf(pointer)` (a control id or null); shows the rest in
// `banner`; focuses the first invalid control.
function placeProblem(e, banner, idOf) {
  if (e.status === 401) return;
  let first = null;
  for (const fe of (e.problem && e.problem.errors) || []) {
    const id = idOf(String(fe.pointer || ''));
    if (id && markInvalid(id, fe.detail || e.message) && !first) first = $(id);
  }
  if (first) first.focus();
  else banner.textContent = e.message;
}

function lines(text) { return text.split('\n').map((x) => x.trim()).filter(Boolean); }
function commaList(text) { return text.split(',').map((x) => x.trim()).filter(Boolean); }
function userLabel(u) { return u.name ? `${u.name} (${u.id})` : u.id; }

// ---- drills ----

// The drill program (docs/drills.md): the next drill due, starting one, finishing one with its
// notes and follow-ups, and the past drills with their notes (GET /v1/drills/{id}/notes).
function drillsView() {
  const error = h('div', { class: 'banner', role: 'alert' });
  const next = h('div', { 'aria-busy': 'true' });
  const startBox = h('div');
  const finishBox = h('div');
  const list = h('div', { 'aria-busy': 'true' });
  setMain(h('h1', { tabindex: '-1' }, 'Drills'), error,
    h('section', { 'aria-labelledby': 'next-drill-title' },
      h('h2', { id: 'next-drill-title' }, 'Next drill'), next),
    finishBox,
    h('section', { 'aria-labelledby': 'drills-title' }, h('h2', { id: 'drills-title' }, 'All drills'), list),
    startBox);
  document.title = 'Drills · loom-oncall';
  let users = null;
  let last = '';
  const notes = {};        // drill id -> notes text, or an Error
  const opened = new Set();  // drill ids whose notes are unfolded

  function renderNext(d, compliance) {
    const n = d.next;
    const c = compliance && compliance.drills;
    next.replaceChildren(factList([
      ['Due', h('span', {}, fmtTime(n.due_at), ' (', countdown(Date.parse(n.due_at)), ')')],
      ['Scenario', n.scenario],
      ['Schedule', `every ${d.schedule.every}, alternating ${d.schedule.alternate.join(' / ')}, service ${d.schedule.service}`],
      ...(c ? [['Last 30 days', `${c.last_30_days} drill${c.last_30_days === 1 ? '' : 's'}` +
                 (c.alternating ? ', alternating' : ', not alternating')]] : []),
    ]), ...(n.overdue ? [h('p', { class: 'nobody', 'data-overdue': 'true' }, 'The next drill is overdue.')] : []));
    next.setAttribute('aria-busy', 'false');
  }

  function renderStartForm(d) {
    if (!canAct() || startBox.firstChild) return;
    const select = (id, options, value) => h('select', { id, name: id },
      options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
    const scenario = select('d-scenario', [['availability', 'Availability'], ['security', 'Security']], d.next.scenario);
    const service = select('d-service', app.services.map((s) => [s, s]), d.schedule.service);
    const severity = select('d-severity', SEVERITIES.map((s) => [s, s]), 'sev1');
    const commander = select('d-commander', [['', 'Nobody yet'], ...users.map((u) => [u.id, userLabel(u)])], '');
    const title = h('input', { id: 'd-title', name: 'title', type: 'text' });
    const participants = h('input', { id: 'd-participants', name: 'participants', type: 'text' });
    const formError = h('div', { class: 'banner', role: 'alert' });
    const done = h('p', { role: 'status', class: 'ok' });
    const button = h('button', { type: 'submit' }, 'Start drill');
    const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'start-drill-title' },
      h('h2', { id: 'start-drill-title' }, 'Start a drill'),
      h('p', { class: 'hint' }, 'The drill is an incident flagged drill: it pages like a real one, every message says [DRILL].'),
      formError,
      labelled('Scenario', scenario), labelled('Service', service), labelled('Severity', severity),
      labelled('Title', title, 'Optional; default "<severity> <scenario> tabletop drill".'),
      labelled('Commander', commander),
      labelled('Participants', participants, 'Optional; names or teams, separated by commas.'),
      button, done);
    const ids = { '/scenario': 'd-scenario', '/service': 'd-service', '/severity': 'd-severity',
                  '/title': 'd-title', '/commander': 'd-commander', '/participants': 'd-participants' };
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      formError.textContent = '';
      done.textContent = '';
      const body = { scenario: scenario.value, service: service.value, severity: severity.value };
      if (title.value.trim()) body.title = title.value.trim();
      if (commander.value) body.commander = commander.value;
      const who = commaList(participants.value);
      if (who.length) body.participants = who;
      button.disabled = true;
      try {
        const drill = await api('POST', '/v1/drills', body);
        title.value = '';
        participants.value = '';
        done.replaceChildren(`Drill started: `, h('a', { href: `#/incidents/${drill.id}` }, `${drill.id} · ${drill.title}`));
        announce(`Drill ${drill.id} started`);
        last = '';
        await refresh();
      } catch (e) {
        placeProblem(e, formError, (p) => ids[p.replace(/\/\d+$/, '')] || null);
      } finally {
        button.disabled = false;
      }
    });
    startBox.replaceChildren(form);
  }

  function renderFinishForm(drill) {
    const rows = h('div');
    let n = 0;
    function addRow() {
      const i = n++;
      rows.append(h('fieldset', { class: 'followup-row', 'data-row': i },
        h('legend', {}, `Follow-up ${i + 1}`),
        labelled('Title', h('input', { id: `df-${i}-title`, type: 'text' })),
        labelled('Owner', h('input', { id: `df-${i}-owner`, type: 'text', list: 'drill-owners', autocomplete: 'off' }),
          'A configured user (tracked, with reminders) or a team name (kept in the notes only).'),
        labelled('Due', h('input', { id: `df-${i}-due`, type: 'date' }))));
    }
    const worked = h('textarea', { id: 'df-worked', name: 'what_worked' });
    const gaps = h('textarea', { id: 'df-gaps', name: 'gaps' });
    const participants = h('input', { id: 'df-participants', name: 'participants', type: 'text' });
    const formError = h('div', { class: 'banner', role: 'alert' });
    const button = h('button', { type: 'submit' }, 'Finish drill and write notes');
    const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'finish-drill-title',
                             'data-finish': drill.id },
      h('h2', { id: 'finish-drill-title' }, `Finish ${drill.id}`),
      h('p', { class: 'hint' }, 'Resolves and closes the drill and writes its notes file.'), formError,
      labelled('What worked', worked, 'One item per line.'),
      labelled('Gaps', gaps, 'One item per line.'),
      labelled('More participants', participants, 'Optional; separated by commas.'),
      h('datalist', { id: 'drill-owners' }, users.map((u) => h('option', { value: u.id }, userLabel(u)))),
      h('div', { id: 'df-followups', tabindex: '-1' }, rows),
      h('p', { class: 'field-error', id: 'df-followups-error' }),
      h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'quiet', onclick: addRow }, 'Add a follow-up'),
        h('button', { type: 'button', class: 'quiet', onclick: () => finishBox.replaceChildren() }, 'Cancel'),
        button));
    addRow();
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      formError.textContent = '';
      const body = { what_worked: lines(worked.value), gaps: lines(gaps.value),
                     participants: commaList(participants.value), followups: [] };
      const sent = [];  // row number of each follow-up sent
      for (const row of rows.children) {
        const i = row.dataset.row;
        const item = { title: $(`df-${i}-title`).value.trim(), owner: $(`df-${i}-owner`).value.trim(),
                       due: $(`df-${i}-due`).value };
        if (!item.title && !item.owner && !item.due) continue;
        sent.push(i);
        body.followups.push(item);
      }
      button.disabled = true;
      try {
        const r = await api('POST', `/v1/drills/${encodeURIComponent(drill.id)}/finish`, body);
        finishBox.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'finished-title' },
          h('h2', { id: 'finished-title', tabindex: '-1' }, `${drill.id} finished`),
          h('p', { role: 'status' }, `Notes written to ${r.notes_path}.`),
          r.followups.length ? h('p', {}, `Tracked follow-ups: ${r.followups.join(', ')}.`) : null,
          r.followups_not_tracked.length
            ? h('p', {}, `In the notes only (owner is not a configured user): ${r.followups_not_tracked.join('; ')}.`) : null));
        $('finished-title').focus();
        announce(`${drill.id} finished; notes written`);
        opened.add(drill.id);
        last = '';
        await refresh();
      } catch (e) {
        placeProblem(e, formError, (p) => {
          const parts = p.split('/').filter(Boolean);
          if (parts[0] === 'followups' && parts.length === 3 && sent[Number(parts[1])] !== undefined) {
            return `df-${sent[Number(parts[1])]}-${parts[2]}`;
          }
          if (parts[0] === 'followups') return 'df-followups';
          return { what_worked: 'df-worked', gaps: 'df-gaps', participants: 'df-participants' }[parts[0]] || null;
        });
      } finally {
        button.disabled = false;
      }
    });
    finishBox.replaceChildren(form);
    worked.focus();
  }

  async function loadNotes(id, pre) {
    if (notes[id] === undefined) {
      try {
        const res = await fetch(`/v1/drills/${encodeURIComponent(id)}/notes`,
          { credentials: 'same-origin', cache: 'no-store', headers: { Accept: 'text/markdown' } });
        notes[id] = res.ok ? await res.text() : new Error(res.status === 404 ? 'No notes file for this drill.' : `HTTP ${res.status}`);
      } catch (e) {
        notes[id] = e;
      }
    }
    const v = notes[id];
    pre.textContent = v instanceof Error ? v.message : v;
    pre.closest('details').setAttribute('aria-busy', 'false');
  }

  function drillCard(drill, followups) {
    const finished = drill.state === 'closed';
    const fus = followups.filter((f) => f.source && f.source.drill === drill.id);
    const card = h('li', { class: `card sev-${drill.severity} ${drill.state}`, 'data-drill': drill.id },
      h('a', { class: 'title', href: `#/incidents/${drill.id}` }, `${drill.id} · ${drill.title}`),
      h('div', { class: 'badges' }, h('span', { class: 'badge' }, drill.scenario),
        h('span', { class: `badge sev-${drill.severity}` }, drill.severity.toUpperCase()),
        h('span', { class: `badge state-${drill.state}` }, finished ? 'finished' : drill.state)),
      factList([
        ['Started', fmtTime(drill.started_at)],
        ['Result', finished ? `finished ${fmtTime(drill.finished_at)}` : 'in progress'],
        ['Commander', person(drill.commander)],
        ...(fus.length ? [['Follow-ups', h('span', {}, fus.map((f, i) => [i ? ', ' : '',
          h('span', { class: f.overdue ? 'nobody' : '' }, `${f.id} ${f.title} (${person(f.owner)}, ${f.status})`)]))]] : []),
      ]));
    if (!finished && canAct()) {
      card.append(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'quiet',
        'aria-label': `Finish ${drill.id}`, onclick: () => renderFinishForm(drill) }, 'Finish…')));
    }
    if (finished) {
      const pre = h('pre', { class: 'notes' });
      const details = h('details', { 'data-notes': drill.id, 'aria-busy': 'true' },
        h('summary', {}, `Notes of ${drill.id}`), pre);
      details.addEventListener('toggle', () => {
        if (details.open) { opened.add(drill.id); loadNotes(drill.id, pre); } else opened.delete(drill.id);
      });
      if (opened.has(drill.id)) { details.open = true; loadNotes(drill.id, pre); }
      card.append(details);
    }
    return card;
  }

  async function refresh() {
    try {
      const [d, compliance, fu] = await Promise.all([
        api('GET', '/v1/drills'),
        api('GET', '/v1/reports/compliance').catch(() => null),
        api('GET', '/v1/followups').catch(() => ({ followups: [] })),
      ]);
      if (users === null) users = (await api('GET', '/v1/users').catch(() => ({ users: [] }))).users;
      error.textContent = '';
      const key = JSON.stringify([d, compliance && compliance.drills, fu]);
      if (key === last) return;
      last = key;
      renderNext(d, compliance);
      renderStartForm(d);
      const drills = [...d.drills].sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
      const focused = document.activeElement && list.contains(document.activeElement)
        ? document.activeElement.getAttribute('aria-label') || document.activeElement.textContent : null;
      list.replaceChildren(drills.length === 0 ? h('p', { class: 'muted' }, 'No drills yet.')
        : h('ul', { class: 'incidents', 'aria-label': 'Drills' }, drills.map((x) => drillCard(x, fu.followups))));
      list.setAttribute('aria-busy', 'false');
      if (focused) {
        const again = [...list.querySelectorAll('a, button, summary')]
          .find((el) => (el.getAttribute('aria-label') || el.textContent) === focused);
        if (again) again.focus();
      }
    } catch (e) {
      if (e.status !== 401) error.textContent = `Could not load drills: ${e.message}`;
    }
  }
  return { refresh };
}

// ---- post-incident review ----

const REVIEW_FIELDS = [['title', 'Title', 'input'], ['summary', 'Summary', 'textarea'],
                       ['root_cause', 'Root cause', 'textarea'], ['customer_impact', 'Customer impact', 'textarea'],
                       ['remediation', 'Remediation', 'textarea']];

// The post-incident review of a closed incident (docs/followups.md): draft it from the timeline,
// edit, save, publish, download as Markdown.
function reviewView(id) {
  const error = h('div', { class: 'banner', role: 'alert', id: 'review-error' });
  const saved = h('p', { role: 'status', class: 'ok', id: 'review-saved' });
  const facts = h('div', { 'aria-busy': 'true' });
  const editor = h('div');
  const timeline = h('div', { class: 'table-scroll' });
  const followups = h('div', { class: 'table-scroll' });
  setMain(h('p', {}, h('a', { href: `#/incidents/${id}` }, `← ${id}`)),
    h('h1', { id: 'review-page-title', tabindex: '-1' }, `Post-incident review of ${id}`),
    error, facts, editor, saved,
    h('section', { 'aria-labelledby': 'review-timeline-title' },
      h('h2', { id: 'review-timeline-title' }, 'Timeline (UTC)'), timeline),
    h('section', { 'aria-labelledby': 'review-followups-title' },
      h('h2', { id: 'review-followups-title' }, 'Follow-ups'), followups));
  document.title = `Review ${id} · loom-oncall`;
  let last = '';
  let dirty = false;  // the editor holds unsaved text: polling leaves it alone

  async function draft() {
    error.textContent = '';
    saved.textContent = '';
    try {
      await api('POST', `/v1/incidents/${id}/review`, {});
      announce(`Review of ${id} drafted`);
      last = '';
      await refresh();
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }

  async function save(silent) {
    const body = {};
    for (const [name] of REVIEW_FIELDS) body[name] = $(`rv-${name}`).value;
    const r = await api('PUT', `/v1/incidents/${id}/review`, body);
    dirty = false;
    saved.textContent = `Saved at ${fmtTime(r.updated_at)}.`;
    if (!silent) announce(`Review of ${id} saved`);
  }

  function renderEditor(review, incident) {
    if (!review) {
      const closed = incident.state === 'closed';
      editor.replaceChildren(h('p', { class: 'muted' }, closed ? 'No review yet.'
        : `The review is drafted once the incident is closed (it is ${incident.state}).`),
      ...(closed && canAct() ? [h('button', { type: 'button', onclick: draft }, 'Draft from the timeline')] : []));
      return;
    }
    if (review.status === 'published' || !canAct()) {
      editor.replaceChildren(h('article', { class: 'panel', 'aria-label': 'Review' },
        REVIEW_FIELDS.slice(1).flatMap(([name, label]) => [h('h2', {}, label),
          h('p', { class: 'prose', 'data-field': name }, review[name] || '—')])));
      return;
    }
    if (dirty && editor.querySelector('form')) return;
    const form = h('form', { class: 'panel', novalidate: true, 'aria-label': 'Edit the review' },
      REVIEW_FIELDS.map(([name, label, tag]) =>
        labelled(label, h(tag, { id: `rv-${name}`, name, ...(tag === 'input' ? { type: 'text' } : {}) }))),
      h('div', { class: 'actions' },
        h('button', { type: 'submit' }, 'Save'),
        h('button', { type: 'button', class: 'quiet', id: 'rv-publish' }, 'Publish')));
    editor.replaceChildren(form);
    for (const [name] of REVIEW_FIELDS) $(`rv-${name}`).value = review[name] || '';
    form.addEventListener('input', () => { dirty = true; });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      error.textContent = '';
      try {
        await save(false);
        last = '';
        await refresh();
      } catch (e) {
        placeProblem(e, error, (p) => (REVIEW_FIELDS.some(([n]) => `/${n}` === p) ? `rv${p.replace('/', '-')}` : null));
      }
    });
    $('rv-publish').addEventListener('click', async () => {
      error.textContent = '';
      try {
        if (dirty) await save(true);
        await api('POST', `/v1/incidents/${id}/review/publish`, {});
        saved.textContent = '';
        announce(`Review of ${id} published`);
        last = '';
        await refresh();
      } catch (e) {
        if (e.status === 401) return;
        const problems = ((e.problem && e.problem.errors) || []).map((fe) => fe.detail);
        error.replaceChildren(problems.length ? h('div', {}, 'Not published yet:',
          h('ul', {}, problems.map((x) => h('li', {}, x)))) : e.message);
      }
    });
  }

  function renderFacts(review, incident) {
    if (!review) {
      facts.replaceChildren(factList([['Incident', `${incident.id} · ${incident.title}`], ['State', incident.state]]));
      return;
    }
    const published = review.status === 'published';
    facts.replaceChildren(
      h('div', { class: 'badges' },
        h('span', { class: `badge review-${review.status}`, 'data-status': review.status }, published ? 'published' : 'draft'),
        h('span', { class: `badge sev-${review.severity}` }, review.severity.toUpperCase()),
        review.required ? h('span', { class: 'badge' }, 'required') : null),
      factList([
        ['Incident', h('a', { href: `#/incidents/${incident.id}` }, `${incident.id} · ${incident.title}`)],
        ['Drafted', `${fmtTime(review.created_at)} by ${person(review.created_by)}`],
        ['Last saved', `${fmtTime(review.updated_at)} by ${person(review.updated_by)}`],
        ...(published ? [['Published', `${fmtTime(review.published_at)} by ${person(review.published_by)}`]] : []),
      ]),
      h('p', {}, h('a', { href: `/v1/incidents/${encodeURIComponent(id)}/review.md`, download: `${id}-review.md`,
                          id: 'review-download' }, 'Download Markdown')));
  }

  function renderTables(review) {
    if (!review) {
      timeline.replaceChildren(h('p', { class: 'muted' }, 'Drafting copies the key events of the incident here.'));
      followups.replaceChildren();
      return;
    }
    const utc = (iso) => iso.replace('T', ' ').slice(0, 16);
    timeline.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['When', 'What', 'Who', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, review.timeline.map((e) => h('tr', {}, h('td', {}, utc(e.at)), h('td', {}, eventLabel(e.type)),
        h('td', {}, person(e.actor)), h('td', {}, e.text))))));
    followups.replaceChildren(review.followups.length === 0 ? h('p', { class: 'muted' }, 'No follow-ups.')
      : h('table', {},
        h('thead', {}, h('tr', {}, ['Id', 'Title', 'Owner', 'Due', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, review.followups.map((f) => h('tr', { class: f.overdue ? 'overdue' : '' },
          h('td', {}, f.id), h('td', {}, f.title), h('td', {}, person(f.owner)), h('td', {}, fmtTime(f.due)),
          h('td', {}, f.status))))));
  }

  async function refresh() {
    let incident;
    let review = null;
    try {
      incident = await api('GET', `/v1/incidents/${id}`);
      try {
        review = await api('GET', `/v1/incidents/${id}/review`);
      } catch (e) {
        if (e.status !== 404) throw e;
      }
    } catch (e) {
      if (e.status === 404) {
        facts.replaceChildren(h('p', {}, `No incident ${id}.`));
        stopPolling();
      } else if (e.status !== 401) {
        error.textContent = `Could not load the review of ${id}: ${e.message}`;
      }
      return;
    }
    const key = JSON.stringify([incident.state, incident.title, review]);
    if (key === last) return;
    const first = last === '';
    last = key;
    renderFacts(review, incident);
    renderEditor(review, incident);
    renderTables(review);
    facts.setAttribute('aria-busy', 'false');
    if (first && document.activeElement === document.body) $('review-page-title').focus();
  }
  return { refresh };
}

// ---- evidence forms of the incident page ----

const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

// The file's bytes as standard base64 (FileReader, so 10 MiB do not block the page).
function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// Upload a file (at most 10 MiB; the SHA-256 the server computed is shown after) or add a
// reference (a URI or a request id) to incident `id`; `added()` refreshes the page.
function evidenceForms(id, added) {
  const file = h('input', { id: 'ev-file', name: 'file', type: 'file' });
  const name = h('input', { id: 'ev-name', name: 'name', type: 'text' });
  const note = h('input', { id: 'ev-note', name: 'note', type: 'text' });
  const uploaded = h('div', { role: 'status', id: 'ev-uploaded' });
  const uploadError = h('div', { class: 'banner', role: 'alert' });
  const uploadButton = h('button', { type: 'submit' }, 'Upload');
  const upload = h('form', { novalidate: true, 'aria-labelledby': 'ev-upload-title' },
    h('h3', { id: 'ev-upload-title' }, 'Upload a file'), uploadError,
    labelled('File', file, 'At most 10 MiB; stored with its SHA-256.'),
    labelled('Name', name, "Optional; default the file's name."),
    labelled('Note', note, 'Optional.'), uploadButton, uploaded);
  const uploadIds = { '/name': 'ev-name', '/note': 'ev-note', '/content_base64': 'ev-file', '/media_type': 'ev-file' };
  upload.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(upload);
    uploadError.textContent = '';
    uploaded.replaceChildren();
    const f = file.files[0];
    if (!f) { markInvalid('ev-file', 'Choose a file.'); file.focus(); return; }
    if (f.size > MAX_EVIDENCE_BYTES) {
      markInvalid('ev-file', `The file is ${(f.size / 1048576).toFixed(1)} MiB; at most 10 MiB can be uploaded.`);
      file.focus();
      return;
    }
    if (f.size === 0) { markInvalid('ev-file', 'The file is empty.'); file.focus(); return; }
    uploadButton.disabled = true;
    try {
      const body = { kind: 'upload', name: name.value.trim() || f.name, content_base64: await fileBase64(f) };
      if (f.type) body.media_type = f.type;
      if (note.value.trim()) body.note = note.value.trim();
      const a = await api('POST', `/v1/incidents/${id}/evidence`, body);
      upload.reset();
      uploaded.replaceChildren(h('p', { class: 'ok' }, `Uploaded ${a.name} (${a.size} bytes).`),
        h('p', {}, 'SHA-256: ', h('code', { class: 'hash-full', 'data-sha256': a.sha256 }, a.sha256)));
      announce(`Evidence ${a.name} uploaded`);
      await added();
    } catch (e) {
      if (e.status === 413) markInvalid('ev-file', e.message);
      else placeProblem(e, uploadError, (p) => uploadIds[p] || null);
    } finally {
      uploadButton.disabled = false;
    }
  });

  const refName = h('input', { id: 'ev-ref-name', name: 'name', type: 'text' });
  const uri = h('input', { id: 'ev-ref-uri', name: 'uri', type: 'text', inputmode: 'url' });
  const requestId = h('input', { id: 'ev-ref-request', name: 'request_id', type: 'text' });
  const refError = h('div', { class: 'banner', role: 'alert' });
  const refDone = h('p', { role: 'status', class: 'ok' });
  const reference = h('form', { novalidate: true, 'aria-labelledby': 'ev-ref-title' },
    h('h3', { id: 'ev-ref-title' }, 'Add a reference'), refError,
    labelled('Reference name', refName),
    labelled('URI', uri, 'E.g. s3://forensics/node-1.img; or give a request id instead.'),
    labelled('Request id', requestId),
    h('button', { type: 'submit' }, 'Add reference'), refDone);
  const refIds = { '/name': 'ev-ref-name', '/uri': 'ev-ref-uri', '/request_id': 'ev-ref-request' };
  reference.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(reference);
    refError.textContent = '';
    refDone.textContent = '';
    const body = { kind: 'reference', name: refName.value.trim() };
    if (uri.value.trim()) body.uri = uri.value.trim();
    if (requestId.value.trim()) body.request_id = requestId.value.trim();
    try {
      const a = await api('POST', `/v1/incidents/${id}/evidence`, body);
      reference.reset();
      refDone.textContent = `Reference ${a.name} added (SHA-256 ${a.sha256.slice(0, 12)}…).`;
      announce(`Reference ${a.name} added`);
      await added();
    } catch (e) {
      placeProblem(e, refError, (p) => refIds[p] || null);
    }
  });
  return h('div', { class: 'panel evidence-forms' }, upload, reference);
}

// ---- start ----

// Every table's cells carry their column's name (data-label) and the table the class `stack`: on a
// phone app.css stacks each row's cells under their names instead of cutting columns off.
function labelTables(root) {
  for (const table of root.querySelectorAll('table')) {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    if (heads.length === 0) continue;
    table.classList.add('stack');
    for (const tr of table.querySelectorAll('tbody tr')) {
      [...tr.children].forEach((cell, i) => {
        if (cell.dataset.label === undefined) cell.dataset.label = heads[i] || '';
      });
    }
  }
}

async function boot() {
  new MutationObserver(() => labelTables($('main'))).observe($('main'), { childList: true, subtree: true });
  $('signout').addEventListener('click', signOut);
  window.addEventListener('hashchange', route);
  setInterval(tick, 1000);
  try {
    app.session = await api('GET', '/ui/session');
  } catch (e) {
    app.session = null;
  }
  if (app.session) await start();
  else showSignIn('');
}

document.addEventListener('DOMContentLoaded', boot);
