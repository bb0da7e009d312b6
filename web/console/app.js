// loom-oncall web console: one vanilla script, no dependencies, no inline code (the CSP forbids
// it). It talks to the server's JSON API (docs/api.md) with the session cookie set by
// POST /ui/session, and sends the session's CSRF token with every state change.
//
// Views (location.hash): "#/" the incident list (filters in the hash: "#/?state=open&severity=sev1"),
// "#/incidents/INC-7" one incident. Every view polls the API every few seconds; countdowns tick
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

function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit',
                                       minute: '2-digit', second: '2-digit' });
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
  const views = { '#/oncall': oncallView, '#/followups': followupsView, '#/reports': reportsView };
  const base = hash.split('?')[0];
  app.view = m ? incidentView(decodeURIComponent(m[1]))
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
      `${userName(o.user)} from ${fmtTime(o.from)} to ${fmtTime(o.to)} (by ${o.created_by}) `,
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

// Follow-ups (GET /v1/followups): open ones by default, filtered by owner and overdue; a
// responder marks one done. The filters live in the hash ("#/followups?owner=alice&overdue=1").
function followupsView(hash) {
  const q = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const filters = { owner: q.get('owner') || '', status: q.get('status') || 'open',
                    overdue: q.get('overdue') === '1' };
  const error = h('div', { class: 'banner', role: 'alert' });
  const list = h('div', { 'aria-busy': 'true' });
  const owner = h('select', { id: 'f-owner', name: 'owner' }, h('option', { value: '' }, 'Everyone'));
  const status = selectControl('f-status', 'Status', filters.status,
    [['open', 'Open'], ['done', 'Done'], ['cancelled', 'Cancelled'], ['', 'Any']]);
  const overdue = h('input', { id: 'f-overdue', name: 'overdue', type: 'checkbox', checked: filters.overdue });
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' },
    h('div', {}, h('label', { for: 'f-owner' }, 'Owner'), owner), h('div', {}, status),
    h('div', { class: 'check' }, overdue, h('label', { for: 'f-overdue' }, 'Overdue only')));
  form.addEventListener('change', (ev) => {
    const next = new URLSearchParams();
    if (owner.value) next.set('owner', owner.value);
    next.set('status', $('f-status').value);
    if (overdue.checked) next.set('overdue', '1');
    history.replaceState(null, '', '#/followups?' + next);
    const changed = ev.target.id;
    route();
    if (changed && $(changed)) $(changed).focus();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  setMain(h('h1', { tabindex: '-1' }, 'Follow-ups'), form, error, list);
  document.title = 'Follow-ups · loom-oncall';
  api('GET', '/v1/users').then((r) => {
    for (const u of r.users) {
      owner.append(h('option', { value: u.id, selected: u.id === filters.owner }, u.name ? `${u.name} (${u.id})` : u.id));
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
          h('td', {}, fu.id), h('td', {}, fu.title), h('td', {}, fu.owner),
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
// GET /v1/reports/response per week), as uPlot charts, and pages per responder.
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
    const weeks = [];
    for (let i = WEEKS; i > 0; --i) {
      weeks.push([new Date(end.getTime() - i * 7 * DAY_MS), new Date(end.getTime() - (i - 1) * 7 * DAY_MS)]);
    }
    try {
      const range = (from, to) => `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
      const reports = await Promise.all(weeks.map(([from, to]) => api('GET', '/v1/reports/response?' + range(from, to))));
      const total = await api('GET', '/v1/reports/response?' + range(weeks[0][0], end));
      const pages = await api('GET', '/v1/reports/pages?' + range(weeks[0][0], end));
      error.textContent = '';
      const key = JSON.stringify([reports, total, pages]);
      if (key === drawn) return;
      drawn = key;
      const xs = weeks.map(([from]) => from.getTime() / 1000);
      const series = (measure) => SEVERITIES.map((sev) => reports.map((r) => {
        const m = r.by_severity && r.by_severity[sev] && r.by_severity[sev][measure];
        return m && m.count ? m.p50_seconds / 60 : null;
      }));
      charts.replaceChildren(
        chartFigure('ack-chart', 'Time to acknowledge, median per week (minutes)', xs, series('acknowledge')),
        chartFigure('resolve-chart', 'Time to resolve, median per week (minutes)', xs, series('resolve')));
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
                                                 points: { show: true } }))],
    axes: [{}, { label: 'min' }],
    scales: { x: { time: true } },
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
      h('th', { scope: 'row' }, who), h('td', {}, String(r.pages)), h('td', {}, String(r.off_hours)))))));
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
      ['Commander', i.commander || '—'],
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
          h('h2', { id: 'evidence-title' }, 'Evidence'), evidenceList))));

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
        ['Last probe', `${fmtTime(r.at)} (${r.trigger}) · ${r.healthy ? 'healthy' : 'unhealthy'}`],
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
      it.done ? h('span', { class: 'hint' }, ` · ${it.done_by}, ${fmtTime(it.done_at)}`) : null,
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
        h('td', {}, String(a.size)), h('td', {}, a.actor), h('td', {}, fmtTime(a.at)))))));
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
        ['Commander', incident.commander || '—'],
        ['Alerts', `${incident.firing_alert_count} firing of ${incident.alert_count}`],
        ...deadlineFacts(incident, detail.timeline),
      ]));
  }

  function renderTimeline(events) {
    timeline.replaceChildren(...[...events].reverse().map((e) => h('li', {},
      h('div', { class: 'when' }, fmtTime(e.at)),
      h('div', {}, h('span', { class: 'what' }, eventLabel(e.type)), ' · ', e.actor),
      eventData(e))));
  }

  function renderPages(list) {
    if (list.length === 0) {
      pages.replaceChildren(h('p', { class: 'muted' }, 'Nobody was paged.'));
      return;
    }
    pages.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['When', 'To', 'Role', 'How', 'Delivery'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((n) => h('tr', {},
        h('td', {}, fmtTime(n.created_at)), h('td', {}, n.user), h('td', {}, n.role),
        h('td', {}, [n.kind, n.type].filter(Boolean).join(' · ')),
        h('td', {}, n.state + (n.delivered_at ? ` ${fmtTime(n.delivered_at)}` : '') +
          (n.attempts > 1 ? ` (${n.attempts} attempts)` : ''),
        n.last_error ? h('div', { class: 'hint' }, n.last_error) : null))))));
  }

  function renderAlerts(list) {
    if (list.length === 0) {
      alerts.replaceChildren(h('p', { class: 'muted' }, 'No alerts.'));
      return;
    }
    alerts.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['Alert', 'Status', 'Source', 'Since'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((a) => h('tr', {},
        h('td', {}, a.summary), h('td', {}, a.status), h('td', {}, a.source || '—'),
        h('td', {}, fmtTime(a.created_at)))))));
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
      renderUpdateForm();
      renderTimeline(detail.timeline || []);
      renderPages(notes.notifications || []);
      renderAlerts(detail.alerts || []);
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
  'evidence.added': 'Evidence added',
  'security.checklist_updated': 'Checklist updated',
  'security.report_updated': 'Security report saved',
  'recovery.verified': 'Recovery verified',
  'recovery.override': 'Recovery overridden',
  'recovery.auto_resolve_checked': 'Recovery checked after auto-resolve',
};

function eventLabel(type) { return EVENT_LABELS[type] || type; }

function eventData(e) {
  const data = e.data || {};
  const parts = [];
  for (const [k, v] of Object.entries(data)) {
    if (v === null || v === undefined || v === '' || typeof v === 'object') continue;
    let text = v;
    if (k === 'next_update_at' && typeof v === 'number') text = fmtTime(new Date(v / 1000).toISOString());
    else if (k.endsWith('_at') && typeof v === 'string') text = fmtTime(v);
    parts.push(`${k.replace(/_/g, ' ')}: ${text}`);
  }
  return parts.length ? h('div', { class: 'data' }, parts.join(' · ')) : null;
}

// ---- start ----

async function boot() {
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
