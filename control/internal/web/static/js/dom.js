// Small DOM helpers. Every piece of server or user text goes in as a text node, never as HTML,
// so nothing the API returns can inject markup. No inline styles: classes and attributes only.

const PROPS = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'multiple', 'readOnly',
  'required', 'textContent', 'indeterminate', 'open']);

// h builds an element: h('button', {class: 'primary', onclick: fn}, 'Save').
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = Array.isArray(v) ? v.filter(Boolean).join(' ') : v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (PROPS.has(k)) el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

// append adds children (strings, numbers, nodes, nested arrays; null and false are skipped).
export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// replace empties el and fills it with children.
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

let seq = 0;
// uid returns a page-unique id for label/aria wiring.
export function uid(prefix = 'id') {
  seq += 1;
  return `${prefix}-${seq}`;
}

// labelled returns a label and an input wired together, with optional help text.
export function labelled(text, input, help) {
  if (!input.id) input.id = uid('f');
  const parts = [h('label', {for: input.id}, text), input];
  if (help) {
    const hid = uid('help');
    input.setAttribute('aria-describedby', hid);
    parts.push(h('p', {class: 'help', id: hid}, help));
  }
  return h('div', {class: 'field'}, parts);
}

// options builds <option>s from [value, label] pairs or plain strings.
export function options(list, selected) {
  return list.map((o) => {
    const [value, label] = Array.isArray(o) ? o : [o, o];
    return h('option', {value, selected: String(value) === String(selected)}, label);
  });
}

// debounce delays fn until calls stop for ms.
export function debounce(fn, ms) {
  let timer = 0;
  const d = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  d.cancel = () => clearTimeout(timer);
  return d;
}

// throttle runs fn at most once per ms, at the end of the interval (so the last call is seen).
export function throttle(fn, ms) {
  let timer = 0;
  const t = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = 0;
      fn();
    }, ms);
  };
  t.cancel = () => {
    clearTimeout(timer);
    timer = 0;
  };
  return t;
}

// download saves text as a file through a temporary object URL.
export function download(name, text, type = 'text/plain') {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const a = h('a', {href: url, download: name, hidden: true});
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// pickFile opens the file chooser and resolves with the chosen file (or null).
export function pickFile(accept) {
  return new Promise((resolve) => {
    const input = h('input', {type: 'file', accept, hidden: true});
    input.addEventListener('change', () => {
      resolve(input.files[0] || null);
      input.remove();
    });
    input.addEventListener('cancel', () => {
      resolve(null);
      input.remove();
    });
    document.body.append(input);
    input.click();
  });
}

// copyText copies to the clipboard, falling back to a hidden textarea where the Clipboard API is
// not allowed (plain HTTP on another host than localhost).
export async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the textarea
    }
  }
  const ta = h('textarea', {readonly: true, class: 'sr-only'});
  ta.value = text;
  document.body.append(ta);
  ta.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  ta.remove();
  return ok;
}

// sequence numbers requests of one kind, so that only the newest one's answer is shown: a slow
// answer to an older request (validating a previous edit, say) must not overwrite a newer one.
export function sequence() {
  let n = 0;
  return {next: () => ++n, current: (ticket) => ticket === n};
}
