// My profile ("#/profile", docs/console.md "My profile", docs/profile.md): the signed-in person's
// contact methods — the configuration file's read-only, their own with verify (the 6-digit code
// sent through the method), send a new code, send a test, delete — a form to add one, and their
// notification rules (GET/POST/DELETE /v1/users/{id}/contact-methods..., PUT
// /v1/users/{id}/notification-rules), and who changed them (GET /v1/users/{id}/contact-history).
// Only the lists refresh; the forms keep what is typed.
import { api, session } from './api.js';
import { announce, h, setMain } from './dom.js';

function keysText(keys) {
  return Object.entries(keys || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
}

// "type key=value key=value" → {type, key: value}.
function parseKeys(text) {
  const body = {};
  for (const part of text.trim().split(/\s+/).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq > 0) body[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return body;
}

// One change of the history as words: "added phone-hook (webhook)", "replaced the notification rules".
const CHANGE_VERBS = { method_added: 'added', method_verified: 'verified', method_deleted: 'deleted' };
function changeText(c) {
  if (c.action === 'rules_replaced') return 'replaced the notification rules';
  return `${CHANGE_VERBS[c.action] || c.action} ${c.method} (${c.type})`;
}

function rulesText(list) {
  return (list || []).map((r) => `${r.method}@${r.after}`).join(' ');
}

// "hook@0s mail@5m" → [{method, after}].
function parseRules(text) {
  return text.trim().split(/\s+/).filter(Boolean).map((part) => {
    const [method, after] = part.split('@');
    return after ? { method, after } : { method };
  });
}

export function profileView() {
  const s = session();
  const user = s && s.user;
  const base = `/v1/users/${encodeURIComponent(user || '')}`;
  const error = h('div', { class: 'banner', role: 'alert' });
  const list = h('div', { 'aria-busy': 'true' });
  const history = h('div', {});
  const rules = { high: h('input', { id: 'rules-high', size: 40 }), low: h('input', { id: 'rules-low', size: 40 }) };
  const typeInput = h('input', { id: 'method-type', required: true, placeholder: 'webhook' });
  const idInput = h('input', { id: 'method-id', placeholder: 'phone-hook (optional)' });
  const keysInput = h('input', { id: 'method-keys', size: 50, placeholder: 'url=https://hooks.example.com/me' });
  let rulesLoaded = false;

  async function act(fn, done) {
    try {
      const out = await fn();
      error.textContent = '';
      if (done) announce(done(out));
      await refresh();
    } catch (e) {
      error.textContent = e.message;
    }
  }

  function methodRow(m) {
    const actions = [];
    if (m.source === 'api') {
      if (!m.verified) {
        const code = h('input', { 'aria-label': `Code for ${m.id}`, inputmode: 'numeric', size: 7, 'data-code': m.id });
        actions.push(code, h('button', {
          type: 'button',
          onclick: () => act(() => api('POST', `${base}/contact-methods/${m.id}/verify`, { code: code.value }), () => `${m.id} verified`),
        }, 'Verify'), h('button', {
          type: 'button',
          onclick: () => act(() => api('POST', `${base}/contact-methods/${m.id}/send-code`), () => `A new code was sent to ${m.id}`),
        }, 'Send a new code'));
      }
      actions.push(h('button', {
        type: 'button',
        onclick: () => act(() => api('DELETE', `${base}/contact-methods/${m.id}`), () => `${m.id} deleted`),
      }, 'Delete'));
    }
    if (m.verified) {
      actions.push(h('button', {
        type: 'button',
        onclick: () => act(() => api('POST', `${base}/contact-methods/${m.id}/test`), () => `A test notification was sent to ${m.id}`),
      }, 'Send a test'));
    }
    const state = m.source === 'config' ? 'from the configuration file' : (m.verified ? 'verified' : 'not verified (never paged)');
    return h('tr', { 'data-method': m.id, 'data-verified': String(m.verified) },
      h('th', { scope: 'row' }, m.id), h('td', {}, m.type), h('td', {}, keysText(m.keys)),
      h('td', {}, state), h('td', {}, ...actions));
  }

  async function refresh() {
    if (!user) {
      list.replaceChildren(h('p', { class: 'muted' }, 'A token that is bound to no person has no profile.'));
      return;
    }
    try {
      const out = await api('GET', `${base}/contact-methods`);
      const cols = ['Method', 'Type', 'Where', 'State', ''];
      list.replaceChildren(h('table', { class: 'contact-methods' },
        h('thead', {}, h('tr', {}, ...cols.map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, out.contact_methods.map(methodRow))));
      list.setAttribute('aria-busy', 'false');
      if (!rulesLoaded) {
        rules.high.value = rulesText(out.notification_rules.high);
        rules.low.value = rulesText(out.notification_rules.low);
        rulesLoaded = true;
      }
      const changes = (await api('GET', `${base}/contact-history`)).changes;
      history.replaceChildren(changes.length === 0
        ? h('p', { class: 'muted' }, 'No changes through the API or the console yet.')
        : h('table', { class: 'contact-history' },
          h('thead', {}, h('tr', {}, ...['When', 'Who', 'What'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, changes.map((c) => h('tr', { 'data-action': c.action },
            h('td', {}, h('time', { datetime: c.at }, new Date(c.at).toLocaleString())),
            h('td', {}, c.actor), h('td', {}, changeText(c)))))));
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }

  const addForm = h('form', {
    onsubmit: (ev) => {
      ev.preventDefault();
      const body = { type: typeInput.value.trim(), ...parseKeys(keysInput.value) };
      if (idInput.value.trim()) body.id = idInput.value.trim();
      act(() => api('POST', `${base}/contact-methods`, body),
        (m) => (m.code_sent ? `A code was sent to ${m.id}: enter it below` : `${m.id} added; the code was not sent: ${m.send_error}`));
    },
  }, h('label', { for: 'method-type' }, 'Type'), typeInput,
  h('label', { for: 'method-id' }, 'Id'), idInput,
  h('label', { for: 'method-keys' }, 'Keys'), keysInput,
  h('button', { type: 'submit' }, 'Add and send a code'));

  const rulesForm = h('form', {
    onsubmit: (ev) => {
      ev.preventDefault();
      act(() => api('PUT', `${base}/notification-rules`, { high: parseRules(rules.high.value), low: parseRules(rules.low.value) }),
        () => 'Notification rules saved');
    },
  }, h('label', { for: 'rules-high' }, 'High urgency (method@after …)'), rules.high,
  h('label', { for: 'rules-low' }, 'Low urgency'), rules.low,
  h('button', { type: 'submit' }, 'Save rules'));

  setMain(h('h1', { tabindex: '-1' }, 'My profile'), error, list,
    h('h2', {}, 'Add a contact method'), addForm,
    h('h2', {}, 'Notification rules'), rulesForm,
    h('h2', {}, 'History'), history);
  document.title = 'My profile · loom-oncall';
  return { refresh };
}
