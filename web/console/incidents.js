// The incident list ("#/", docs/console.md "The incident list"): open incidents first, then by
// severity, newest first; filters by state, severity and service, kept in the hash.
import { api } from './api.js';
import { $, announce, factList, h, selectControl, setMain } from './dom.js';
import { badges, deadlineFacts } from './incident_facts.js';
import { person } from './people.js';
import { route } from './router.js';
import { OPEN_STATES, SEVERITIES, STATES, settings } from './settings.js';
import { age } from './time.js';

function listFilters(hash) {
  const q = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  return { state: q.get('state') || 'open', severity: q.get('severity') || '',
           service: q.get('service') || '' };
}

export function listView(hash) {
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
      [['', 'All'], ...settings.services.map((s) => [s, s])])));
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
      const key = JSON.stringify(incidents);
      error.textContent = '';
      if (key === last) return;
      last = key;
      renderList(list, sortIncidents(incidents));
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

export function sortIncidents(incidents) {
  const open = (i) => (OPEN_STATES.includes(i.state) ? 0 : 1);
  return [...incidents].sort((a, b) => open(a) - open(b) ||
    a.severity.localeCompare(b.severity) || b.number - a.number);
}

export function renderList(list, incidents) {
  const focusedId = document.activeElement && document.activeElement.dataset
    ? document.activeElement.dataset.incident : null;
  list.replaceChildren(...incidents.map((i) => h('li',
    { class: `card sev-${i.severity} ${i.state}`, 'data-incident': i.id },
    h('a', { class: 'title', href: `#/incidents/${i.id}`, 'data-incident': i.id }, `${i.id} · ${i.title}`),
    badges(i),
    factList([
      ['Service', i.team ? `${i.service} (team ${i.team})` : i.service],
      ['Age', h('span', { 'data-since': i.created_at }, age(i.created_at))],
      ['Commander', person(i.commander)],
      ...deadlineFacts(i),
    ]))));
  if (focusedId) {
    const again = list.querySelector(`a[data-incident="${CSS.escape(focusedId)}"]`);
    if (again) again.focus();
  }
}
