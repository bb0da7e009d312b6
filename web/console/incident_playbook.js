// The availability playbook of the incident page (docs/playbook-availability.md): the runbook's
// steps, the dominant signal of the latest probe round with its evidence and mitigations, the
// recovery check, and "Probe now".
import { factList, h } from './dom.js';
import { allows } from './incident_facts.js';
import { fmtTime } from './time.js';

// `render(playbook)` draws the incident's `playbook` object (GET /v1/incidents/{id}) into `element`.
export function playbookPanel(ctx) {
  const element = h('div', {});

  function render(p) {
    if (!p || p.kind !== 'availability') {
      element.replaceChildren();
      return;
    }
    const items = [];
    if (!p.probe) {
      items.push(h('p', { class: 'muted' }, 'This service names no LOOM node to probe (services[].probe).'));
    } else if (!p.latest) {
      items.push(h('p', { class: 'muted' }, 'No probe round yet.'));
    } else {
      items.push(...latestRound(p));
    }
    if (p.recovery) {
      items.push(h('p', { class: p.recovery.passed ? 'ok' : 'nobody' },
        p.recovery.passed ? 'Recovery verified: resolve is allowed.'
          : `Recovery not verified: ${(p.recovery.failures || []).join('; ')}`));
    }
    const probe = p.probe && allows(ctx.incident, 'probe')
      ? h('button', { type: 'button', class: 'quiet', onclick: () => ctx.act('probe', {}, `${ctx.id} probed`) },
        'Probe now') : null;
    element.replaceChildren(h('section', { class: 'panel', 'aria-labelledby': 'playbook-title' },
      h('h2', { id: 'playbook-title' }, 'Availability playbook'),
      h('ol', { class: 'steps' }, (p.steps || []).map((x) => h('li', {}, x))), items, probe));
  }

  return { element, render };
}

// The latest probe round of playbook `p`: its facts, evidence, mitigations and errors.
function latestRound(p) {
  const r = p.latest;
  const items = [factList([
    ['Last probe', `${fmtTime(r.at)} (${r.trigger}) · ${r.healthy ? 'healthy' : 'unhealthy'}`
      + (r.unchanged ? ` · unchanged ×${r.unchanged.rounds} through ${fmtTime(r.unchanged.through)}` : '')],
    ['/ready', r.ready && r.ready.status ? String(r.ready.status) : 'no answer'],
    ['Dominant signal', p.dominant_signal_title
      ? h('strong', { class: 'signal', 'data-signal': p.dominant_signal }, p.dominant_signal_title) : 'none'],
  ])];
  if ((p.evidence || []).length) {
    items.push(h('h3', {}, 'Evidence'), h('ul', {}, p.evidence.map((x) => h('li', {}, x))));
  }
  if ((p.mitigations || []).length) {
    items.push(h('h3', {}, 'Mitigations'), h('ul', {}, p.mitigations.map((x) => h('li', {}, x))));
  }
  if ((r.errors || []).length) {
    items.push(h('h3', {}, 'Probe errors'), h('ul', {}, r.errors.map((x) => h('li', {}, x))));
  }
  return items;
}
