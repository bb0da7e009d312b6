// What every view knows of the server: its vocabulary (states, severities) and, loaded at
// sign-in, the severity policy (GET /v1/policy) and the service ids (GET /v1/services).
import { api } from './api.js';

export const STATES = ['triggered', 'acknowledged', 'mitigated', 'resolved', 'closed'];
export const OPEN_STATES = ['triggered', 'acknowledged', 'mitigated'];
export const SEVERITIES = ['sev1', 'sev2', 'sev3', 'sev4'];

export const settings = {
  policy: null,   // GET /v1/policy's severities, or null
  services: [],   // service ids
};

export async function loadSettings() {
  try {
    const policy = await api('GET', '/v1/policy');
    settings.policy = policy.severities;
  } catch (e) {
    settings.policy = null;  // the status update form's hint names no cadence
  }
  try {
    settings.services = (await api('GET', '/v1/services')).services.map((s) => s.id);
  } catch (e) {
    settings.services = [];
  }
}

// The policy of `severity` (ack target, update cadence), or null: shown as text only (the
// countdowns and what is allowed come from each incident's JSON).
export function rule(severity) { return settings.policy ? settings.policy[severity] : null; }
