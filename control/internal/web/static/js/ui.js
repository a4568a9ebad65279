// Shared UI pieces: toasts, modal dialogs (native <dialog>: focus trapping and Esc for free),
// busy buttons and problem lists.

import {h, $, uid, download} from './dom.js';
import * as api from './api.js';

// toast shows a short message; kind is ok, bad, warn or info.
export function toast(message, kind = 'info', ms = 5000) {
  const box = $('#toasts');
  const t = h('div', {class: `toast ${kind}`, role: kind === 'bad' ? 'alert' : null}, message);
  box.append(t);
  setTimeout(() => t.remove(), kind === 'bad' ? ms * 2 : ms);
}

// report shows an error from an API call as a toast (field problems are listed).
export function report(err, what) {
  if (err && err.name === 'AbortError') return;
  const msg = err && err.message ? err.message : String(err);
  const detail = err && err.errors && err.errors.length
    ? `: ${err.errors.slice(0, 3).map((p) => `${p.field ? `${p.field} ` : ''}${p.message}`).join('; ')}`
    : '';
  toast(`${what ? `${what}: ` : ''}${msg}${detail}`, 'bad');
}

// modal opens a dialog built by build(close) and resolves with what close() is given. The
// dialog is removed when it closes (Esc resolves with null).
export function modal(build, {wide = false, label} = {}) {
  return new Promise((resolve) => {
    const titleId = uid('dlg');
    const dlg = h('dialog', {class: wide ? 'wide' : null, 'aria-labelledby': titleId});
    let result = null;
    const close = (value) => {
      result = value;
      dlg.close();
    };
    dlg.append(build(close, titleId));
    if (label) dlg.setAttribute('aria-label', label);
    dlg.addEventListener('close', () => {
      dlg.remove();
      resolve(result);
    });
    document.body.append(dlg);
    dlg.showModal();
  });
}

// confirm asks a yes/no question in a dialog.
export function confirm({title, message, confirmLabel = 'OK', danger = false}) {
  return modal((close, titleId) => {
    const ok = h('button', {type: 'button', class: danger ? 'danger' : 'primary', onclick: () => close(true), 'data-confirm': ''}, confirmLabel);
    const body = h('div', {class: 'dialog-body'},
      h('h2', {id: titleId}, title),
      message ? h('p', {}, message) : null,
      h('div', {class: 'dialog-actions'},
        h('button', {type: 'button', class: 'ghost', onclick: () => close(false)}, 'Cancel'),
        ok));
    queueMicrotask(() => ok.focus());
    return body;
  }).then((v) => v === true);
}

// ask asks for one line of text (at most maxlength characters); resolves with the text or null.
export function ask({title, label, value = '', confirmLabel = 'OK', help, maxlength}) {
  return modal((close, titleId) => {
    const input = h('input', {type: 'text', value, required: true, maxlength, id: uid('ask')});
    const form = h('form', {class: 'dialog-body', onsubmit: (e) => {
      e.preventDefault();
      close(input.value.trim() || null);
    }},
    h('h2', {id: titleId}, title),
    h('label', {for: input.id}, label), input,
    help ? h('p', {class: 'muted small'}, help) : null,
    h('div', {class: 'dialog-actions'},
      h('button', {type: 'button', class: 'ghost', onclick: () => close(null)}, 'Cancel'),
      h('button', {type: 'submit', class: 'primary'}, confirmLabel)));
    queueMicrotask(() => input.select());
    return form;
  });
}

// busy disables a button while fn runs.
export async function busy(button, fn) {
  const wasDisabled = button.disabled;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await fn();
  } finally {
    button.disabled = wasDisabled;
    button.removeAttribute('aria-busy');
  }
}

// problemList renders errors and warnings (each {field, value, message, line}) as two boxes.
// link(field) may return an element id to focus for a field.
export function problemList(errors = [], warnings = [], link) {
  const box = (kind, title, list) => {
    if (!list.length) return null;
    return h('div', {class: `problems ${kind}`, role: kind === 'errors' ? 'alert' : 'status'},
      h('strong', {}, title),
      h('ul', {}, list.map((p) => {
        const target = link ? link(p.field) : null;
        const where = [p.line ? `line ${p.line}` : '', p.field || ''].filter(Boolean).join(', ');
        const text = `${where ? `${where}: ` : ''}${p.message}${p.value ? ` (value: ${p.value})` : ''}`;
        return h('li', {}, target
          ? h('a', {href: `#${target}`, onclick: (e) => {
            e.preventDefault();
            document.getElementById(target)?.focus();
          }}, text)
          : text);
      })));
  };
  return [
    box('errors', errors.length === 1 ? '1 error' : `${errors.length} errors`, errors),
    box('warnings', warnings.length === 1 ? '1 warning' : `${warnings.length} warnings`, warnings),
  ];
}

// badge shows a state (running, failed, healthy, …) as a coloured pill.
export function badge(state, text) {
  return h('span', {class: `badge ${state || 'unknown'}`}, text || state || 'unknown');
}

// emptyState is the placeholder of an empty list.
export function emptyState(text) {
  return h('p', {class: 'empty'}, text);
}

// exportJSON downloads what GET path answers as a pretty-printed JSON file.
export async function exportJSON(button, path, filename) {
  try {
    const data = await busy(button, () => api.get(path));
    download(filename, `${JSON.stringify(data, null, 2)}\n`, 'application/json');
  } catch (err) {
    report(err, 'Export');
  }
}
