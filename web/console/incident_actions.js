// The incident page's action buttons (acknowledge, escalate now, take command, mitigate, resolve,
// close, change severity) and the form that resolves despite a refused recovery check.
import { api, session } from './api.js';
import { announce, h } from './dom.js';
import { allows } from './incident_facts.js';
import { SEVERITIES } from './settings.js';

// The actions of the incident `ctx.id` (see incident.js for ctx). `elements` go into the page;
// `act(path, body, done)` posts to /v1/incidents/{id}/{path}, says `done`, and reloads the page;
// `render()` draws the buttons for ctx.incident.
export function actionsPanel(ctx) {
  const overrideBox = h('div', {});
  const actions = h('div', {});
  const id = ctx.id;

  async function act(path, body, done) {
    ctx.actionError.textContent = '';
    const buttons = actions.querySelectorAll('button');
    buttons.forEach((b) => { b.disabled = true; });
    try {
      await api('POST', `/v1/incidents/${id}/${path}`, body || {});
      overrideBox.replaceChildren();
      announce(done);
      await ctx.reload();
    } catch (e) {
      if (e.status !== 401) ctx.actionError.textContent = e.message;
      const gate = ((e.problem && e.problem.errors) || [])
        .filter((fe) => String(fe.pointer || '').startsWith('/recovery/'));
      if (path === 'resolve' && e.status === 409 && gate.length > 0) renderOverride(gate);
    } finally {
      buttons.forEach((b) => { b.disabled = false; });
    }
  }

  // The buttons of the commands the server allows now (allowed_actions, by route name); "Take
  // command" only for someone who does not command the incident already.
  function render() {
    const incident = ctx.incident;
    const btn = (label, path, done, body) =>
      h('button', { type: 'button', onclick: () => act(path, body, `${id} ${done}`) }, label);
    const list = [];
    if (allows(incident, 'acknowledge')) list.push(btn('Acknowledge', 'acknowledge', 'acknowledged'));
    if (allows(incident, 'escalate')) list.push(btn('Escalate now', 'escalate', 'escalated: the next step is paged'));
    if (allows(incident, 'commander') && incident.commander !== session().actor) {
      list.push(btn('Take command', 'commander', 'is commanded by you', { commander: session().actor }));
    }
    if (allows(incident, 'mitigate')) list.push(btn('Mitigate', 'mitigate', 'mitigated'));
    if (allows(incident, 'resolve')) list.push(btn('Resolve', 'resolve', 'resolved'));
    if (allows(incident, 'close')) list.push(btn('Close', 'close', 'closed'));
    if (allows(incident, 'severity')) {
      const select = h('select', { id: 'new-severity' },
        SEVERITIES.map((v) => h('option', { value: v, selected: v === incident.severity }, v)));
      list.push(h('div', { class: 'severity' },
        h('div', {}, h('label', { for: 'new-severity' }, 'Severity'), select),
        h('button', { type: 'button', class: 'quiet', onclick: () =>
          act('severity', { severity: select.value }, `severity is ${select.value}`) },
        'Change severity')));
    }
    if (list.length === 0) {  // a viewer, or nothing to do
      actions.replaceChildren();
      return;
    }
    const focused = document.activeElement && actions.contains(document.activeElement)
      ? document.activeElement.textContent : null;
    actions.replaceChildren(h('div', { class: 'actions', role: 'group', 'aria-label': 'Actions' }, list));
    if (focused) {
      const again = [...actions.querySelectorAll('button')].find((b) => b.textContent === focused);
      if (again) again.focus();
    }
  }

  // The recovery gate refused a resolve (docs/playbook-availability.md): what failed, and a
  // written reason to resolve anyway.
  function renderOverride(failed) {
    const reason = h('textarea', { id: 'override-reason', name: 'override_reason', required: true,
                                   'aria-describedby': 'override-reason-error' });
    const error = h('p', { class: 'field-error', id: 'override-reason-error' });
    const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'override-title' },
      h('h2', { id: 'override-title' }, 'Recovery not verified'),
      h('ul', {}, failed.map((fe) => h('li', {}, fe.detail))),
      h('label', { for: 'override-reason' }, 'Reason to resolve anyway'), reason, error,
      h('button', { type: 'submit' }, 'Resolve anyway'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!reason.value.trim()) {
        error.textContent = 'Required: the reason is recorded in the timeline.';
        reason.setAttribute('aria-invalid', 'true');
        reason.focus();
        return;
      }
      act('resolve', { override_reason: reason.value.trim() }, `${id} resolved (recovery overridden)`);
    });
    overrideBox.replaceChildren(form);
    reason.focus();
  }

  return { elements: [overrideBox, actions], act, render };
}
