// The signed-in person's own work ("#/me", docs/console.md "My incidents, shifts and
// follow-ups"): the open incidents they command, their shifts of the next 14 days with the
// address that subscribes a calendar to them, and their open follow-ups. Who they are comes from
// the session (GET /ui/session's `user`), never from a browser setting.
import { api, session } from './api.js';
import { h, setMain } from './dom.js';
import { renderList, sortIncidents } from './incidents.js';
import { fmtTime } from './time.js';

export function mineView() {
  const me = session().user;
  const incidents = h('ul', { class: 'incidents', 'aria-label': 'My incidents', 'aria-busy': 'true' });
  const noIncidents = h('p', { class: 'muted', hidden: true }, 'No open incident has you as commander.');
  const shifts = h('ul', { class: 'shifts', 'aria-label': 'My shifts' });
  const noShifts = h('p', { class: 'muted', hidden: true }, 'No shift of yours in the next 14 days.');
  const followups = h('ul', { class: 'followups', 'aria-label': 'My follow-ups' });
  const noFollowups = h('p', { class: 'muted', hidden: true }, 'No open follow-up is yours.');
  const error = h('div', { class: 'banner', role: 'alert' });
  const feed = `${location.origin}/v1/users/${encodeURIComponent(me)}/calendar.ics`;
  setMain(h('h1', { tabindex: '-1' }, `${session().name}: my work`), error,
    h('h2', {}, 'My incidents'), incidents, noIncidents,
    h('h2', {}, 'My shifts'), shifts, noShifts,
    h('p', { class: 'hint' }, 'Subscribe your calendar to your shifts: ',
      h('a', { href: feed, id: 'my-calendar' }, feed),
      ' with ?token= and a calendar token from your administrator (loom-oncall token create --role calendar).'),
    h('h2', {}, 'My follow-ups'), followups, noFollowups,
    h('p', {}, h('a', { href: '#/followups?mine=1' }, 'All my follow-ups')));
  document.title = 'My work · loom-oncall';

  async function refresh() {
    try {
      const open = (await api('GET', '/v1/incidents?open=true&limit=100')).incidents;
      const mine = open.filter((i) => i.commander === `user:${me}`);
      renderList(incidents, sortIncidents(mine));
      incidents.setAttribute('aria-busy', 'false');
      noIncidents.hidden = mine.length > 0;

      const schedules = (await api('GET', '/v1/schedules')).schedules;
      const mineShifts = [];
      for (const s of schedules) {
        const r = await api('GET', `/v1/schedules/${encodeURIComponent(s.id)}/shifts`);
        for (const shift of r.shifts) if (shift.user === me) mineShifts.push({ schedule: s.id, ...shift });
      }
      mineShifts.sort((a, b) => a.start.localeCompare(b.start));
      shifts.replaceChildren(...mineShifts.map((s) => h('li', {},
        `${fmtTime(s.start)} – ${fmtTime(s.end)} · ${s.schedule}${s.override ? ' (override)' : ''}`)));
      noShifts.hidden = mineShifts.length > 0;

      const fu = (await api('GET', `/v1/followups?owner=${encodeURIComponent(me)}&status=open`)).followups;
      followups.replaceChildren(...fu.map((f) => h('li', {},
        `${f.title} · due ${fmtTime(f.due)}`)));
      noFollowups.hidden = fu.length > 0;
      error.textContent = '';
    } catch (e) {
      error.textContent = e.message;
    }
  }
  return { refresh };
}
