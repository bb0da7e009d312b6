// The status update form of the incident page (runbook "Communications"): impact, scope,
// mitigation and the next update time, all four required.
import { api } from './api.js';
import { $, announce, h } from './dom.js';
import { allows } from './incident_facts.js';
import { rule } from './settings.js';

const UPDATE_FIELDS = ['impact', 'scope', 'mitigation', 'next_update_at'];

// `render()` shows the form while the server allows status updates on ctx.incident (and keeps
// what is being typed).
export function statusUpdatePanel(ctx) {
  const element = h('div', {});

  function render() {
    const incident = ctx.incident;
    if (!allows(incident, 'updates')) {
      element.replaceChildren();
      return;
    }
    if (element.firstChild) return;  // keep what the responder is typing
    const r = rule(incident.severity);
    const formError = h('div', { class: 'banner', role: 'alert' });
    const submit = h('button', { type: 'submit' }, 'Post status update');
    const form = h('form', { novalidate: true, 'aria-labelledby': 'update-title' },
      h('h2', { id: 'update-title' }, 'Status update'),
      formError,
      field('impact', 'Impact', control('textarea', 'impact'), null),
      field('scope', 'Scope', control('input', 'scope', { attrs: { type: 'text' } }), null),
      field('mitigation', 'Mitigation', control('textarea', 'mitigation'), null),
      field('next_update_at', 'Next update time',
        control('input', 'next_update_at', { attrs: { type: 'datetime-local' }, hint: true }),
        r && !r.update_async
          ? `Your local time, at most ${Math.round(r.update_cadence_seconds / 60)} minutes from now (${incident.severity} cadence).`
          : 'Your local time.'),
      submit);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      formError.textContent = '';
      const values = {};
      const errors = {};
      for (const name of UPDATE_FIELDS) {
        const el = $(`u-${name}`);
        values[name] = el.value.trim();
        if (!values[name]) errors[name] = 'Required.';
      }
      if (values.next_update_at && Number.isNaN(Date.parse(values.next_update_at))) {
        errors.next_update_at = 'Enter a date and time.';
      }
      if (!showFieldErrors(errors)) return;
      submit.disabled = true;
      try {
        await api('POST', `/v1/incidents/${ctx.id}/updates`, {
          impact: values.impact, scope: values.scope, mitigation: values.mitigation,
          next_update_at: new Date(values.next_update_at).toISOString(),
        });
        form.reset();
        announce(`Status update posted to ${ctx.id}`);
        await ctx.reload();
      } catch (e) {
        const byField = {};
        for (const fe of (e.problem && e.problem.errors) || []) {
          const name = (fe.pointer || '').replace(/^\//, '');
          if (UPDATE_FIELDS.includes(name)) byField[name] = fe.detail;
        }
        if (Object.keys(byField).length > 0) showFieldErrors(byField);
        else if (e.status !== 401) formError.textContent = e.message;
      } finally {
        submit.disabled = false;
      }
    });
    element.replaceChildren(h('section', { class: 'panel' }, form));
  }

  return { element, render };
}

// [label, control, hint?, error] of the field `name`.
function field(name, label, ctl, hint) {
  return [
    h('label', { for: `u-${name}` }, label),
    ctl,
    hint ? h('p', { class: 'hint', id: `u-${name}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `u-${name}-error` }),
  ];
}

// The required control of field `name`, described by its error (and hint when extra.hint).
function control(tag, name, extra) {
  return h(tag, { id: `u-${name}`, name, required: true,
    'aria-describedby': `u-${name}-error${extra && extra.hint ? ` u-${name}-hint` : ''}`,
    ...(extra ? extra.attrs : {}) });
}

// Shows `errors` ({field: message}) next to their fields; focuses the first. True when none.
function showFieldErrors(errors) {
  let first = null;
  for (const name of UPDATE_FIELDS) {
    const el = $(`u-${name}`);
    const msg = errors[name] || '';
    $(`u-${name}-error`).textContent = msg;
    if (msg) {
      el.setAttribute('aria-invalid', 'true');
      if (!first) first = el;
    } else {
      el.removeAttribute('aria-invalid');
    }
  }
  if (first) first.focus();
  return first === null;
}
