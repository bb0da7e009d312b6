// The schedules of the on-call page: every schedule's next two weeks as a shift timeline (a band
// from today 00:00 UTC, one segment per shift) with its overrides, and for responders a form to
// create an override and a button to delete one.
import { api, canWrite } from './api.js';
import { $, announce, h } from './dom.js';
import { person, userLabel } from './people.js';
import { fmtTime } from './time.js';

const DAY_MS = 24 * 3600 * 1000;

// `elements` go into the page (the schedules, then the override form); `render()` reloads them
// (errors are thrown to the caller); `error` is the page's banner, `refresh()` reloads the page.
export function schedulesPanel(error, refresh) {
  const schedules = h('div', { 'aria-busy': 'true' });
  const overrideForm = h('div');
  let users = null;  // GET /v1/users, once
  let scheduleIds = [];

  function userName(uid) {
    const u = (users || []).find((x) => x.id === uid);
    return u && u.name ? u.name : uid;
  }

  async function render() {
    if (users === null) users = (await api('GET', '/v1/users')).users;
    const list = (await api('GET', '/v1/schedules')).schedules;
    const from = new Date();
    from.setUTCHours(0, 0, 0, 0);
    const to = new Date(from.getTime() + 14 * DAY_MS);
    const window = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`;
    const sections = [];
    for (const schedule of list) {
      const id = encodeURIComponent(schedule.id);
      const [shifts, overrides] = await Promise.all([
        api('GET', `/v1/schedules/${id}/shifts?${window}`),
        api('GET', `/v1/schedules/${id}/overrides`)]);
      sections.push(scheduleSection(schedule, shifts.shifts, overrides.overrides, from, to));
    }
    schedules.replaceChildren(...(sections.length ? sections
      : [h('p', { class: 'muted' }, 'No schedules configured.')]));
    schedules.setAttribute('aria-busy', 'false');
    const ids = list.map((x) => x.id);
    if (canWrite() && ids.join() !== scheduleIds.join()) {
      scheduleIds = ids;
      overrideForm.replaceChildren(...(ids.length ? [createOverrideForm(ids, users, refresh)] : []));
    }
  }

  function scheduleSection(schedule, shifts, overrides, from, to) {
    const span = to - from;
    const pct = (t) => `${Math.max(0, Math.min(100, ((Date.parse(t) - from) / span) * 100)).toFixed(3)}%`;
    const segments = shifts.map((x) => h('div', {
      class: 'shift' + (x.user ? '' : ' gap') + (x.override ? ' override' : ''),
      'data-left': pct(x.start), 'data-right': pct(x.end),
      title: `${x.user ? userName(x.user) : 'nobody'}: ${fmtTime(x.start)} – ${fmtTime(x.end)}`,
    }, x.user ? userName(x.user) : 'nobody'));
    const days = [];
    for (let d = 0; d < 14; ++d) {
      const day = new Date(from.getTime() + d * DAY_MS);
      days.push(h('span', {}, day.toLocaleDateString(undefined, { day: 'numeric' })));
    }
    const band = h('div', { class: 'band', 'aria-hidden': 'true' }, segments);
    const rows = shifts.map((x) => h('tr', { class: x.user ? '' : 'gap-row' },
      h('td', {}, x.user ? userName(x.user) : h('span', { class: 'nobody' }, 'nobody')),
      h('td', {}, fmtTime(x.start)), h('td', {}, fmtTime(x.end)),
      h('td', {}, x.override ? 'override' : '')));
    const overrideRows = overrides.map((o) => h('li', { 'data-override': o.id },
      `${userName(o.user)} from ${fmtTime(o.from)} to ${fmtTime(o.to)} (by ${person(o.created_by)}) `,
      canWrite() ? h('button', { type: 'button', class: 'quiet', onclick: () => deleteOverride(schedule.id, o.id),
                                 'aria-label': `Delete override ${o.id}` }, 'Delete') : null));
    const section = h('section', { class: 'schedule', 'data-schedule': schedule.id,
                                   'aria-label': `Schedule ${schedule.id}` },
      h('h3', {}, `${schedule.id} `, h('span', { class: 'muted' }, `(${schedule.time_zone})`)),
      band, h('div', { class: 'days', 'aria-hidden': 'true' }, days),
      h('details', {}, h('summary', {}, shifts.length === 1 ? '1 shift' : `${shifts.length} shifts`),
        h('div', { class: 'table-scroll' }, h('table', {},
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Who'), h('th', { scope: 'col' }, 'From'),
                          h('th', { scope: 'col' }, 'To'), h('th', { scope: 'col' }, 'Override'))),
          h('tbody', {}, rows)))),
      overrides.length ? h('ul', { class: 'overrides', 'aria-label': `Overrides of ${schedule.id}` }, overrideRows) : null);
    // Positions through the CSSOM: the CSP forbids inline style attributes.
    for (const seg of band.children) {
      seg.style.left = seg.dataset.left;
      seg.style.width = `calc(${seg.dataset.right} - ${seg.dataset.left})`;
    }
    return section;
  }

  async function deleteOverride(schedule, overrideId) {
    try {
      await api('DELETE', `/v1/schedules/${encodeURIComponent(schedule)}/overrides/${overrideId}`);
      announce(`Override ${overrideId} deleted`);
      await refresh();
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }

  return { elements: [schedules, overrideForm], render };
}

// "Create an override" for one of the schedules `ids`, who takes over one of `users`; a
// refused field is marked next to it. `refresh()` reloads the page after.
function createOverrideForm(ids, users, refresh) {
  const field = (name, label, control) => [h('label', { for: `o-${name}` }, label), control,
    h('p', { id: `o-${name}-error`, class: 'field-error' })];
  const schedule = h('select', { id: 'o-schedule', name: 'schedule' },
    ids.map((x) => h('option', { value: x }, x)));
  const user = h('select', { id: 'o-user', name: 'user' },
    (users || []).map((u) => h('option', { value: u.id }, userLabel(u))));
  const fromInput = h('input', { id: 'o-from', name: 'from', type: 'datetime-local' });
  const toInput = h('input', { id: 'o-to', name: 'to', type: 'datetime-local' });
  const formError = h('p', { class: 'field-error', role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Create override');
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'override-title' },
    h('h2', { id: 'override-title' }, 'Create an override'),
    field('schedule', 'Schedule', schedule), field('user', 'Who takes over', user),
    field('from', 'From', fromInput), field('to', 'To', toInput), formError, button);
  const inputs = { from: fromInput, to: toInput, user, schedule };
  const invalid = (name, message) => {
    inputs[name].setAttribute('aria-invalid', 'true');
    inputs[name].setAttribute('aria-describedby', `o-${name}-error`);
    $(`o-${name}-error`).textContent = message;
  };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    formError.textContent = '';
    for (const [name, el] of Object.entries(inputs)) {
      el.removeAttribute('aria-invalid');
      $(`o-${name}-error`).textContent = '';
    }
    let bad = false;
    for (const name of ['from', 'to']) {
      if (!inputs[name].value) {
        invalid(name, 'Required.');
        bad = true;
      }
    }
    if (bad) return;
    button.disabled = true;
    try {
      await api('POST', `/v1/schedules/${encodeURIComponent(schedule.value)}/overrides`, {
        user: user.value, from: new Date(fromInput.value).toISOString(),
        to: new Date(toInput.value).toISOString() });
      announce(`Override created: ${user.value} on ${schedule.value}`);
      fromInput.value = '';
      toInput.value = '';
      await refresh();
    } catch (e) {
      if (e.status === 401) return;
      let placed = false;
      for (const fe of (e.problem && e.problem.errors) || []) {
        const name = String(fe.pointer || '').replace(/^\//, '');
        if (inputs[name]) {
          invalid(name, fe.detail || e.message);
          placed = true;
        }
      }
      if (!placed) formError.textContent = e.message;
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
