// What the incident list and the incident page both show of an incident: its badges and its
// countdowns (docs/console.md "Countdowns").
import { h } from './dom.js';
import { rule } from './settings.js';
import { countdown } from './time.js';

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

// The countdowns of `incident` as [name, value] facts: "Ack target" and "Next update".
export function deadlineFacts(incident, timeline) {
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

// Severity, state, kind (unless availability) and "drill".
export function badges(incident) {
  return h('div', { class: 'badges' },
    h('span', { class: `badge sev-${incident.severity}` }, incident.severity.toUpperCase()),
    h('span', { class: `badge state-${incident.state}` }, incident.state),
    incident.kind !== 'availability' ? h('span', { class: 'badge' }, incident.kind) : null,
    incident.drill ? h('span', { class: 'badge' }, 'drill') : null);
}
