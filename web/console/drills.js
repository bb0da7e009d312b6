// The drill program ("#/drills", docs/drills.md): the next drill due, starting one, finishing one
// with its notes and follow-ups (drill_forms.js), and the past drills with their notes
// (GET /v1/drills/{id}/notes).
import { api, canWrite, fetchText } from './api.js';
import { factList, h, setMain } from './dom.js';
import { finishDrillForm, startDrillForm } from './drill_forms.js';
import { person } from './people.js';
import { countdown, fmtTime } from './time.js';

export function drillsView() {
  const error = h('div', { class: 'banner', role: 'alert' });
  const next = h('div', { 'aria-busy': 'true' });
  const startBox = h('div');
  const finishBox = h('div');
  const list = h('div', { 'aria-busy': 'true' });
  setMain(h('h1', { tabindex: '-1' }, 'Drills'), error,
    h('section', { 'aria-labelledby': 'next-drill-title' },
      h('h2', { id: 'next-drill-title' }, 'Next drill'), next),
    finishBox,
    h('section', { 'aria-labelledby': 'drills-title' }, h('h2', { id: 'drills-title' }, 'All drills'), list),
    startBox);
  document.title = 'Drills · loom-oncall';
  let users = null;
  let last = '';
  const notes = {};        // drill id -> notes text, or an Error
  const opened = new Set();  // drill ids whose notes are unfolded

  function renderNext(d, compliance) {
    const n = d.next;
    const c = compliance && compliance.drills;
    next.replaceChildren(factList([
      ['Due', h('span', {}, fmtTime(n.due_at), ' (', countdown(Date.parse(n.due_at)), ')')],
      ['Scenario', n.scenario],
      ['Schedule', `every ${d.schedule.every}, alternating ${d.schedule.alternate.join(' / ')}, service ${d.schedule.service}`],
      ...(c ? [['Last 30 days', `${c.last_30_days} drill${c.last_30_days === 1 ? '' : 's'}` +
                 (c.alternating ? ', alternating' : ', not alternating')]] : []),
    ]), ...(n.overdue ? [h('p', { class: 'nobody', 'data-overdue': 'true' }, 'The next drill is overdue.')] : []));
    next.setAttribute('aria-busy', 'false');
  }

  // The form once, for responders; it stays while the page polls.
  function renderStartForm(d) {
    if (!canWrite() || startBox.firstChild) return;
    startBox.replaceChildren(startDrillForm(d, users, async () => { last = ''; await refresh(); }));
  }

  function renderFinishForm(drill) {
    finishDrillForm(finishBox, drill, users, async () => {
      opened.add(drill.id);
      last = '';
      await refresh();
    });
  }

  async function loadNotes(id, pre) {
    if (notes[id] === undefined) {
      try {
        const res = await fetchText(`/v1/drills/${encodeURIComponent(id)}/notes`, 'text/markdown');
        notes[id] = res.ok ? await res.text() : new Error(res.status === 404 ? 'No notes file for this drill.' : `HTTP ${res.status}`);
      } catch (e) {
        notes[id] = e;
      }
    }
    const v = notes[id];
    pre.textContent = v instanceof Error ? v.message : v;
    pre.closest('details').setAttribute('aria-busy', 'false');
  }

  function drillCard(drill, followups) {
    const finished = drill.state === 'closed';
    const fus = followups.filter((f) => f.source && f.source.drill === drill.id);
    const card = h('li', { class: `card sev-${drill.severity} ${drill.state}`, 'data-drill': drill.id },
      h('a', { class: 'title', href: `#/incidents/${drill.id}` }, `${drill.id} · ${drill.title}`),
      h('div', { class: 'badges' }, h('span', { class: 'badge' }, drill.scenario),
        h('span', { class: `badge sev-${drill.severity}` }, drill.severity.toUpperCase()),
        h('span', { class: `badge state-${drill.state}` }, finished ? 'finished' : drill.state)),
      factList([
        ['Started', fmtTime(drill.started_at)],
        ['Result', finished ? `finished ${fmtTime(drill.finished_at)}` : 'in progress'],
        ['Commander', person(drill.commander)],
        ...(fus.length ? [['Follow-ups', h('span', {}, fus.map((f, i) => [i ? ', ' : '',
          h('span', { class: f.overdue ? 'nobody' : '' }, `${f.id} ${f.title} (${person(f.owner)}, ${f.status})`)]))]] : []),
      ]));
    if (!finished && canWrite()) {
      card.append(h('div', { class: 'actions' }, h('button', { type: 'button', class: 'quiet',
        'aria-label': `Finish ${drill.id}`, onclick: () => renderFinishForm(drill) }, 'Finish…')));
    }
    if (finished) {
      const pre = h('pre', { class: 'notes' });
      const details = h('details', { 'data-notes': drill.id, 'aria-busy': 'true' },
        h('summary', {}, `Notes of ${drill.id}`), pre);
      details.addEventListener('toggle', () => {
        if (details.open) { opened.add(drill.id); loadNotes(drill.id, pre); } else opened.delete(drill.id);
      });
      if (opened.has(drill.id)) { details.open = true; loadNotes(drill.id, pre); }
      card.append(details);
    }
    return card;
  }

  async function refresh() {
    try {
      const [d, compliance, fu] = await Promise.all([
        api('GET', '/v1/drills'),
        api('GET', '/v1/reports/compliance').catch(() => null),
        api('GET', '/v1/followups').catch(() => ({ followups: [] })),
      ]);
      if (users === null) users = (await api('GET', '/v1/users').catch(() => ({ users: [] }))).users;
      error.textContent = '';
      const key = JSON.stringify([d, compliance && compliance.drills, fu]);
      if (key === last) return;
      last = key;
      renderNext(d, compliance);
      renderStartForm(d);
      const drills = [...d.drills].sort((a, b) => Date.parse(b.started_at) - Date.parse(a.started_at));
      const focused = document.activeElement && list.contains(document.activeElement)
        ? document.activeElement.getAttribute('aria-label') || document.activeElement.textContent : null;
      list.replaceChildren(drills.length === 0 ? h('p', { class: 'muted' }, 'No drills yet.')
        : h('ul', { class: 'incidents', 'aria-label': 'Drills' }, drills.map((x) => drillCard(x, fu.followups))));
      list.setAttribute('aria-busy', 'false');
      if (focused) {
        const again = [...list.querySelectorAll('a, button, summary')]
          .find((el) => (el.getAttribute('aria-label') || el.textContent) === focused);
        if (again) again.focus();
      }
    } catch (e) {
      if (e.status !== 401) error.textContent = `Could not load drills: ${e.message}`;
    }
  }
  return { refresh };
}

