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
  for (const c of children.flat()) {
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
  app.view = m ? incidentView(decodeURIComponent(m[1]))
    : hash === '#/oncall' ? oncallView() : listView(hash);
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
      sections.push(h('section', {}, h('h2', {}, service),
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
  let incident = null;
  let last = '';

  setMain(
    h('p', {}, h('a', { href: '#/' }, '← All incidents')),
    head, actionError, actions, updateSection,
    h('div', { class: 'incident-grid' },
      h('section', { 'aria-labelledby': 'timeline-title' },
        h('h2', { id: 'timeline-title' }, 'Timeline'), timeline),
      h('div', {},
        h('section', { 'aria-labelledby': 'pages-title' },
          h('h2', { id: 'pages-title' }, 'Pages and their delivery'), pages),
        h('section', { 'aria-labelledby': 'alerts-title' },
          h('h2', { id: 'alerts-title' }, 'Member alerts'), alerts))));

  async function act(path, body, done) {
    actionError.textContent = '';
    const buttons = actions.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api('POST', `/v1/incidents/${id}/${path}`, body || {});
      announce(done);
      last = '';
      await refresh();
    } catch (e) {
      if (e.status !== 401) actionError.textContent = e.message;
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
