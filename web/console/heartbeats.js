// Heartbeats ("#/heartbeats", docs/console.md "Heartbeats", docs/heartbeats.md): every heartbeat
// with its service, state, last ping (its age ticking), when it expires and the incident its last
// expiry opened (GET /v1/heartbeats). Read-only: heartbeats are defined in the configuration file
// or through the API.
import { api } from './api.js';
import { h, setMain } from './dom.js';
import { age, countdown, fmtTime } from './time.js';

const STATE_TEXT = { inactive: 'never pinged', healthy: 'healthy', expired: 'expired' };

export function heartbeatsView() {
  const body = h('div', { 'aria-busy': 'true' });
  const error = h('div', { class: 'banner', role: 'alert' });
  setMain(h('h1', { tabindex: '-1' }, 'Heartbeats'), error, body);
  document.title = 'Heartbeats · loom-oncall';

  async function refresh() {
    try {
      const list = (await api('GET', '/v1/heartbeats')).heartbeats;
      body.replaceChildren(list.length ? heartbeatTable(list)
        : h('p', { class: 'muted' }, 'No heartbeats. Define them under services[].heartbeats in the configuration file or with POST /v1/heartbeats.'));
      body.setAttribute('aria-busy', 'false');
      error.textContent = '';
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}

function heartbeatTable(list) {
  const rows = list.map((hb) => {
    const state = hb.enabled ? (STATE_TEXT[hb.state] || hb.state) : `${STATE_TEXT[hb.state] || hb.state} (disabled)`;
    const lastPing = hb.last_ping_at
      ? h('span', {}, fmtTime(hb.last_ping_at), ' (', h('span', { 'data-since': hb.last_ping_at }, age(hb.last_ping_at)), ' ago)')
      : '—';
    const expires = hb.expires_at ? countdown(Date.parse(hb.expires_at)) : '—';
    const incident = hb.incident ? h('a', { href: `#/incidents/${hb.incident}` }, hb.incident) : '—';
    return h('tr', { 'data-heartbeat': hb.id, 'data-state': hb.enabled ? hb.state : 'disabled' },
      h('th', { scope: 'row' }, hb.name === hb.id ? hb.id : `${hb.name} (${hb.id})`),
      h('td', {}, hb.service),
      h('td', { class: `heartbeat-${hb.state}` }, state),
      h('td', {}, `every ${hb.interval}` + (hb.grace_seconds ? ` + ${hb.grace}` : '')),
      h('td', {}, lastPing),
      h('td', {}, expires),
      h('td', {}, incident));
  });
  const cols = ['Heartbeat', 'Service', 'State', 'Expected', 'Last ping', 'Expires', 'Incident'];
  return h('table', { class: 'heartbeats' },
    h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows));
}
