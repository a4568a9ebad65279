// Form fields rendered from GET /api/schema: one control per setting, typed by the schema (int,
// float, bool, enum, date, duration, secret, floatlist, string), with label, unit, limits, help,
// the default as placeholder, and a slot for the problem the API reports for it.

import {h, uid} from '../dom.js';
import * as api from '../api.js';

let schemaPromise = null;

// schema returns the API's schema (fetched once per page).
export function schema() {
  if (!schemaPromise) {
    schemaPromise = api.get('/api/schema').catch((err) => {
      schemaPromise = null;
      throw err;
    });
  }
  return schemaPromise;
}

// fieldMap indexes the schema's fields by name.
export function fieldMap(s) {
  return new Map(s.fields.map((f) => [f.name, f]));
}

// targetFieldMap indexes the keys of one MATOMO_TARGETS entry (their limits and defaults) by name.
export function targetFieldMap(s) {
  return new Map(s.target_fields.map((f) => [f.name, f]));
}

// limits describes a field's bounds in words.
export function limits(info) {
  const hasMin = info.min !== undefined && info.min !== null;
  const hasMax = info.max !== undefined && info.max !== null;
  if (hasMin && hasMax) return `${info.min} – ${info.max}`;
  if (hasMin) return `≥ ${info.min}`;
  if (hasMax) return `≤ ${info.max}`;
  return '';
}

// Field is one schema-driven control.
export class Field {
  constructor(info, {onInput, tokenSet = false, idPrefix = 'field', modeTag = true} = {}) {
    this.info = info;
    this.cleared = false;
    this.tokenSet = tokenSet;
    const id = `${idPrefix}-${info.name}`;
    this.input = this.control(id);
    this.input.dataset.field = info.name;
    this.problem = h('p', {class: 'problem', id: uid('prob'), hidden: true, 'aria-live': 'polite'});
    const helpId = uid('help');
    const bits = [info.help, limits(info) ? `Limits: ${limits(info)}.` : '',
      info.default !== '' && info.type !== 'bool' && info.type !== 'secret' ? `Default: ${info.default}.` : ''];
    const help = h('p', {class: 'help', id: helpId}, bits.filter(Boolean).join(' '));
    this.input.setAttribute('aria-describedby', `${helpId} ${this.problem.id}`);
    const tag = modeTag && info.mode ? h('span', {class: 'tag'}, `${info.mode} only`) : null;
    const unit = info.unit && info.unit !== 'probability' ? h('span', {class: 'unit'}, ` (${info.unit})`) : null;
    if (info.type === 'bool') {
      this.el = h('div', {class: 'field'},
        h('label', {class: 'check', for: id}, this.input, info.label, ' ', tag), help, this.problem);
    } else {
      this.el = h('div', {class: 'field'},
        h('label', {for: id}, info.label, unit, ' ', tag), this.withExtras(), help, this.problem);
    }
    if (onInput) this.input.addEventListener(info.type === 'bool' || info.type === 'enum' ? 'change' : 'input', onInput);
    this.el.dataset.name = info.name;
  }

  control(id) {
    const i = this.info;
    switch (i.type) {
      case 'int':
      case 'float':
        return h('input', {id, type: 'number', step: i.type === 'int' ? '1' : 'any', min: i.min, max: i.max,
          inputmode: i.type === 'int' ? 'numeric' : 'decimal', placeholder: i.default});
      case 'bool':
        return h('input', {id, type: 'checkbox'});
      case 'enum':
        return h('select', {id}, (i.enum || []).map((v) => h('option', {value: v}, v)));
      case 'date':
        return h('input', {id, type: 'date'});
      case 'secret':
        return h('input', {id, type: 'password', autocomplete: 'new-password', spellcheck: 'false'});
      default:
        return h('input', {id, type: 'text', maxlength: i.max_length, placeholder: i.default || (i.optional ? 'unset' : ''), spellcheck: 'false'});
    }
  }

  // withExtras adds the "set" indicator and clear button of a token field.
  withExtras() {
    if (this.info.type !== 'secret') return this.input;
    this.tokenBadge = h('span', {class: 'badge plain'});
    this.clearButton = h('button', {type: 'button', class: 'small ghost', onclick: () => this.toggleClear()}, 'Clear');
    this.syncToken();
    return [h('div', {class: 'input-unit'}, this.input, this.tokenBadge, this.clearButton)];
  }

  toggleClear() {
    this.cleared = !this.cleared;
    this.syncToken();
    this.input.dispatchEvent(new Event('input', {bubbles: true}));
  }

  syncToken() {
    if (!this.tokenBadge) return;
    let text = 'not set';
    let cls = 'badge plain';
    if (this.cleared) {
      text = 'will be cleared';
      cls = 'badge plain warn';
    } else if (this.tokenSet) {
      text = 'set';
      cls = 'badge plain ok';
    }
    this.tokenBadge.textContent = text;
    this.tokenBadge.className = cls;
    this.clearButton.hidden = !this.tokenSet;
    this.clearButton.textContent = this.cleared ? 'Keep' : 'Clear';
    this.input.placeholder = this.tokenSet && !this.cleared ? 'stored; blank keeps it' : 'paste the token';
    this.input.disabled = this.cleared;
  }

  // write shows a value from the API's JSON form.
  write(v) {
    const i = this.info;
    if (i.type === 'bool') {
      this.input.checked = v === undefined || v === null ? i.default === 'true' : v === true || v === 'true';
      return;
    }
    if (i.type === 'secret') {
      this.input.value = ''; // a token is never shown
      return;
    }
    if (v === undefined || v === null) {
      this.input.value = i.type === 'enum' ? i.default : '';
      return;
    }
    this.input.value = Array.isArray(v) ? v.join(', ') : String(v);
  }

  // read returns the JSON value to send, or undefined to leave the setting out (default/unset).
  read() {
    const i = this.info;
    if (i.type === 'bool') return this.input.checked;
    if ((i.type === 'int' || i.type === 'float') && this.input.validity.badInput) return 'not a number';
    const s = this.input.value.trim();
    if (s === '') return undefined;
    if (i.type === 'int' || i.type === 'float') return Number(s);
    return s;
  }

  // setProblem marks the field with an error or a warning (or clears it when msg is empty).
  setProblem(msg, kind = 'error') {
    this.problem.hidden = !msg;
    this.problem.textContent = msg || '';
    this.problem.className = `problem ${kind === 'error' ? 'error-text' : 'warn-text'}`;
    if (msg && kind === 'error') this.input.setAttribute('aria-invalid', 'true');
    else this.input.removeAttribute('aria-invalid');
  }
}

// typedValue converts a schema value in env form (a default or a suggestion) to the JSON form.
function typedValue(info, text) {
  if (text === undefined || text === '') return undefined;
  if (info.type === 'bool') return text === 'true';
  if (info.type === 'int' || info.type === 'float') return Number(text);
  return text;
}

// valueFromDefault converts a schema default (env form) to the JSON form.
export function valueFromDefault(info) {
  return typedValue(info, info.default);
}

// suggestedValue is the value a form starts from where an unset setting is needed (the schema's
// suggestion, which the loader does not assume), else the default.
export function suggestedValue(info) {
  return typedValue(info, info.suggested) ?? valueFromDefault(info);
}

// defaults returns a config map with every schema default.
export function defaults(s) {
  const out = {};
  for (const f of s.fields) {
    const v = valueFromDefault(f);
    if (v !== undefined && f.type !== 'targets' && f.type !== 'secret') out[f.name] = v;
  }
  return out;
}
