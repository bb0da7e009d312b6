// The post-incident review of a closed incident ("#/incidents/INC-7/review", docs/followups.md):
// draft it from the timeline, edit, save, publish, download as Markdown.
import { api } from './api.js';
import { $, announce, factList, h, setMain } from './dom.js';
import { clearErrors, labelled, placeProblem } from './forms.js';
import { allows } from './incident_facts.js';
import { eventLabel } from './incident_events.js';
import { person } from './people.js';
import { stopPolling } from './router.js';
import { fmtTime } from './time.js';

const REVIEW_FIELDS = [['title', 'Title', 'input'], ['summary', 'Summary', 'textarea'],
                       ['root_cause', 'Root cause', 'textarea'], ['customer_impact', 'Customer impact', 'textarea'],
                       ['remediation', 'Remediation', 'textarea']];

export function reviewView(id) {
  const error = h('div', { class: 'banner', role: 'alert', id: 'review-error' });
  const saved = h('p', { role: 'status', class: 'ok', id: 'review-saved' });
  const facts = h('div', { 'aria-busy': 'true' });
  const editor = h('div');
  const timeline = h('div', { class: 'table-scroll' });
  const followups = h('div', { class: 'table-scroll' });
  setMain(h('p', {}, h('a', { href: `#/incidents/${id}` }, `← ${id}`)),
    h('h1', { id: 'review-page-title', tabindex: '-1' }, `Post-incident review of ${id}`),
    error, facts, editor, saved,
    h('section', { 'aria-labelledby': 'review-timeline-title' },
      h('h2', { id: 'review-timeline-title' }, 'Timeline (UTC)'), timeline),
    h('section', { 'aria-labelledby': 'review-followups-title' },
      h('h2', { id: 'review-followups-title' }, 'Follow-ups'), followups));
  document.title = `Review ${id} · loom-oncall`;
  let last = '';
  let dirty = false;  // the editor holds unsaved text: polling leaves it alone

  async function draft() {
    error.textContent = '';
    saved.textContent = '';
    try {
      await api('POST', `/v1/incidents/${id}/review`, {});
      announce(`Review of ${id} drafted`);
      last = '';
      await refresh();
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }

  async function save(silent) {
    const body = {};
    for (const [name] of REVIEW_FIELDS) body[name] = $(`rv-${name}`).value;
    const r = await api('PUT', `/v1/incidents/${id}/review`, body);
    dirty = false;
    saved.textContent = `Saved at ${fmtTime(r.updated_at)}.`;
    if (!silent) announce(`Review of ${id} saved`);
  }

  function renderEditor(review, incident) {
    if (!review) {
      const closed = incident.state === 'closed';
      editor.replaceChildren(h('p', { class: 'muted' }, closed ? 'No review yet.'
        : `The review is drafted once the incident is closed (it is ${incident.state}).`),
      ...(allows(incident, 'review') ? [h('button', { type: 'button', onclick: draft }, 'Draft from the timeline')] : []));
      return;
    }
    if (review.status === 'published' || !allows(incident, 'review')) {
      editor.replaceChildren(h('article', { class: 'panel', 'aria-label': 'Review' },
        REVIEW_FIELDS.slice(1).flatMap(([name, label]) => [h('h2', {}, label),
          h('p', { class: 'prose', 'data-field': name }, review[name] || '—')])));
      return;
    }
    if (dirty && editor.querySelector('form')) return;
    const form = h('form', { class: 'panel', novalidate: true, 'aria-label': 'Edit the review' },
      REVIEW_FIELDS.map(([name, label, tag]) =>
        labelled(label, h(tag, { id: `rv-${name}`, name, ...(tag === 'input' ? { type: 'text' } : {}) }))),
      h('div', { class: 'actions' },
        h('button', { type: 'submit' }, 'Save'),
        h('button', { type: 'button', class: 'quiet', id: 'rv-publish' }, 'Publish')));
    editor.replaceChildren(form);
    for (const [name] of REVIEW_FIELDS) $(`rv-${name}`).value = review[name] || '';
    form.addEventListener('input', () => { dirty = true; });
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      clearErrors(form);
      error.textContent = '';
      try {
        await save(false);
        last = '';
        await refresh();
      } catch (e) {
        placeProblem(e, error, (p) => (REVIEW_FIELDS.some(([n]) => `/${n}` === p) ? `rv${p.replace('/', '-')}` : null));
      }
    });
    $('rv-publish').addEventListener('click', async () => {
      error.textContent = '';
      try {
        if (dirty) await save(true);
        await api('POST', `/v1/incidents/${id}/review/publish`, {});
        saved.textContent = '';
        announce(`Review of ${id} published`);
        last = '';
        await refresh();
      } catch (e) {
        if (e.status === 401) return;
        const problems = ((e.problem && e.problem.errors) || []).map((fe) => fe.detail);
        error.replaceChildren(problems.length ? h('div', {}, 'Not published yet:',
          h('ul', {}, problems.map((x) => h('li', {}, x)))) : e.message);
      }
    });
  }

  function renderFacts(review, incident) {
    if (!review) {
      facts.replaceChildren(factList([['Incident', `${incident.id} · ${incident.title}`], ['State', incident.state]]));
      return;
    }
    const published = review.status === 'published';
    facts.replaceChildren(
      h('div', { class: 'badges' },
        h('span', { class: `badge review-${review.status}`, 'data-status': review.status }, published ? 'published' : 'draft'),
        h('span', { class: `badge sev-${review.severity}` }, review.severity.toUpperCase()),
        review.required ? h('span', { class: 'badge' }, 'required') : null),
      factList([
        ['Incident', h('a', { href: `#/incidents/${incident.id}` }, `${incident.id} · ${incident.title}`)],
        ['Drafted', `${fmtTime(review.created_at)} by ${person(review.created_by)}`],
        ['Last saved', `${fmtTime(review.updated_at)} by ${person(review.updated_by)}`],
        ...(published ? [['Published', `${fmtTime(review.published_at)} by ${person(review.published_by)}`]] : []),
      ]),
      h('p', {}, h('a', { href: `/v1/incidents/${encodeURIComponent(id)}/review.md`, download: `${id}-review.md`,
                          id: 'review-download' }, 'Download Markdown')));
  }

  function renderTables(review) {
    if (!review) {
      timeline.replaceChildren(h('p', { class: 'muted' }, 'Drafting copies the key events of the incident here.'));
      followups.replaceChildren();
      return;
    }
    const utc = (iso) => iso.replace('T', ' ').slice(0, 16);
    timeline.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['When', 'What', 'Who', 'Detail'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, review.timeline.map((e) => h('tr', {}, h('td', {}, utc(e.at)), h('td', {}, eventLabel(e.type)),
        h('td', {}, person(e.actor)), h('td', {}, e.text))))));
    followups.replaceChildren(review.followups.length === 0 ? h('p', { class: 'muted' }, 'No follow-ups.')
      : h('table', {},
        h('thead', {}, h('tr', {}, ['Id', 'Title', 'Owner', 'Due', 'Status'].map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', {}, review.followups.map((f) => h('tr', { class: f.overdue ? 'overdue' : '' },
          h('td', {}, f.id), h('td', {}, f.title), h('td', {}, person(f.owner)), h('td', {}, fmtTime(f.due)),
          h('td', {}, f.status))))));
  }

  async function refresh() {
    let incident;
    let review = null;
    try {
      incident = await api('GET', `/v1/incidents/${id}`);
      try {
        review = await api('GET', `/v1/incidents/${id}/review`);
      } catch (e) {
        if (e.status !== 404) throw e;
      }
    } catch (e) {
      if (e.status === 404) {
        facts.replaceChildren(h('p', {}, `No incident ${id}.`));
        stopPolling();
      } else if (e.status !== 401) {
        error.textContent = `Could not load the review of ${id}: ${e.message}`;
      }
      return;
    }
    const key = JSON.stringify([incident.state, incident.title, review]);
    if (key === last) return;
    const first = last === '';
    last = key;
    renderFacts(review, incident);
    renderEditor(review, incident);
    renderTables(review);
    facts.setAttribute('aria-busy', 'false');
    if (first && document.activeElement === document.body) $('review-page-title').focus();
  }
  return { refresh };
}
