// Single sign-on on the sign-in form (docs/authentication.md "Single sign-on"): when the server
// has `auth.oidc`, GET /ui/auth/methods names the provider and the form gets a "Sign in with
// <provider>" link to /ui/auth/oidc/start, which sends the browser to the provider and back.
import { h } from './dom.js';

// Adds the link at the top of the sign-in `form` once the server has said which methods exist.
export async function addSsoButton(form) {
  let methods;
  try {
    const res = await fetch('/ui/auth/methods', { headers: { Accept: 'application/json' } });
    if (!res.ok) return;
    methods = await res.json();
  } catch (e) {
    return;  // the token form still works
  }
  if (!methods || !methods.oidc || form.querySelector('.sso')) return;
  const link = h('a', { class: 'sso', href: methods.oidc.start }, `Sign in with ${methods.oidc.name}`);
  const or = h('p', { class: 'hint sso-or' }, 'or with an API token:');
  form.querySelector('h1').after(link, or);
}
