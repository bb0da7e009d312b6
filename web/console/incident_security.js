// The security playbook of the incident page (docs/security-playbook.md): the checklist with
// "Done" per item, and the security report that resolve and close wait for.
import { api } from './api.js';
import { $, announce, h } from './dom.js';
import { allows } from './incident_facts.js';
import { person } from './people.js';
import { fmtTime } from './time.js';

const REPORT_FIELDS = [['timeline', 'Timeline'], ['indicators', 'Indicators'],
                       ['containment', 'Containment actions'], ['residual_risk', 'Residual risk']];

// `render()` draws the playbook of ctx.incident (nothing unless it is a security incident).
export function securityPanel(ctx) {
  const element = h('div', {});
  const id = ctx.id;

  async function render() {
    const incident = ctx.incident;
    if (incident.kind !== 'security') {
      element.replaceChildren();
      return;
    }
    let checklist = null;
    let report = null;
    try { checklist = await api('GET', `/v1/incidents/${id}/checklist`); } catch (e) { checklist = null; }
    try { report = await api('GET', `/v1/incidents/${id}/security-report`); } catch (e) { report = null; }
    const items = checklist ? checklist.items.map((it) => checklistItem(it, allows(incident, 'checklist'))) : [];
    const progress = checklist ? `${checklist.done} of ${checklist.total} done` : '';
    const panel = h('section', { class: 'panel', 'aria-labelledby': 'security-title' },
      h('h2', { id: 'security-title' }, 'Security playbook'),
      h('p', { class: checklist && checklist.complete && report ? 'ok' : 'nobody' },
        checklist && checklist.complete && report ? 'Checklist and report complete: resolve and close are allowed.'
          : `Resolve and close wait for the checklist (${progress}) and the report${report ? '' : ' (missing)'}.`),
      h('ul', { class: 'checklist' }, items));
    const keep = element.querySelector('form');
    if (keep) {
      panel.append(keep);  // keep what the responder is typing
    } else if (allows(incident, 'security-report')) {
      panel.append(reportForm(report));
    }
    element.replaceChildren(panel);
  }

  function checklistItem(it, writable) {
    return h('li', { 'data-item': it.id, class: it.done ? 'done' : '' },
      h('span', {}, it.done ? '✔ ' : '☐ ', it.text),
      it.done ? h('span', { class: 'hint' }, ` · ${person(it.done_by)}, ${fmtTime(it.done_at)}`) : null,
      writable && !it.done ? h('button', { type: 'button', class: 'quiet',
        'aria-label': `Mark done: ${it.text}`, onclick: async () => {
          try {
            await api('POST', `/v1/incidents/${id}/checklist/${encodeURIComponent(it.id)}`, { done: true });
            announce(`${it.text}: done`);
            await ctx.reload();
          } catch (e) { if (e.status !== 401) ctx.actionError.textContent = e.message; }
        } }, 'Done') : null);
  }

  function reportForm(report) {
    const form = h('form', { novalidate: true, 'aria-labelledby': 'report-title' },
      h('h3', { id: 'report-title' }, report ? `Security report (revision ${report.revision})` : 'Security report'),
      REPORT_FIELDS.flatMap(([name, label]) => [h('label', { for: `r-${name}` }, label),
        h('textarea', { id: `r-${name}`, name, 'aria-describedby': `r-${name}-error` }),
        h('p', { class: 'field-error', id: `r-${name}-error` })]),
      h('button', { type: 'submit' }, 'Save report'));
    if (report) for (const [name] of REPORT_FIELDS) form.querySelector(`#r-${name}`).value = report[name] || '';
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const body = {};
      for (const [name] of REPORT_FIELDS) {
        body[name] = $(`r-${name}`).value;
        $(`r-${name}-error`).textContent = '';
        $(`r-${name}`).removeAttribute('aria-invalid');
      }
      try {
        await api('PUT', `/v1/incidents/${id}/security-report`, body);
        announce(`Security report of ${id} saved`);
        form.remove();
        await ctx.reload();
      } catch (e) {
        if (e.status === 401) return;
        let placed = false;
        for (const fe of (e.problem && e.problem.errors) || []) {
          const name = String(fe.pointer || '').replace(/^\//, '');
          if ($(`r-${name}`)) {
            $(`r-${name}-error`).textContent = fe.detail;
            $(`r-${name}`).setAttribute('aria-invalid', 'true');
            placed = true;
          }
        }
        if (!placed) ctx.actionError.textContent = e.message;
      }
    });
    return form;
  }

  return { element, render };
}
