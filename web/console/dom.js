// Small DOM helpers of every view. All text goes into the page through textContent (h's string
// children), never as HTML: the CSP forbids inline code and the page never parses markup.

// h('p', {class: 'x'}, 'text', child...): an element; attributes starting with "on" are listeners.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

export function $(id) { return document.getElementById(id); }

// Says `text` to screen readers (the polite live region #announce).
export function announce(text) {
  const el = $('announce');
  el.textContent = '';
  setTimeout(() => { el.textContent = text; }, 50);
}

// Replaces the page's content (<main>).
export function setMain(...children) {
  $('main').replaceChildren(...children);
}

// [[name, value], ...] as a <dl>.
export function factList(facts) {
  return h('dl', { class: 'facts' }, facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

// [label, select]: a labelled <select> of `options` ([value, text]) with `value` selected.
export function selectControl(id, label, value, options) {
  const select = h('select', { id, name: id },
    options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
  return [h('label', { for: id }, label), select];
}

// Every table's cells carry their column's name (data-label) and the table the class `stack`: on a
// phone app.css stacks each row's cells under their names instead of cutting columns off.
export function labelTables(root) {
  for (const table of root.querySelectorAll('table')) {
    const heads = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    if (heads.length === 0) continue;
    table.classList.add('stack');
    for (const tr of table.querySelectorAll('tbody tr')) {
      [...tr.children].forEach((cell, i) => {
        if (cell.dataset.label === undefined) cell.dataset.label = heads[i] || '';
      });
    }
  }
}
