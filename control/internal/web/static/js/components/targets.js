// The Targets section of the config form: one target (MATOMO_URL, MATOMO_SITE_ID,
// MATOMO_TOKEN_AUTH) or several (MATOMO_TARGETS rows with name, URL, site, token, weight and
// enabled), the target mode, and a connection test per target. Tokens are write-only: the form
// never shows one; a blank token keeps the stored one, "Clear" removes it on save. A row's labels,
// limits and defaults are the schema's target_fields.

import {h, uid, replace} from '../dom.js';
import * as api from '../api.js';
import {Field, fieldMap, targetFieldMap, valueFromDefault, suggestedValue} from './form.js';
import {busy, report, badge} from '../ui.js';
import {dec} from '../format.js';

const SINGLE = ['MATOMO_URL', 'MATOMO_SITE_ID', 'MATOMO_TOKEN_AUTH'];
// Settings the connection test compares with the site (time zone, currency, ecommerce).
const CONTEXT = ['TIMEZONE', 'ECOMMERCE_CURRENCY', 'ECOMMERCE_PROBABILITY', 'TLS_SKIP_VERIFY'];

export class TargetsSection {
  // schema: GET /api/schema; onInput: called on any change; ctx: {configId(), values()}.
  constructor(schema, onInput, ctx, idPrefix = 'cfg') {
    const fields = fieldMap(schema);
    this.fields = fields;
    this.targetFields = targetFieldMap(schema);
    this.onInput = onInput;
    this.ctx = ctx;
    this.tokenSet = {};
    this.rows = [];
    this.single = SINGLE.map((n) => new Field(fields.get(n), {onInput, idPrefix}));
    this.mode = new Field(fields.get('TARGET_MODE'), {onInput, idPrefix});
    const name = uid('tmode');
    this.radioOne = h('input', {type: 'radio', name, value: 'one', checked: true, onchange: () => this.sync()});
    this.radioMany = h('input', {type: 'radio', name, value: 'many', onchange: () => this.sync()});
    this.singleResult = h('div', {'aria-live': 'polite'});
    this.singleBox = h('div', {},
      h('div', {class: 'fields'}, this.single.map((f) => f.el)),
      h('div', {class: 'row'}, h('button', {type: 'button', id: 'test-connection', onclick: (e) => this.testSingle(e.currentTarget)}, 'Test connection')),
      this.singleResult);
    this.rowsBox = h('div', {id: 'target-rows'});
    this.targetsProblem = h('p', {class: 'problem error-text', hidden: true, role: 'alert'});
    this.manyBox = h('div', {hidden: true},
      h('p', {class: 'help muted'}, fields.get('MATOMO_TARGETS').help, ' Tokens are stored per target name.'),
      this.rowsBox, this.targetsProblem,
      h('div', {class: 'row'}, h('button', {type: 'button', onclick: () => this.addRow({}, true)}, '+ Add target')),
      h('div', {class: 'fields'}, this.mode.el));
    this.el = h('div', {},
      h('fieldset', {class: 'row'}, h('legend', {class: 'sr-only'}, 'Number of targets'),
        h('label', {class: 'check'}, this.radioOne, 'One target'),
        h('label', {class: 'check'}, this.radioMany, 'Several targets (weighted or mirrored)')),
      this.singleBox, this.manyBox);
  }

  sync() {
    const many = this.radioMany.checked;
    this.singleBox.hidden = many;
    this.manyBox.hidden = !many;
    if (many && this.rows.length === 0) {
      // The one target becomes the first row, under the name its stats had.
      this.addRow({name: suggestedValue(this.targetFields.get('name')), url: this.single[0].read(), site_id: this.single[1].read()}, false);
    }
    this.onInput();
  }

  // fill shows a config's targets; tokenSet says which token slots are stored.
  fill(values, tokenSet) {
    this.tokenSet = tokenSet || {};
    this.single.forEach((f) => f.write(values[f.info.name]));
    this.single[2].tokenSet = Boolean(this.tokenSet.MATOMO_TOKEN_AUTH);
    this.single[2].cleared = false;
    this.single[2].syncToken();
    this.mode.write(values.TARGET_MODE);
    replace(this.rowsBox);
    this.rows = [];
    const ts = values.MATOMO_TARGETS || [];
    ts.forEach((t) => this.addRow(t, false));
    this.radioMany.checked = ts.length > 0;
    this.radioOne.checked = ts.length === 0;
    this.singleBox.hidden = ts.length > 0;
    this.manyBox.hidden = ts.length === 0;
    replace(this.singleResult);
  }

  addRow(t, focus) {
    const row = new TargetRow(t, this);
    this.rows.push(row);
    this.rowsBox.append(row.el);
    if (focus) {
      row.inputs.name.focus();
      this.onInput();
    }
  }

