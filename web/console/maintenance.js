// Maintenance windows ("#/maintenance", docs/console.md "Maintenance", docs/maintenance.md): the
// active, scheduled and past windows (GET /v1/maintenance), "End now" on an active one and
// "Delete" on one not yet started, and a form to schedule one (POST /v1/maintenance); writes
// need the responder role. Also the banner an incident of a service in maintenance shows
// (maintenanceBanner, used by incident.js).
import { api, canWrite } from './api.js';
import { announce, h, setMain } from './dom.js';
import { clearErrors, labelled, placeProblem } from './forms.js';
import { settings } from './settings.js';
import { countdown, fmtTime } from './time.js';

// The banner of an incident whose service is in maintenance (incident.maintenance), or null.
export function maintenanceBanner(incident) {
  const m = incident.maintenance;
  if (!m) return null;
  return h('div', { class: 'banner maintenance', role: 'status', 'data-maintenance': m.windows.join(',') },
    h('strong', {}, 'In maintenance'), ` until ${fmtTime(m.until)} (`, countdown(Date.parse(m.until)), `): ${m.reason}. `,
    'No one is paged and no escalation step fires; if the incident is still triggered when the window ends, its escalation starts then. ',
    h('a', { href: '#/maintenance' }, 'Maintenance windows'));
}

export function maintenanceView() {
  const error = h('div', { class: 'banner', role: 'alert' });
  const lists = h('div', { 'aria-busy': 'true' });
  const formBox = h('div');
  setMain(h('h1', { tabindex: '-1' }, 'Maintenance'), error, lists, formBox);
  document.title = 'Maintenance · loom-oncall';
  let last = '';

  async function act(method, path, done) {
    error.textContent = '';
    try {
      await api(method, path);
      announce(done);
      last = '';
      await refresh();
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }

  function table(caption, windows, group) {
    const cols = ['Window', 'Services', 'When', 'Reason', 'By', ''];
    const rows = windows.map((w) => h('tr', { 'data-window': w.id, 'data-state': w.state },
      h('th', { scope: 'row' }, `#${w.id}`, w.source === 'config' ? ` (${w.config_id}, configuration)` : ''),
      h('td', {}, w.services.join(', ')),
      h('td', {}, when(w, group)),
      h('td', {}, w.reason),
      h('td', {}, by(w)),
      h('td', {}, ...buttons(w, group))));
    return h('section', { 'aria-label': caption },
      h('h2', {}, caption),
      windows.length
        ? h('table', { class: 'maintenance', 'data-group': group },
          h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, rows))
        : h('p', { class: 'muted' }, `No ${group} windows.`));
  }

  function when(w, group) {
    const weekly = w.weekly ? `every ${w.weekly.days} ${w.weekly.from}–${w.weekly.to} ${w.weekly.time_zone}; ` : '';
    if (!w.start) return weekly || '—';
    if (group === 'active') return h('span', {}, weekly, 'until ', fmtTime(w.end), ' (', countdown(Date.parse(w.end)), ')');
    if (group === 'scheduled') return h('span', {}, weekly, fmtTime(w.start), ' – ', fmtTime(w.end));
    return h('span', {}, weekly, fmtTime(w.start), ' – ', fmtTime(w.ended_at || w.end));
  }

  function by(w) {
    if (w.cancelled_by) return `scheduled by ${w.created_by}, deleted by ${w.cancelled_by}`;
    if (w.ended_by) return `scheduled by ${w.created_by}, ended early by ${w.ended_by}`;
    return `scheduled by ${w.created_by}`;
  }

  function buttons(w, group) {
    if (!canWrite()) return [];
    if (group === 'active') {
      return [h('button', { type: 'button', 'data-end': w.id,
        onclick: () => act('POST', `/v1/maintenance/${w.id}/end`, `Maintenance window ${w.id} ended`) }, 'End now')];
    }
    if (group === 'scheduled' && w.source !== 'config') {
      return [h('button', { type: 'button', class: 'quiet', 'data-delete': w.id,
        onclick: () => act('DELETE', `/v1/maintenance/${w.id}`, `Maintenance window ${w.id} deleted`) }, 'Delete')];
    }
    return [];
  }

  async function refresh() {
    try {
      const data = await api('GET', '/v1/maintenance');
      const text = JSON.stringify(data);
      if (text === last) return;
      last = text;
      lists.replaceChildren(
        table('Active', data.active, 'active'),
        table('Scheduled', data.scheduled, 'scheduled'),
        table('Past', data.past, 'past'));
      lists.setAttribute('aria-busy', 'false');
      if (canWrite() && !formBox.firstChild) formBox.append(scheduleForm(refresh));
      error.textContent = '';
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}

// "Schedule a window": services (checkboxes of settings.services), a start (empty: now), a length
// or an end, and a reason → POST /v1/maintenance; `reload()` redraws the lists.
function scheduleForm(reload) {
  const services = h('fieldset', { id: 'm-services', class: 'checks' },
    h('legend', {}, 'Services'),
    ...settings.services.map((s) => h('label', {},
      h('input', { type: 'checkbox', name: 'service', value: s }), ` ${s}`)),
    h('p', { class: 'field-error', id: 'm-services-error' }));
  const start = h('input', { id: 'm-start', type: 'datetime-local' });
  const duration = h('input', { id: 'm-duration', type: 'text', value: '1h' });
  const end = h('input', { id: 'm-end', type: 'datetime-local' });
  const reason = h('input', { id: 'm-reason', type: 'text' });
  const formError = h('div', { class: 'banner', role: 'alert' });
  const done = h('p', { role: 'status', class: 'ok' });
  const button = h('button', { type: 'submit' }, 'Schedule maintenance');
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'm-form-title' },
    h('h2', { id: 'm-form-title' }, 'Schedule a maintenance window'),
    h('p', { class: 'hint' }, 'Incidents of these services still open and are recorded, but no one is paged until the window ends.'),
    formError, services,
    labelled('Start', start, 'Optional; empty starts it now. Your browser\'s time zone.'),
    labelled('Length', duration, 'e.g. 30m, 2h; or give an end instead.'),
    labelled('End', end, 'Optional; instead of the length.'),
    labelled('Reason', reason),
    button, done);
  const ids = { '/services': 'm-services', '/start': 'm-start', '/duration': 'm-duration',
                '/end': 'm-end', '/reason': 'm-reason' };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    formError.textContent = '';
    done.textContent = '';
    const body = {
      services: [...services.querySelectorAll('input:checked')].map((c) => c.value),
      reason: reason.value.trim(),
    };
    if (start.value) body.start = new Date(start.value).toISOString();
    if (end.value) body.end = new Date(end.value).toISOString();
    else body.duration = duration.value.trim();
    button.disabled = true;
    try {
      const w = await api('POST', '/v1/maintenance', body);
      reason.value = '';
      done.textContent = `Maintenance window #${w.id} scheduled on ${w.services.join(', ')}: ${fmtTime(w.start)} – ${fmtTime(w.end)}.`;
      announce(`Maintenance window ${w.id} scheduled`);
      await reload();
    } catch (e) {
      placeProblem(e, formError, (p) => ids[p.replace(/\/\d+$/, '')] || null);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
