// Signing in and out (docs/console.md "Signing in"): the sign-in form, the header's name and
// role, and what is loaded once per sign-in before the first view.
import { api, session, setSession } from './api.js';
import { $, h, setMain } from './dom.js';
import { loadUsers } from './people.js';
import { leaveView, route } from './router.js';
import { loadSettings } from './settings.js';
import { addSsoButton } from './sso.js';

function showHeader() {
  const s = session();
  $('who').textContent = s ? `${s.name} · ${s.role}` : '';
  $('signout').hidden = !s;
  $('views').hidden = !s;  // the views need a session: no navigation before sign-in
}

// The sign-in form, with `message` under the token field.
export function showSignIn(message) {
  leaveView();
  showHeader();
  const input = h('input', { id: 'token', name: 'token', type: 'password', required: true,
                             autocomplete: 'current-password', 'aria-describedby': 'token-error' });
  const error = h('p', { id: 'token-error', class: 'field-error' }, message || '');
  const button = h('button', { type: 'submit' }, 'Sign in');
  const form = h('form', { class: 'signin', novalidate: true, 'aria-labelledby': 'signin-title' },
    h('h1', { id: 'signin-title' }, 'Sign in to loom-oncall'),
    h('label', { for: 'token' }, 'API token'),
    input, error,
    h('p', { class: 'hint' }, 'A token from your administrator (loom-oncall token create). ' +
      'It stays on the server; this browser keeps only a session cookie.'),
    button);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    input.removeAttribute('aria-invalid');
    if (!input.value) {
      error.textContent = 'Enter your API token.';
      input.setAttribute('aria-invalid', 'true');
      input.focus();
      return;
    }
    button.disabled = true;
    try {
      setSession(await api('POST', '/ui/session', { token: input.value }));
      input.value = '';
      await start();
    } catch (e) {
      error.textContent = e.message;
      input.setAttribute('aria-invalid', 'true');
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
  setMain(form);
  addSsoButton(form);
  input.focus();
}

export async function signOut() {
  try { await api('DELETE', '/ui/session'); } catch (e) { /* signed out either way */ }
  setSession(null);
  showSignIn('Signed out.');
}

// Signed in: the header, what every view needs, then the view of the address.
export async function start() {
  showHeader();
  await loadSettings();
  await loadUsers();
  route();
}
