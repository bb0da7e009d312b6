// People as the console shows them: by name (GET /v1/users, loaded at sign-in), not by id.
import { api } from './api.js';

let users = {};  // GET /v1/users by id

export async function loadUsers() {
  try {
    const list = (await api('GET', '/v1/users')).users;
    users = Object.fromEntries(list.map((u) => [u.id, u]));
  } catch (e) {
    users = {};  // ids are shown instead of names
  }
}

// Who an actor or a user id is, for people to read: a configured user by name ("user:alice" or
// "alice" → "Alice Primary"), an API token by its name, the server itself as loom-oncall.
export function person(actor) {
  if (!actor) return '—';
  const id = actor.startsWith('user:') ? actor.slice(5) : actor;
  const user = users[id];
  if (user) return user.name || user.id;
  if (id.startsWith('token:')) return `${id.slice(6)} (API token)`;
  if (id === 'system') return 'loom-oncall';
  if (id.startsWith('integration:')) return `the alert source (${id.slice(12)})`;
  return id;
}

// "escalation_manager" → "escalation manager".
export function roleName(role) { return String(role || '').replace(/_/g, ' '); }

// A user of GET /v1/users for a <select>: "Alice Primary (alice)".
export function userLabel(u) { return u.name ? `${u.name} (${u.id})` : u.id; }
