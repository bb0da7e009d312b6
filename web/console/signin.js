// Signing in and out (docs/console.md "Signing in", docs/authentication.md): a person with their
// user and password (POST /ui/login), "Forgot password?" (POST /ui/password-reset), or a machine
// with an API token (POST /ui/session); the header's person and sign-out; what is loaded once per
// sign-in before the first view.
import { api, session, setSession } from './api.js';
import { $, announce, h, setMain } from './dom.js';
import { loadUsers } from './people.js';
import { leaveView, route } from './router.js';
import { loadSettings } from './settings.js';
import { addSsoButton } from './sso.js';

function showHeader() {
  const s = session();
  // A person's name opens their profile (profile.js).
  $('who').replaceChildren(...(!s ? [] : s.user
    ? [h('a', { href: '#/profile' }, s.name), ` · ${s.role}`] : [`${s.name} · ${s.role}`]));
  $('signout').hidden = !s;
  // Every session of a person (all browsers and devices); a token's session is only this one.
  $('signout-all').hidden = !s || !s.user;
  $('views').hidden = !s;  // the views need a session: no navigation before sign-in
  $('my-views').hidden = !s || !s.user;  // "My ..." views: a person only
}

function field(id, label, attrs) {
  const error = h('p', { id: `${id}-error`, class: 'field-error' });
  const input = h('input', { id, name: id, required: true, 'aria-describedby': `${id}-error`, ...attrs });
  return { input, error, nodes: [h('label', { for: id }, label), input, error] };
}

function invalid(f, message) {
  f.error.textContent = message;
  f.input.setAttribute('aria-invalid', 'true');
  f.input.focus();
}

function clear(...fields) {
  for (const f of fields) {
    f.error.textContent = '';
    f.input.removeAttribute('aria-invalid');
  }
}

// The API token form (machines, wall displays), folded away under the person's form.
function tokenForm() {
  const token = field('token', 'API token', { type: 'password', autocomplete: 'off' });
  const button = h('button', { type: 'submit' }, 'Use the token');
  const form = h('form', { class: 'signin-token', novalidate: true }, ...token.nodes,
    h('p', { class: 'hint' }, 'For machines and wall displays: a token from your administrator ' +
      '(loom-oncall token create). It stays on the server; this browser keeps only a session cookie.'),
    button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(token);
    if (!token.input.value) return invalid(token, 'Enter your API token.');
    button.disabled = true;
    try {
      setSession(await api('POST', '/ui/session', { token: token.input.value }));
      token.input.value = '';
      await start();
    } catch (e) {
      invalid(token, e.message);
    } finally {
      button.disabled = false;
    }
  });
  return h('details', { class: 'signin-other' }, h('summary', {}, 'Sign in with an API token'), form);
}

// The sign-in form, with `message` under the password field.
export function showSignIn(message) {
  leaveView();
  showHeader();
  const user = field('user', 'User', { type: 'text', autocomplete: 'username',
                                       autocapitalize: 'none', spellcheck: 'false' });
  const password = field('password', 'Password', { type: 'password', autocomplete: 'current-password' });
  password.error.textContent = message || '';
  const button = h('button', { type: 'submit' }, 'Sign in');
  const forgot = h('button', { type: 'button', class: 'quiet', id: 'forgot' }, 'Forgot password?');
  const form = h('form', { class: 'signin', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to loom-oncall'),
    ...user.nodes, ...password.nodes, h('p', {}, button, ' ', forgot));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(user, password);
    if (!user.input.value) return invalid(user, 'Enter your user name.');
    if (!password.input.value) return invalid(password, 'Enter your password.');
    button.disabled = true;
    try {
      setSession(await api('POST', '/ui/login', { user: user.input.value, password: password.input.value }));
      password.input.value = '';
      await start();
    } catch (e) {
      invalid(password, e.message);
    } finally {
      button.disabled = false;
    }
  });
  forgot.addEventListener('click', async () => {
    clear(user, password);
    if (!user.input.value) return invalid(user, 'Enter your user name, then choose "Forgot password?".');
    forgot.disabled = true;
    try {
      const r = await api('POST', '/ui/password-reset', { user: user.input.value });
      password.error.textContent = `${r.detail}.`;
      announce(r.detail);
    } catch (e) {
      password.error.textContent = e.message;
    } finally {
      forgot.disabled = false;
    }
  });
  addSsoButton(form);
  setMain(h('div', {}, form, tokenForm()));
  user.input.focus();
}

export async function signOut() {
  try { await api('POST', '/ui/logout'); } catch (e) { /* signed out either way */ }
  setSession(null);
  showSignIn('Signed out.');
}

export async function signOutEverywhere() {
  try { await api('POST', '/ui/logout-everywhere'); } catch (e) { /* signed out either way */ }
  setSession(null);
  showSignIn('Signed out on every device.');
}

// Signed in: the header, what every view needs, then the view of the address.
export async function start() {
  showHeader();
  await loadSettings();
  await loadUsers();
  route();
}
