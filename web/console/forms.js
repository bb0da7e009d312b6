// Shared helpers of the console's forms (drills, review, evidence, overrides): labelled controls,
// field errors from a problem's `errors[]` next to their fields, and list inputs.
import { $, h } from './dom.js';

// [label, control, hint?, error]: the error paragraph has id `${control.id}-error` and the control
// is described by it (and by the hint).
export function labelled(label, control, hint) {
  const id = control.id;
  const described = [`${id}-error`, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', described);
  return [h('label', { for: id }, label), control,
    hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null,
    h('p', { class: 'field-error', id: `${id}-error` })];
}

export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((el) => { el.textContent = ''; });
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
}

// Marks the control `id` invalid with `message`; true when there is such a control.
export function markInvalid(id, message) {
  const el = $(id);
  const error = $(`${id}-error`);
  if (!el || !error) return false;
  error.textContent = message;
  el.setAttribute('aria-invalid', 'true');
  return true;
}

// Places the problem's field errors with `idOf(pointer)` (a control id or null); shows the rest in
// `banner`; focuses the first invalid control.
export function placeProblem(e, banner, idOf) {
  if (e.status === 401) return;
  let first = null;
  for (const fe of (e.problem && e.problem.errors) || []) {
    const id = idOf(String(fe.pointer || ''));
    if (id && markInvalid(id, fe.detail || e.message) && !first) first = $(id);
  }
  if (first) first.focus();
  else banner.textContent = e.message;
}

// The non-empty lines of `text`, trimmed.
export function lines(text) { return text.split('\n').map((x) => x.trim()).filter(Boolean); }
// The non-empty items of a comma-separated `text`, trimmed.
export function commaList(text) { return text.split(',').map((x) => x.trim()).filter(Boolean); }