  removeRow(row) {
    this.rows = this.rows.filter((r) => r !== row);
    row.el.remove();
    this.onInput();
  }

  // read returns the settings of this section and the token slots to clear.
  read() {
    const out = {TARGET_MODE: this.mode.read()};
    const clear = [];
    if (this.radioMany.checked) {
      out.MATOMO_TARGETS = this.rows.map((r) => r.read());
      for (const r of this.rows) if (r.cleared) clear.push(`target:${r.originalName}`);
    } else {
      this.single.forEach((f) => {
        const v = f.read();
        if (v !== undefined) out[f.info.name] = v;
      });
      if (this.single[2].cleared) clear.push('MATOMO_TOKEN_AUTH');
    }
    return {values: out, clear};
  }

  // showProblems marks fields; it returns the problems it could not place.
  showProblems(problems) {
    this.single.concat([this.mode]).forEach((f) => f.setProblem(''));
    this.rows.forEach((r) => r.setProblems([]));
    this.targetsProblem.hidden = true;
    const rest = [];
    for (const p of problems) {
      const m = /^MATOMO_TARGETS\[(\d+)\]\.?(\w*)/.exec(p.field || '');
      const f = this.single.concat([this.mode]).find((x) => x.info.name === p.field);
      if (f) f.setProblem(p.message, p.kind);
      else if (m && this.rows[Number(m[1])]) this.rows[Number(m[1])].addProblem(m[2], p);
      else if (p.field === 'MATOMO_TARGETS') {
        this.targetsProblem.hidden = false;
        this.targetsProblem.textContent = p.message;
      } else rest.push(p);
    }
    return rest;
  }

  // elementFor returns the id of the input that shows a field's problem.
  elementFor(field) {
    const f = this.single.concat([this.mode]).find((x) => x.info.name === field);
    if (f) return f.input.id;
    const m = /^MATOMO_TARGETS\[(\d+)\]\.?(\w*)/.exec(field || '');
    const row = m && this.rows[Number(m[1])];
    return row ? (row.inputs[m[2]] || row.inputs.name).id : null;
  }

  // testPayload builds a test-connection request for the given target settings.
  testPayload(targetValues) {
    const all = this.ctx.values();
    const config = {...targetValues};
    for (const k of CONTEXT) if (all[k] !== undefined) config[k] = all[k];
    const body = {config};
    if (this.ctx.configId()) body.config_id = Number(this.ctx.configId());
    return body;
  }

  testSingle(button) {
    const vals = {};
    this.single.forEach((f) => {
      const v = f.read();
      if (v !== undefined) vals[f.info.name] = v;
    });
    return runTest(button, this.testPayload(vals), this.singleResult);
  }
}

// TargetRow is one entry of MATOMO_TARGETS.
class TargetRow {
  constructor(t, section) {
    this.section = section;
    this.originalName = t.name || '';
    this.cleared = false;
    const tf = section.targetFields;
    const inp = (attrs) => h('input', {id: uid('t'), ...attrs});
    const number = (key, value) => inp({type: 'number', min: tf.get(key).min, max: tf.get(key).max, step: 1, value});
    // A new row starts from the defaults: the key's own, or for the site the one-target form's.
    const start = (key, fallback) => t[key] ?? valueFromDefault(tf.get(key)) ?? fallback;
    this.inputs = {
      name: inp({type: 'text', value: t.name || '', required: true, maxlength: tf.get('name').max_length}),
      url: inp({type: 'url', value: t.url || '', placeholder: 'https://matomo.example.org/matomo.php', spellcheck: 'false'}),
      site_id: number('site_id', start('site_id', valueFromDefault(section.fields.get('MATOMO_SITE_ID')))),
      token_auth: inp({type: 'password', autocomplete: 'new-password'}),
      weight: number('weight', start('weight')),
      enabled: h('input', {type: 'checkbox', id: uid('t'), checked: start('enabled')}),
    };
    this.problems = {};
    const cell = (key) => {
      this.problems[key] = h('p', {class: 'problem error-text', hidden: true});
      return h('div', {class: 'field'}, h('label', {for: this.inputs[key].id}, tf.get(key).label), this.inputs[key], this.problems[key]);
    };
    this.tokenBadge = h('span', {class: 'badge plain'});
    this.clearBtn = h('button', {type: 'button', class: 'small ghost', onclick: () => {
      this.cleared = !this.cleared;
      this.syncToken();
      section.onInput();
    }}, 'Clear');
    const tokenCell = cell('token_auth');
    tokenCell.append(h('div', {class: 'row'}, this.tokenBadge, this.clearBtn));
    this.result = h('div', {'aria-live': 'polite'});
    this.testBtn = h('button', {type: 'button', class: 'small', dataset: {action: 'test'}, onclick: (e) => this.test(e.currentTarget)}, 'Test');
    this.el = h('div', {class: 'target-row'},
      h('div', {class: 'target-grid'},
        cell('name'), cell('url'), cell('site_id'), tokenCell, cell('weight'),
        h('div', {class: 'field'},
          h('label', {class: 'check'}, this.inputs.enabled, tf.get('enabled').label),
          h('div', {class: 'row'}, this.testBtn,
            h('button', {type: 'button', class: 'small danger', 'aria-label': 'Remove target', onclick: () => section.removeRow(this)}, 'Remove')))),
      this.result);
    for (const i of Object.values(this.inputs)) i.addEventListener('input', () => section.onInput());
    this.inputs.name.addEventListener('input', () => this.syncToken());
    this.syncToken();
  }

