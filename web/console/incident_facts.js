// What the incident list and the incident page both show of an incident: its badges, its
// countdowns and which commands the server allows on it. The console holds no timing or
// permission rule: both come from the incident's JSON.
import { h } from './dom.js';
import { countdown } from './time.js';

// The countdowns of `incident` as [name, value] facts, to the times the server computed
// (docs/console.md "Countdowns"): "Ack target" (ack_due_at: while triggered) and "Next update"
// (next_update_due_at: while acknowledged or mitigated, unless the severity's updates are async).
export function deadlineFacts(incident) {
  const facts = [];
  if (incident.ack_due_at) facts.push(['Ack target', countdown(Date.parse(incident.ack_due_at))]);
  if (incident.next_update_due_at) {
    facts.push(['Next update', countdown(Date.parse(incident.next_update_due_at))]);
  }
  return facts;
}

// Whether the server allows the caller the command `action` on `incident` now: its name in the
// incident's `allowed_actions`, which is its route under /v1/incidents/{id}/: the commands
// ("acknowledge", "commander", "severity", "updates", ...) and the panels' writes ("probe",
// "evidence", "checklist", "security-report", "summary", "review"). Empty for a viewer.
export function allows(incident, action) {
  return (incident.allowed_actions || []).includes(action);
}

// Severity, state, kind (unless availability) and "drill".
export function badges(incident) {
  return h('div', { class: 'badges' },
    h('span', { class: `badge sev-${incident.severity}` }, incident.severity.toUpperCase()),
    h('span', { class: `badge state-${incident.state}` }, incident.state),
    incident.kind !== 'availability' ? h('span', { class: 'badge' }, incident.kind) : null,
    incident.drill ? h('span', { class: 'badge' }, 'drill') : null,
    incident.maintenance ? h('span', { class: 'badge maintenance' }, 'maintenance') : null);
}
