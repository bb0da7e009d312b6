// Timeline events as people read them: a label per event type (the review's table) and a
// sentence per event (the incident page's timeline), people by name, times in the viewer's zone.
import { person, roleName } from './people.js';
import { fmtTime } from './time.js';

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

// The label of an event type ("escalation.notified" → "Paged"), the type itself when unknown.
export function eventLabel(type) { return EVENT_LABELS[type] || type; }

// One timeline event as a sentence ("Paged Alice Primary as primary (step 0)."), people by name and
// times in the viewer's zone. Events without a sentence of their own read "<label> by <who>.".
export function describeEvent(e) {
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
