// The final summary of a resolved incident (docs/followups.md): root cause, customer impact,
// remediation and follow-ups, or why there are none; close is refused until it is saved.
import { api } from './api.js';
import { $, announce, h } from './dom.js';
import { allows } from './incident_facts.js';

// `render()` shows the form while the server allows "summary" on ctx.incident (resolved, for a
// responder), and keeps what is being typed.
export function summaryPanel(ctx) {
  const element = h('div', {});

  async function render() {
    if (!allows(ctx.incident, 'summary')) {
      element.replaceChildren();
      return;
    }
    if (element.firstChild) return;  // keep what the responder is typing
    let saved = null;
    try { saved = await api('GET', `/v1/incidents/${ctx.id}/summary`); } catch (e) { saved = null; }
    if (element.firstChild) return;
    const users = (await api('GET', '/v1/users').catch(() => ({ users: [] }))).users;
    drawForm(saved, users);
  }

  function drawForm(saved, users) {
    const text = (name, label) => [h('label', { for: `s-${name}` }, label),
      h('textarea', { id: `s-${name}`, name, 'aria-describedby': `s-${name}-error` }),
      h('p', { class: 'field-error', id: `s-${name}-error` })];
    const rows = h('div', { class: 'followup-rows' });
    let n = 0;
    function addRow(fu) {
      const i = n++;
      const owner = h('select', { id: `s-fu-${i}-owner`, 'aria-describedby': `s-fu-${i}-owner-error` },
        users.map((u) => h('option', { value: u.id, selected: fu && fu.owner === u.id }, u.name ? `${u.name} (${u.id})` : u.id)));
      const row = h('fieldset', { class: 'followup-row', 'data-row': i },
        h('legend', {}, `Follow-up ${i + 1}`),
        h('label', { for: `s-fu-${i}-title` }, 'Title'),
        h('input', { id: `s-fu-${i}-title`, type: 'text', value: fu ? fu.title : '', 'aria-describedby': `s-fu-${i}-title-error` }),
        h('p', { class: 'field-error', id: `s-fu-${i}-title-error` }),
        h('label', { for: `s-fu-${i}-owner` }, 'Owner'), owner,
        h('p', { class: 'field-error', id: `s-fu-${i}-owner-error` }),
        h('label', { for: `s-fu-${i}-due` }, 'Due'),
        h('input', { id: `s-fu-${i}-due`, type: 'date', value: fu && fu.due ? fu.due.slice(0, 10) : '', 'aria-describedby': `s-fu-${i}-due-error` }),
        h('p', { class: 'field-error', id: `s-fu-${i}-due-error` }));
      rows.append(row);
    }
    const formError = h('div', { class: 'banner', role: 'alert' });
    const form = h('form', { novalidate: true, 'aria-labelledby': 'summary-title' },
      h('h2', { id: 'summary-title' }, 'Final summary'),
      h('p', { class: 'hint' }, 'Required before the incident can close.'), formError,
      text('root_cause', 'Root cause'), text('customer_impact', 'Customer impact'),
      text('remediation', 'Remediation actions'), rows,
      h('button', { type: 'button', class: 'quiet', onclick: () => addRow(null) }, 'Add a follow-up'),
      text('no_followups_reason', 'No follow-ups because (only without follow-ups)'),
      h('button', { type: 'submit' }, 'Save final summary'));
    element.replaceChildren(h('section', { class: 'panel' }, form));
    for (const name of ['root_cause', 'customer_impact', 'remediation', 'no_followups_reason']) {
      if (saved && saved[name]) $(`s-${name}`).value = saved[name];
    }
    const savedFollowups = saved && saved.followups && saved.followups.length ? saved.followups : [null];
    savedFollowups.forEach(addRow);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      submit(form, rows, formError);
    });
  }

  async function submit(form, rows, formError) {
    form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
    form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
    formError.textContent = '';
    const body = {};
    for (const name of ['root_cause', 'customer_impact', 'remediation']) body[name] = $(`s-${name}`).value.trim();
    const reason = $('s-no_followups_reason').value.trim();
    if (reason) body.no_followups_reason = reason;
    body.followups = [];
    const ids = [];
    for (const row of rows.children) {
      const i = row.dataset.row;
      const title = $(`s-fu-${i}-title`).value.trim();
      const due = $(`s-fu-${i}-due`).value;
      if (!title && !due) continue;
      ids.push(i);
      body.followups.push({ title, owner: $(`s-fu-${i}-owner`).value, due });
    }
    try {
      await api('PUT', `/v1/incidents/${ctx.id}/summary`, body);
      announce(`Final summary of ${ctx.id} saved`);
      await ctx.reload();
    } catch (e) {
      if (e.status === 401) return;
      let first = null;
      for (const fe of (e.problem && e.problem.errors) || []) {
        const parts = String(fe.pointer || '').split('/').filter(Boolean);
        let target = null;
        if (parts[0] === 'followups' && parts.length === 3 && ids[Number(parts[1])] !== undefined) {
          target = `s-fu-${ids[Number(parts[1])]}-${parts[2]}`;
        } else if (parts.length === 1 && $(`s-${parts[0]}`)) {
          target = `s-${parts[0]}`;
        } else if (parts[0] === 'followups') {
          target = 's-no_followups_reason';
        }
        if (target && $(`${target}-error`)) {
          $(`${target}-error`).textContent = fe.detail;
          $(target).setAttribute('aria-invalid', 'true');
          if (!first) first = $(target);
        }
      }
      if (first) first.focus();
      else formError.textContent = e.message;
    }
  }

  return { element, render };
}
