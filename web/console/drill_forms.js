// The forms of the drills page (docs/drills.md): starting a drill, and finishing one with its
// notes and follow-ups.
import { api } from './api.js';
import { $, announce, h } from './dom.js';
import { clearErrors, commaList, labelled, lines, placeProblem } from './forms.js';
import { userLabel } from './people.js';
import { SEVERITIES, settings } from './settings.js';

// "Start a drill": the next one due (GET /v1/drills `d`) preselected, a commander from `users`;
// `reload()` redraws the page once the drill started.
export function startDrillForm(d, users, reload) {
  const select = (id, options, value) => h('select', { id, name: id },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  const scenario = select('d-scenario', [['availability', 'Availability'], ['security', 'Security']], d.next.scenario);
  const service = select('d-service', settings.services.map((s) => [s, s]), d.schedule.service);
  const severity = select('d-severity', SEVERITIES.map((s) => [s, s]), 'sev1');
  const commander = select('d-commander', [['', 'Nobody yet'], ...users.map((u) => [u.id, userLabel(u)])], '');
  const title = h('input', { id: 'd-title', name: 'title', type: 'text' });
  const participants = h('input', { id: 'd-participants', name: 'participants', type: 'text' });
  const formError = h('div', { class: 'banner', role: 'alert' });
  const done = h('p', { role: 'status', class: 'ok' });
  const button = h('button', { type: 'submit' }, 'Start drill');
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'start-drill-title' },
    h('h2', { id: 'start-drill-title' }, 'Start a drill'),
    h('p', { class: 'hint' }, 'The drill is an incident flagged drill: it pages like a real one, every message says [DRILL].'),
    formError,
    labelled('Scenario', scenario), labelled('Service', service), labelled('Severity', severity),
    labelled('Title', title, 'Optional; default "<severity> <scenario> tabletop drill".'),
    labelled('Commander', commander),
    labelled('Participants', participants, 'Optional; names or teams, separated by commas.'),
    button, done);
  const ids = { '/scenario': 'd-scenario', '/service': 'd-service', '/severity': 'd-severity',
                '/title': 'd-title', '/commander': 'd-commander', '/participants': 'd-participants' };
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    formError.textContent = '';
    done.textContent = '';
    const body = { scenario: scenario.value, service: service.value, severity: severity.value };
    if (title.value.trim()) body.title = title.value.trim();
    if (commander.value) body.commander = commander.value;
    const who = commaList(participants.value);
    if (who.length) body.participants = who;
    button.disabled = true;
    try {
      const drill = await api('POST', '/v1/drills', body);
      title.value = '';
      participants.value = '';
      done.replaceChildren(`Drill started: `, h('a', { href: `#/incidents/${drill.id}` }, `${drill.id} · ${drill.title}`));
      announce(`Drill ${drill.id} started`);
      await reload();
    } catch (e) {
      placeProblem(e, formError, (p) => ids[p.replace(/\/\d+$/, '')] || null);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

// "Finish <drill>" in `box`: what worked, gaps, participants and follow-ups (owners suggested
// from `users`) → POST /v1/drills/{id}/finish; then `box` says where the notes were written and
// `finished()` runs.
export function finishDrillForm(box, drill, users, finished) {
  const rows = h('div');
  let n = 0;
  function addRow() {
    const i = n++;
    rows.append(h('fieldset', { class: 'followup-row', 'data-row': i },
      h('legend', {}, `Follow-up ${i + 1}`),
      labelled('Title', h('input', { id: `df-${i}-title`, type: 'text' })),
      labelled('Owner', h('input', { id: `df-${i}-owner`, type: 'text', list: 'drill-owners', autocomplete: 'off' }),
        'A configured user (tracked, with reminders) or a team name (kept in the notes only).'),
      labelled('Due', h('input', { id: `df-${i}-due`, type: 'date' }))));
  }
  const worked = h('textarea', { id: 'df-worked', name: 'what_worked' });
  const gaps = h('textarea', { id: 'df-gaps', name: 'gaps' });
  const participants = h('input', { id: 'df-participants', name: 'participants', type: 'text' });
  const formError = h('div', { class: 'banner', role: 'alert' });
  const button = h('button', { type: 'submit' }, 'Finish drill and write notes');
  const form = h('form', { class: 'panel', novalidate: true, 'aria-labelledby': 'finish-drill-title',
                           'data-finish': drill.id },
    h('h2', { id: 'finish-drill-title' }, `Finish ${drill.id}`),
    h('p', { class: 'hint' }, 'Resolves and closes the drill and writes its notes file.'), formError,
    labelled('What worked', worked, 'One item per line.'),
    labelled('Gaps', gaps, 'One item per line.'),
    labelled('More participants', participants, 'Optional; separated by commas.'),
    h('datalist', { id: 'drill-owners' }, users.map((u) => h('option', { value: u.id }, userLabel(u)))),
    h('div', { id: 'df-followups', tabindex: '-1' }, rows),
    h('p', { class: 'field-error', id: 'df-followups-error' }),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'quiet', onclick: addRow }, 'Add a follow-up'),
      h('button', { type: 'button', class: 'quiet', onclick: () => box.replaceChildren() }, 'Cancel'),
      button));
  addRow();
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    formError.textContent = '';
    const body = { what_worked: lines(worked.value), gaps: lines(gaps.value),
                   participants: commaList(participants.value), followups: [] };
    const sent = [];  // row number of each follow-up sent
    for (const row of rows.children) {
      const i = row.dataset.row;
      const item = { title: $(`df-${i}-title`).value.trim(), owner: $(`df-${i}-owner`).value.trim(),
                     due: $(`df-${i}-due`).value };
      if (!item.title && !item.owner && !item.due) continue;
      sent.push(i);
      body.followups.push(item);
    }
    button.disabled = true;
    try {
      const r = await api('POST', `/v1/drills/${encodeURIComponent(drill.id)}/finish`, body);
      box.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'finished-title' },
        h('h2', { id: 'finished-title', tabindex: '-1' }, `${drill.id} finished`),
        h('p', { role: 'status' }, `Notes written to ${r.notes_path}.`),
        r.followups.length ? h('p', {}, `Tracked follow-ups: ${r.followups.join(', ')}.`) : null,
        r.followups_not_tracked.length
          ? h('p', {}, `In the notes only (owner is not a configured user): ${r.followups_not_tracked.join('; ')}.`) : null));
      $('finished-title').focus();
      announce(`${drill.id} finished; notes written`);
      await finished();
    } catch (e) {
      placeProblem(e, formError, (p) => {
        const parts = p.split('/').filter(Boolean);
        if (parts[0] === 'followups' && parts.length === 3 && sent[Number(parts[1])] !== undefined) {
          return `df-${sent[Number(parts[1])]}-${parts[2]}`;
        }
        if (parts[0] === 'followups') return 'df-followups';
        return { what_worked: 'df-worked', gaps: 'df-gaps', participants: 'df-participants' }[parts[0]] || null;
      });
    } finally {
      button.disabled = false;
    }
  });
  box.replaceChildren(form);
  worked.focus();
}
