// My profile ("#/profile", docs/console.md "My profile", docs/profile.md): the signed-in person's
// contact methods — the configuration file's read-only, their own with verify (the 6-digit code
// sent through the method), send a new code, send a test, delete — a form to add one (one field
// per key of the chosen type, from the answer's "types": the server's channel table), and their
// notification rules (GET/POST/DELETE /v1/users/{id}/contact-methods..., PUT
// /v1/users/{id}/notification-rules), and who changed them (GET /v1/users/{id}/contact-history).
// Only the lists refresh; the forms keep what is typed.
import { api, session } from './api.js';
import { announce, h, setMain } from './dom.js';

function keysText(keys) {
  return Object.entries(keys || {}).map(([k, v]) => `${k}: ${v}`).join(', ');
}

// The label of a key of the channel table: "chat_id" → "Chat id", "token_env" → "Token
// (environment variable name)": a `*_env` key names a variable of the server, never the secret.
function keyLabel(key) {
  const words = key.name.replace(/_env$/, '').replace(/_/g, ' ');
  const text = words === 'url' ? 'URL' : words.charAt(0).toUpperCase() + words.slice(1);
  return key.env ? `${text} (environment variable name)` : text;
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
  const typeInput = h('select', { id: 'method-type', required: true });
  const idInput = h('input', { id: 'method-id', placeholder: 'phone-hook (optional)' });
  // One labelled field per key of the chosen type, as the server's channel table lists them
  // (the answer's "types").
  const keyFields = h('div', { class: 'method-keys' });
  let types = [];
  let keyInputs = [];
  function renderKeyFields() {
    const type = types.find((t) => t.type === typeInput.value);
    keyInputs = [];
    keyFields.replaceChildren(...((type && type.keys) || []).flatMap((key) => {
      const input = h('input', { id: `method-key-${key.name}`, name: key.name, size: 40, required: key.required });
      keyInputs.push(input);
      return [h('label', { for: input.id }, keyLabel(key) + (key.required ? '' : ' (optional)')), input];
    }));
  }
  typeInput.addEventListener('change', renderKeyFields);
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
      if (types.length === 0 && out.types) {
        types = out.types;
        typeInput.replaceChildren(...types.map((t) => h('option', { value: t.type, disabled: !t.usable },
          t.usable ? t.type : `${t.type} (${t.problem})`)));
        const first = types.find((t) => t.usable);
        if (first) typeInput.value = first.type;
        renderKeyFields();
      }
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
      const body = { type: typeInput.value };
      for (const input of keyInputs) if (input.value.trim()) body[input.name] = input.value.trim();
      if (idInput.value.trim()) body.id = idInput.value.trim();
      act(() => api('POST', `${base}/contact-methods`, body),
        (m) => (m.code_sent ? `A code was sent to ${m.id}: enter it below` : `${m.id} added; the code was not sent: ${m.send_error}`));
    },
  }, h('label', { for: 'method-type' }, 'Type'), typeInput,
  h('label', { for: 'method-id' }, 'Id'), idInput,
  keyFields,
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
