// What happened in an incident, as the incident page lists it: the timeline (newest first, as
// sentences), the pages and their delivery, and the member alerts ("Show more" loads the rest).
import { api } from './api.js';
import { h } from './dom.js';
import { describeEvent } from './incident_events.js';
import { person, roleName } from './people.js';
import { fmtTime } from './time.js';

// Draws `events` (the incident's timeline) into the <ol> `timeline`, newest first.
export function renderTimeline(timeline, events) {
  timeline.replaceChildren(...[...events].reverse().map((e) => h('li', { 'data-type': e.type },
    h('div', { class: 'when' }, fmtTime(e.at)),
    h('p', { class: 'what' }, describeEvent(e)))));
}

// Draws the notifications `list` (GET /v1/incidents/{id}/notifications) into `pages`.
export function renderPages(pages, list) {
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

// The member alerts of incident ctx.id. The incident answer carries the first 100 (and
// `alerts_next` when more follow); "Show more" loads the next pages, kept here across refreshes.
// `render(detail)` draws them into `element`.
export function alertsPanel(ctx) {
  const element = h('div', { class: 'table-scroll' });
  let moreAlerts = [];
  let moreNext = null;

  function render(detail) {
    const list = (detail.alerts || []).concat(moreAlerts);
    if (list.length === 0) {
      element.replaceChildren(h('p', { class: 'muted' }, 'No alerts.'));
      return;
    }
    const cursor = moreAlerts.length ? moreNext : detail.alerts_next;
    element.replaceChildren(...[h('table', {},
      h('thead', {}, h('tr', {}, ['Alert', 'Status', 'Source', 'Since'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, list.map((a) => h('tr', {},
        h('td', {}, a.summary), h('td', {}, a.status), h('td', {}, a.source || '—'),
        h('td', {}, fmtTime(a.created_at)))))),
    cursor ? h('button', { type: 'button', class: 'quiet', onclick: async (ev) => {
      ev.target.disabled = true;
      try {
        const page = await api('GET', `/v1/incidents/${ctx.id}/alerts?after=${encodeURIComponent(cursor)}`);
        moreAlerts = moreAlerts.concat(page.alerts || []);
        moreNext = page.next;
        render(ctx.incident);
      } catch (e) {
        ev.target.disabled = false;
        ctx.actionError.textContent = `Could not load more alerts: ${e.message}`;
      }
    } }, `Show more (${list.length} of ${detail.alert_count})`) : null].filter(Boolean));
  }

  return { element, render };
}
