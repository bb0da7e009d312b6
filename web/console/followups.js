// Follow-ups ("#/followups", docs/console.md "Follow-ups"): open ones by default, filtered by
// owner, status and overdue; a responder marks one done. "Mine only" shows the signed-in
// person's (the session's user; a token's session has none).
import { api, canWrite, session } from './api.js';
import { $, announce, h, selectControl, setMain } from './dom.js';
import { person } from './people.js';
import { route } from './router.js';
import { fmtTime } from './time.js';

// Follow-ups (GET /v1/followups): open ones by default, filtered by owner and overdue; a
// responder marks one done. The filters live in the hash ("#/followups?owner=alice&overdue=1").
export function followupsView(hash) {
  const q = new URLSearchParams(hash.includes('?') ? hash.slice(hash.indexOf('?') + 1) : '');
  const filters = { owner: q.get('owner') || '', status: q.get('status') || 'open',
                    overdue: q.get('overdue') === '1', mine: q.get('mine') === '1' };
  // "Mine": the signed-in person ("" for an API token's session, which is nobody).
  const me = session().user || '';
  if (filters.mine && me) filters.owner = me;
  const mine = h('input', { id: 'f-mine', name: 'mine', type: 'checkbox', checked: filters.mine });
  const error = h('div', { class: 'banner', role: 'alert' });
  const list = h('div', { 'aria-busy': 'true' });
  const owner = h('select', { id: 'f-owner', name: 'owner' }, h('option', { value: '' }, 'Everyone'));
  const status = selectControl('f-status', 'Status', filters.status,
    [['open', 'Open'], ['done', 'Done'], ['cancelled', 'Cancelled'], ['', 'Any']]);
  const overdue = h('input', { id: 'f-overdue', name: 'overdue', type: 'checkbox', checked: filters.overdue });
  const form = h('form', { class: 'filters', 'aria-label': 'Filters' },
    h('div', {}, h('label', { for: 'f-owner' }, 'Owner'), owner), h('div', {}, status),
    h('div', { class: 'check' }, overdue, h('label', { for: 'f-overdue' }, 'Overdue only')),
    h('div', { class: 'check' }, mine, h('label', { for: 'f-mine' }, 'Mine only')));
  const meNote = h('p', { class: 'field-error', id: 'f-me-error' },
    filters.mine && !me ? 'Signed in with an API token: no follow-ups are yours. Sign in as yourself.' : '');
  if (filters.mine && me) owner.disabled = true;
  form.addEventListener('change', (ev) => {
    const next = new URLSearchParams();
    if (mine.checked) next.set('mine', '1');
    else if (owner.value && ev.target !== mine) next.set('owner', owner.value);
    next.set('status', $('f-status').value);
    if (overdue.checked) next.set('overdue', '1');
    history.replaceState(null, '', '#/followups?' + next);
    const changed = ev.target.id;
    route();
    if (changed && $(changed)) $(changed).focus();
  });
  form.addEventListener('submit', (ev) => ev.preventDefault());
  setMain(h('h1', { tabindex: '-1' }, filters.mine && me ? 'My follow-ups' : 'Follow-ups'),
    form, meNote, error, list);
  document.title = 'Follow-ups · loom-oncall';
  api('GET', '/v1/users').then((r) => {
    for (const u of r.users) {
      owner.append(h('option', { value: u.id, selected: u.id === filters.owner }, u.name ? `${u.name} (${u.id})` : u.id));
    }
  }).catch(() => {});
  async function markDone(fu) {
    try {
      await api('PATCH', `/v1/followups/${encodeURIComponent(fu.id)}`, { status: 'done' });
      announce(`${fu.id} done`);
      await refresh();
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  async function refresh() {
    if (filters.mine && !me) {
      list.replaceChildren();
      return;
    }
    const p = new URLSearchParams();
    if (filters.owner) p.set('owner', filters.owner);
    if (filters.status) p.set('status', filters.status);
    if (filters.overdue) p.set('overdue', 'true');
    try {
      const r = await api('GET', '/v1/followups?' + p);
      error.textContent = '';
      const rows = r.followups.map((fu) => {
        const src = fu.source ? Object.entries(fu.source).map(([k, v]) => k === 'incident' || k === 'review'
          ? h('a', { href: `#/incidents/${v}` }, `${k} ${v}`) : `${k} ${v}`) : ['—'];
        return h('tr', { 'data-followup': fu.id, class: fu.overdue ? 'overdue' : '' },
          h('td', {}, fu.id), h('td', {}, fu.title), h('td', {}, person(fu.owner)),
          h('td', {}, fmtTime(fu.due), fu.overdue ? h('span', { class: 'nobody' }, ' overdue') : null),
          h('td', {}, fu.status), h('td', {}, ...src),
          h('td', {}, canWrite() && fu.status === 'open'
            ? h('button', { type: 'button', class: 'quiet', 'aria-label': `Mark ${fu.id} done`,
                            onclick: () => markDone(fu) }, 'Done') : null));
      });
      list.replaceChildren(rows.length === 0 ? h('p', { class: 'muted' }, 'No follow-ups.')
        : h('div', { class: 'table-scroll' }, h('table', {},
          h('thead', {}, h('tr', {}, ['Id', 'Title', 'Owner', 'Due', 'Status', 'From', ''].map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, rows))));
      list.setAttribute('aria-busy', 'false');
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}
