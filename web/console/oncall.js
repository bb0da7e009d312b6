// On call now ("#/oncall", docs/console.md "On call and schedules"): every service's four roles,
// who holds each now and until when (GET /v1/oncall); below, every schedule's next two weeks
// (oncall_schedules.js).
import { api } from './api.js';
import { h, setMain } from './dom.js';
import { schedulesPanel } from './oncall_schedules.js';
import { settings } from './settings.js';
import { fmtTime } from './time.js';

const ROLES = [['primary', 'Primary'], ['secondary', 'Secondary'],
               ['escalation_manager', 'Escalation manager'], ['security_lead', 'Security lead']];

export function oncallView() {
  const body = h('div', { 'aria-busy': 'true' });
  const error = h('div', { class: 'banner', role: 'alert' });
  const schedules = schedulesPanel(error, () => refresh());
  setMain(h('h1', { tabindex: '-1' }, 'On call now'), error, body,
    h('h2', { id: 'schedules-title' }, 'Schedules: the next two weeks'), ...schedules.elements);
  document.title = 'On call · loom-oncall';

  async function refreshRoles() {
    const sections = [];
    for (const service of settings.services) {
      let roles = null;
      try {
        roles = (await api('GET', '/v1/oncall?service=' + encodeURIComponent(service))).roles;
      } catch (e) {
        sections.push(h('section', {}, h('h2', {}, service),
          h('p', { class: 'muted' }, 'No on-call roles configured.')));
        continue;
      }
      sections.push(rolesSection(service, roles));
    }
    body.replaceChildren(...sections);
    body.setAttribute('aria-busy', 'false');
  }

  async function refresh() {
    try {
      await refreshRoles();
      await schedules.render();
      error.textContent = '';
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}

// The table of `service`'s roles (GET /v1/oncall's `roles`).
function rolesSection(service, roles) {
  const rows = ROLES.map(([key, label]) => {
    const r = roles[key] || {};
    return h('tr', { 'data-role': key },
      h('th', { scope: 'row' }, label),
      h('td', {}, r.user ? (r.name ? `${r.name} (${r.user})` : r.user) : h('span', { class: 'nobody' }, 'nobody')),
      h('td', {}, r.until ? fmtTime(r.until) : '—'));
  });
  return h('section', { 'data-service': service }, h('h2', {}, service),
    h('table', { class: 'oncall' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Role'), h('th', { scope: 'col' }, 'Who'),
                      h('th', { scope: 'col' }, 'Until'))),
      h('tbody', {}, rows)));
}
