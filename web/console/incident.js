// One incident ("#/incidents/INC-7", docs/console.md "An incident"): its header and countdowns,
// the actions, the playbooks, the status update and final summary forms, the timeline, the pages,
// the member alerts and the evidence. Each part is in its own incident_*.js and draws into its own
// element; they share the context `ctx` made here:
//   ctx.id           "INC-7"
//   ctx.incident     the last GET /v1/incidents/{id} (null before the first)
//   ctx.actionError  the banner above the actions, for errors of any part
//   ctx.reload()     fetches and redraws everything now (after a change)
//   ctx.act(path, body, done)  an action of incident_actions.js (e.g. "probe")
import { api } from './api.js';
import { $, factList, h, setMain } from './dom.js';
import { actionsPanel } from './incident_actions.js';
import { alertsPanel, renderPages, renderTimeline } from './incident_activity.js';
import { evidencePanel } from './incident_evidence.js';
import { badges, deadlineFacts } from './incident_facts.js';
import { playbookPanel } from './incident_playbook.js';
import { securityPanel } from './incident_security.js';
import { maintenanceBanner } from './maintenance.js';
import { summaryPanel } from './incident_summary.js';
import { statusUpdatePanel } from './incident_update.js';
import { person } from './people.js';
import { stopPolling } from './router.js';
import { age, fmtTime } from './time.js';

export function incidentView(id) {
  let last = '';
  const ctx = {
    id,
    incident: null,
    actionError: h('div', { class: 'banner', role: 'alert', id: 'action-error' }),
    reload: async () => { last = ''; await refresh(); },
    act: null,
  };
  const head = h('div', {});
  const timeline = h('ol', { class: 'timeline' });
  const pages = h('div', { class: 'table-scroll' });
  const actions = actionsPanel(ctx);
  ctx.act = actions.act;
  const alerts = alertsPanel(ctx);
  const update = statusUpdatePanel(ctx);
  const playbook = playbookPanel(ctx);
  const summary = summaryPanel(ctx);
  const security = securityPanel(ctx);
  const evidence = evidencePanel(ctx);

  setMain(
    h('p', {}, h('a', { href: '#/' }, '← All incidents')),
    head, ctx.actionError, ...actions.elements, summary.element, playbook.element, security.element,
    update.element,
    h('div', { class: 'incident-grid' },
      h('section', { 'aria-labelledby': 'timeline-title' },
        h('h2', { id: 'timeline-title' }, 'Timeline'), timeline),
      h('div', {},
        h('section', { 'aria-labelledby': 'pages-title' },
          h('h2', { id: 'pages-title' }, 'Pages and their delivery'), pages),
        h('section', { 'aria-labelledby': 'alerts-title' },
          h('h2', { id: 'alerts-title' }, 'Member alerts'), alerts.element),
        h('section', { 'aria-labelledby': 'evidence-title' },
          h('h2', { id: 'evidence-title' }, 'Evidence'), ...evidence.elements))));

  function renderHead() {
    const incident = ctx.incident;
    document.title = `${incident.id} ${incident.state} · loom-oncall`;
    head.replaceChildren(
      h('h1', { id: 'incident-title', tabindex: '-1' }, `${incident.id} · ${incident.title}`),
      badges(incident),
      maintenanceBanner(incident),
      factList([
        ['Service', incident.team ? `${incident.service} (team ${incident.team})` : incident.service],
        ['Opened', h('span', {}, fmtTime(incident.created_at), ' (',
          h('span', { 'data-since': incident.created_at }, age(incident.created_at)), ' ago)')],
        ['Commander', person(incident.commander)],
        ['Alerts', `${incident.firing_alert_count} firing of ${incident.alert_count}`],
        ...deadlineFacts(incident),
        ...(incident.state === 'closed'
          ? [['Review', h('a', { href: `#/incidents/${incident.id}/review` }, 'Post-incident review')]] : []),
      ]));
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
      ctx.incident = detail;
      renderHead();
      actions.render();
      playbook.render(detail.playbook);
      summary.render();
      security.render();
      evidence.render();
      update.render();
      renderTimeline(timeline, detail.timeline || []);
      renderPages(pages, notes.notifications || []);
      alerts.render(detail);
      if (first && document.activeElement === document.body) $('incident-title').focus();
    } catch (e) {
      if (e.status === 404) {
        head.replaceChildren(h('h1', {}, `No incident ${id}`));
        stopPolling();
      } else if (e.status !== 401) {
        ctx.actionError.textContent = `Could not load ${id}: ${e.message}`;
      }
    }
  }
  return { refresh };
}
