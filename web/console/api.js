// The server's JSON API (docs/api.md) as the console calls it: with the session cookie set by
// POST /ui/login (or /ui/session), and the session's CSRF token on every state change. A 401 while signed in
// ends the session: the page goes back to the sign-in form (onSessionEnded).

// A refused request: `status` is the HTTP status, `problem` the problem+json body (its
// `errors[]` name the fields), the message the problem's detail or title.
export class ApiError extends Error {
  constructor(status, problem) {
    super((problem && (problem.detail || problem.title)) || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

// GET /ui/session: {user, name, teams, role, actor, csrf_token, expires_at, can_write}, or null;
// `user` is "" for an API token's session.
let current = null;
let ended = () => {};

// The signed-in session, or null.
export function session() { return current; }
export function setSession(s) { current = s; }

// `fn(message)` runs when the server answers 401 to a signed-in page (the session expired).
export function onSessionEnded(fn) { ended = fn; }

// True when the session may change anything (the forms and buttons outside an incident's own
// actions show): the server decides it from the token's role.
export function canWrite() { return !!current && current.can_write === true; }

// `method` `path` with the JSON `body` (undefined: none): the parsed answer, or an ApiError.
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = current ? current.csrf_token : '';
  const res = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = null;
  try { data = await res.json(); } catch (e) { data = null; }
  if (res.status === 401 && current && path !== '/ui/session') {
    current = null;
    ended('Your session has ended. Sign in again.');
  }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

// GET `path` as text of type `accept` (e.g. a drill's Markdown notes): the fetch Response.
export function fetchText(path, accept) {
  return fetch(path, { credentials: 'same-origin', cache: 'no-store', headers: { Accept: accept } });
}