  slotSet() {
    return Boolean(this.section.tokenSet[`target:${this.inputs.name.value.trim()}`]);
  }

  syncToken() {
    const set = this.slotSet();
    this.tokenBadge.textContent = this.cleared ? 'will be cleared' : set ? 'set' : 'not set';
    this.tokenBadge.className = `badge plain ${this.cleared ? 'warn' : set ? 'ok' : ''}`;
    this.clearBtn.hidden = !set;
    this.clearBtn.textContent = this.cleared ? 'Keep' : 'Clear';
    this.inputs.token_auth.disabled = this.cleared;
    this.inputs.token_auth.placeholder = set && !this.cleared ? 'stored; blank keeps it' : 'token';
  }

  read() {
    const num = (i) => (i.value.trim() === '' ? undefined : Number(i.value));
    const t = {name: this.inputs.name.value.trim(), url: this.inputs.url.value.trim(),
      site_id: num(this.inputs.site_id), weight: num(this.inputs.weight), enabled: this.inputs.enabled.checked};
    if (this.inputs.token_auth.value) t.token_auth = this.inputs.token_auth.value;
    return t;
  }

  setProblems() {
    for (const [k, p] of Object.entries(this.problems)) {
      p.hidden = true;
      this.inputs[k].removeAttribute('aria-invalid');
    }
  }

  addProblem(key, p) {
    const k = this.problems[key] ? key : 'name';
    this.problems[k].hidden = false;
    this.problems[k].textContent = p.message;
    if (p.kind !== 'warning') this.inputs[k].setAttribute('aria-invalid', 'true');
  }

  test(button) {
    const t = {...this.read(), enabled: true};
    return runTest(button, this.section.testPayload({MATOMO_TARGETS: [t]}), this.result);
  }
}

// runTest posts a connection test and shows each target's result.
async function runTest(button, body, out) {
  replace(out, h('p', {class: 'muted'}, 'Testing…'));
  try {
    const res = await busy(button, () => api.post('/api/test-connection', body));
    replace(out, res.targets.length ? res.targets.map(checkView) : h('p', {class: 'muted'}, res.message));
  } catch (err) {
    replace(out);
    report(err, 'Connection test');
  }
}

function yesNo(v) {
  if (v === null || v === undefined) return 'unknown';
  return v ? 'yes' : 'no';
}

// checkView renders one target's connection check.
export function checkView(c) {
  const site = c.site || {};
  return h('div', {class: 'check-result', dataset: {test: 'connection-result'}},
    h('div', {class: 'row'}, badge(c.ok ? 'ok' : 'bad', c.ok ? 'ready' : 'problem'), h('strong', {}, c.name), h('span', {class: 'muted small'}, c.url)),
    h('dl', {},
      h('dt', {}, 'Matomo version'), h('dd', {dataset: {test: 'matomo-version'}}, c.matomo_version || 'unknown'),
      h('dt', {}, 'Token'), h('dd', {}, c.token_set ? (c.token_valid === true ? 'valid' : c.token_valid === false ? 'not valid' : 'not checked') : 'none given'),
      h('dt', {}, 'Site'), h('dd', {}, c.site_exists === false ? 'not found' : site.name || `#${c.site_id}`),
      h('dt', {}, 'Site time zone'), h('dd', {}, site.timezone || 'unknown'),
      h('dt', {}, 'Currency'), h('dd', {}, site.currency || 'unknown'),
      h('dt', {}, 'Ecommerce'), h('dd', {}, c.site ? yesNo(site.ecommerce) : 'unknown'),
      h('dt', {}, 'Tracker answers'), h('dd', {}, yesNo(c.tracker_ok)),
      h('dt', {}, 'QueuedTracking'), h('dd', {}, yesNo(c.queued_tracking)),
      h('dt', {}, 'Response time'), h('dd', {}, `${dec(c.response_time_ms)} ms`)),
    (c.errors || []).map((e) => h('p', {class: 'error-text small'}, e)),
    (c.warnings || []).map((w) => h('p', {class: 'warn-text small'}, w)));
}
