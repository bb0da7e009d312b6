// The view of location.hash, refreshed every few seconds. main.js names the views (setViews);
// a view is {refresh(): Promise} and draws itself into <main> when created.
//
// "#/" the incident list (filters in the hash: "#/?state=open&severity=sev1"), "#/incidents/INC-7"
// one incident, "#/incidents/INC-7/review" its post-incident review, "#/oncall", "#/followups"
// (?mine=1: the signed-in person's), "#/drills", "#/reports", "#/heartbeats", "#/me" (the person's
// own work), "#/maintenance".
import { session } from './api.js';

const POLL_MS = 4000;

let views = null;  // {list(hash), incident(id), review(id), named: {'#/oncall': view(hash), ...}}
let current = null;
let poll = null;

export function setViews(table) { views = table; }

export function stopPolling() {
  if (poll) clearInterval(poll);
  poll = null;
}

// Stops polling and forgets the view (signed out).
export function leaveView() {
  stopPolling();
  current = null;
}

// Shows the view of location.hash (nothing before sign-in) and polls it.
export function route() {
  if (!session()) return;
  stopPolling();
  const hash = location.hash || '#/';
  const m = hash.match(/^#\/incidents\/([A-Za-z0-9-]+)$/);
  const review = hash.match(/^#\/incidents\/([A-Za-z0-9-]+)\/review$/);
  const base = hash.split('?')[0];
  current = m ? views.incident(decodeURIComponent(m[1]))
    : review ? views.review(decodeURIComponent(review[1]))
      : views.named[base] ? views.named[base](hash) : views.list(hash);
  current.refresh();
  poll = setInterval(() => { if (current) current.refresh(); }, POLL_MS);
}
