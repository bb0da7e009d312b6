// loom-oncall web console: vanilla ES modules, no dependencies but uPlot (the reports charts), no
// inline code (the CSP forbids it). It talks to the server's JSON API (docs/api.md, api.js) and
// shows one view per address (router.js); every view polls the API every few seconds and
// countdowns tick every second. All text goes into the page through textContent, never as HTML.
//
// The files: api.js (requests, errors, the session), dom.js and forms.js (DOM helpers), time.js,
// people.js, settings.js; signin.js; one file per view: incidents.js (the list), incident.js (one
// incident, with its parts in incident_*.js), oncall.js (+ oncall_schedules.js), followups.js,
// drills.js (+ drill_forms.js), review.js, reports.js, heartbeats.js, mine.js (the person's own
// work), maintenance.js.
import { api, onSessionEnded, setSession } from './api.js';
import { $, labelTables } from './dom.js';
import { drillsView } from './drills.js';
import { followupsView } from './followups.js';
import { heartbeatsView } from './heartbeats.js';
import { profileView } from './profile.js';
import { incidentView } from './incident.js';
import { listView } from './incidents.js';
import { maintenanceView } from './maintenance.js';
import { mineView } from './mine.js';
import { oncallView } from './oncall.js';
import { reportsView } from './reports.js';
import { reviewView } from './review.js';
import { route, setViews } from './router.js';
import { showSignIn, signOut, signOutEverywhere, start } from './signin.js';
import { tick } from './time.js';

setViews({
  list: listView,
  incident: incidentView,
  review: reviewView,
  named: { '#/oncall': oncallView, '#/followups': followupsView, '#/reports': reportsView,
           '#/drills': drillsView, '#/heartbeats': heartbeatsView, '#/me': mineView,
           '#/maintenance': maintenanceView, '#/profile': profileView },
});
onSessionEnded(showSignIn);

async function boot() {
  new MutationObserver(() => labelTables($('main'))).observe($('main'), { childList: true, subtree: true });
  $('signout').addEventListener('click', signOut);
  $('signout-all').addEventListener('click', signOutEverywhere);
  window.addEventListener('hashchange', route);
  setInterval(tick, 1000);
  let s = null;
  try {
    s = await api('GET', '/ui/session');
  } catch (e) {
    s = null;
  }
  setSession(s);
  if (s) await start();
  else showSignIn('');
}

document.addEventListener('DOMContentLoaded', boot);
