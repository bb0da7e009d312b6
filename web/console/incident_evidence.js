// The evidence locker of the incident page (docs/security-playbook.md "Evidence locker"): the
// incident's artifacts, and for responders the forms to upload a file or add a reference.
import { api } from './api.js';
import { announce, h } from './dom.js';
import { clearErrors, labelled, markInvalid, placeProblem } from './forms.js';
import { allows } from './incident_facts.js';
import { person } from './people.js';
import { fmtTime } from './time.js';

const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

// `elements` go into the page (the list, then the forms); `render()` reloads the list and adds
// the forms once.
export function evidencePanel(ctx) {
  const list = h('div', { class: 'table-scroll' });
  const formBox = h('div', {});

  async function renderList() {
    let items = [];
    try { items = (await api('GET', `/v1/incidents/${ctx.id}/evidence`)).evidence; } catch (e) { items = []; }
    if (items.length === 0) {
      list.replaceChildren(h('p', { class: 'muted' }, 'No evidence attached.'));
      return;
    }
    list.replaceChildren(h('table', {},
      h('thead', {}, h('tr', {}, ['What', 'SHA-256', 'Size', 'By', 'When'].map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, items.map((a) => h('tr', {},
        h('td', {}, a.name, a.request_id ? ` (request ${a.request_id})` : '', a.uri ? ` (${a.uri})` : ''),
        h('td', { class: 'hash', title: a.sha256 }, a.sha256.slice(0, 12) + '…'),
        h('td', {}, String(a.size)), h('td', {}, person(a.actor)), h('td', {}, fmtTime(a.at)))))));
  }

  function render() {
    renderList();
    if (allows(ctx.incident, 'evidence') && !formBox.firstChild) {
      formBox.append(h('div', { class: 'panel evidence-forms' },
        uploadForm(ctx.id, ctx.reload), referenceForm(ctx.id, ctx.reload)));
    }
  }

  return { elements: [list, formBox], render };
}

// The file's bytes as standard base64 (FileReader, so 10 MiB do not block the page).
function fileBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

// Upload a file (at most 10 MiB; the SHA-256 the server computed is shown after) to incident
// `id`; `added()` refreshes the page.
function uploadForm(id, added) {
  const file = h('input', { id: 'ev-file', name: 'file', type: 'file' });
  const name = h('input', { id: 'ev-name', name: 'name', type: 'text' });
  const note = h('input', { id: 'ev-note', name: 'note', type: 'text' });
  const uploaded = h('div', { role: 'status', id: 'ev-uploaded' });
  const uploadError = h('div', { class: 'banner', role: 'alert' });
  const uploadButton = h('button', { type: 'submit' }, 'Upload');
  const upload = h('form', { novalidate: true, 'aria-labelledby': 'ev-upload-title' },
    h('h3', { id: 'ev-upload-title' }, 'Upload a file'), uploadError,
    labelled('File', file, 'At most 10 MiB; stored with its SHA-256.'),
    labelled('Name', name, "Optional; default the file's name."),
    labelled('Note', note, 'Optional.'), uploadButton, uploaded);
  const uploadIds = { '/name': 'ev-name', '/note': 'ev-note', '/content_base64': 'ev-file', '/media_type': 'ev-file' };
  upload.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(upload);
    uploadError.textContent = '';
    uploaded.replaceChildren();
    const f = file.files[0];
    if (!f) { markInvalid('ev-file', 'Choose a file.'); file.focus(); return; }
    if (f.size > MAX_EVIDENCE_BYTES) {
      markInvalid('ev-file', `The file is ${(f.size / 1048576).toFixed(1)} MiB; at most 10 MiB can be uploaded.`);
      file.focus();
      return;
    }
    if (f.size === 0) { markInvalid('ev-file', 'The file is empty.'); file.focus(); return; }
    uploadButton.disabled = true;
    try {
      const body = { kind: 'upload', name: name.value.trim() || f.name, content_base64: await fileBase64(f) };
      if (f.type) body.media_type = f.type;
      if (note.value.trim()) body.note = note.value.trim();
      const a = await api('POST', `/v1/incidents/${id}/evidence`, body);
      upload.reset();
      uploaded.replaceChildren(h('p', { class: 'ok' }, `Uploaded ${a.name} (${a.size} bytes).`),
        h('p', {}, 'SHA-256: ', h('code', { class: 'hash-full', 'data-sha256': a.sha256 }, a.sha256)));
      announce(`Evidence ${a.name} uploaded`);
      await added();
    } catch (e) {
      if (e.status === 413) markInvalid('ev-file', e.message);
      else placeProblem(e, uploadError, (p) => uploadIds[p] || null);
    } finally {
      uploadButton.disabled = false;
    }
  });
  return upload;
}

// Add a reference (a URI or a request id) to incident `id`; `added()` refreshes the page.
function referenceForm(id, added) {
  const refName = h('input', { id: 'ev-ref-name', name: 'name', type: 'text' });
  const uri = h('input', { id: 'ev-ref-uri', name: 'uri', type: 'text', inputmode: 'url' });
  const requestId = h('input', { id: 'ev-ref-request', name: 'request_id', type: 'text' });
  const refError = h('div', { class: 'banner', role: 'alert' });
  const refDone = h('p', { role: 'status', class: 'ok' });
  const reference = h('form', { novalidate: true, 'aria-labelledby': 'ev-ref-title' },
    h('h3', { id: 'ev-ref-title' }, 'Add a reference'), refError,
    labelled('Reference name', refName),
    labelled('URI', uri, 'E.g. s3://forensics/node-1.img; or give a request id instead.'),
    labelled('Request id', requestId),
    h('button', { type: 'submit' }, 'Add reference'), refDone);
  const refIds = { '/name': 'ev-ref-name', '/uri': 'ev-ref-uri', '/request_id': 'ev-ref-request' };
  reference.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(reference);
    refError.textContent = '';
    refDone.textContent = '';
    const body = { kind: 'reference', name: refName.value.trim() };
    if (uri.value.trim()) body.uri = uri.value.trim();
    if (requestId.value.trim()) body.request_id = requestId.value.trim();
    try {
      const a = await api('POST', `/v1/incidents/${id}/evidence`, body);
      reference.reset();
      refDone.textContent = `Reference ${a.name} added (SHA-256 ${a.sha256.slice(0, 12)}…).`;
      announce(`Reference ${a.name} added`);
      await added();
    } catch (e) {
      placeProblem(e, refError, (p) => refIds[p] || null);
    }
  });
  return reference;
}
