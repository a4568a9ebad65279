// FunnelEditor edits one funnel in the funnels.json format: its settings, and typed steps that
// can be added, removed, moved and duplicated, with a live preview of the journey.

import {h, replace, uid} from '../dom.js';
import {icon} from './icons.js';
import {STEP_TYPES, TYPE_LABEL, STEP_FIELDS, newStep, describe, delayText} from './funnelsteps.js';

const TOP = [
  ['name', 'Name', 'text'], ['description', 'Description', 'text'],
  ['probability', 'Probability (0–1)', 'number'], ['priority', 'Priority (lowest runs first)', 'int'],
];

export class FunnelEditor {
  constructor(funnel, onChange) {
    this.f = funnel;
    this.f.steps = this.f.steps || [];
    this.onChange = onChange;
    this.inputs = {};
    this.problemEls = {};
    this.stepsEl = h('div', {id: 'funnel-steps'});
    this.preview = h('ol', {class: 'preview-list', id: 'funnel-preview'});
    const top = TOP.map(([k, label, kind]) => this.input(this.f, k, label, kind, `funnel-${k}`, k));
    const check = (k, label) => {
      const i = h('input', {type: 'checkbox', id: `funnel-${k}`, checked: Boolean(this.f[k]), onchange: () => {
        this.f[k] = i.checked;
        this.changed();
      }});
      return h('div', {class: 'field'}, h('label', {class: 'check'}, i, label));
    };
    const addType = h('select', {id: 'add-step-type', 'aria-label': 'Type of the new step'}, STEP_TYPES.map((t) => h('option', {value: t}, TYPE_LABEL[t])));
    this.el = h('div', {},
      h('div', {class: 'fields'}, top, check('enabled', 'Enabled'), check('exit_after_completion', 'End the visit after the last step')),
      h('div', {class: 'grid-2'},
        h('div', {}, h('h3', {}, 'Steps'), this.stepsEl,
          h('div', {class: 'row'}, addType, h('button', {type: 'button', id: 'add-step', onclick: () => {
            this.f.steps.push(newStep(addType.value));
            this.renderSteps();
            this.changed();
          }}, '+ Add step'))),
        h('div', {}, h('h3', {}, 'Preview'), this.preview,
          h('p', {class: 'muted small'}, 'Delays are simulated in the hits’ timestamps; a visit ends with a ping.'))));
    this.renderSteps();
    this.renderPreview();
  }

  // input builds a text or number input bound to obj[key]; path names it for problems.
  input(obj, key, label, kind, id, path) {
    const i = h('input', {id: id || uid('fs'), type: kind === 'text' || kind === 'url' ? (kind === 'url' ? 'url' : 'text') : 'number',
      step: kind === 'int' ? '1' : kind === 'number' ? 'any' : null, value: obj[key] ?? '', spellcheck: 'false'});
    i.addEventListener('input', () => {
      const v = i.value.trim();
      if (v === '') delete obj[key];
      else obj[key] = kind === 'number' || kind === 'int' ? Number(v) : v;
      if (key === 'name' || key === 'description') obj[key] = obj[key] ?? '';
      this.changed();
    });
    const prob = h('p', {class: 'problem error-text', hidden: true, id: uid('pp')});
    this.inputs[path] = i;
    this.problemEls[path] = prob;
    i.setAttribute('aria-describedby', prob.id);
    return h('div', {class: 'field'}, h('label', {for: i.id}, label), i, prob);
  }

  changed() {
    this.renderPreview();
    this.onChange();
  }

  move(i, d) {
    const s = this.f.steps;
    const j = i + d;
    if (j < 0 || j >= s.length) return;
    [s[i], s[j]] = [s[j], s[i]];
    this.renderSteps();
    this.changed();
    this.stepsEl.querySelectorAll('.step')[j]?.querySelector(d < 0 ? '[data-move="up"]' : '[data-move="down"]')?.focus();
  }

  renderSteps() {
    for (const k of Object.keys(this.inputs)) {
      if (k.startsWith('steps[')) {
        delete this.inputs[k];
        delete this.problemEls[k];
      }
    }
    const n = this.f.steps.length;
    replace(this.stepsEl, n ? this.f.steps.map((s, i) => this.stepCard(s, i, n)) : h('p', {class: 'muted'}, 'No steps: add one (the first must be a pageview).'));
  }

  stepCard(s, i, n) {
    const base = `steps[${i}]`;
    const type = h('select', {'aria-label': `Type of step ${i + 1}`, onchange: () => {
      const keep = {title: s.title, url: s.url, delay_seconds_min: s.delay_seconds_min, delay_seconds_max: s.delay_seconds_max};
      this.f.steps[i] = {...newStep(type.value), ...Object.fromEntries(Object.entries(keep).filter(([, v]) => v !== undefined))};
      this.renderSteps();
      this.changed();
    }}, STEP_TYPES.map((t) => h('option', {value: t, selected: t === s.type}, TYPE_LABEL[t])));
    const act = (label, text, fn, disabled, data) => h('button', {type: 'button', class: 'small ghost', 'aria-label': `${label} step ${i + 1}`,
      title: label, disabled, dataset: data ? {move: data} : {}, onclick: fn}, text);
    const fields = (STEP_FIELDS[s.type] || []).map(([k, label, kind, req]) =>
      this.input(s, k, `${label}${req ? ' *' : ''}`, kind, null, `${base}.${k}`));
    const typeProblem = h('p', {class: 'problem error-text', hidden: true});
    this.problemEls[`${base}.type`] = typeProblem;
    this.problemEls[base] = typeProblem;
    return h('div', {class: 'step', dataset: {step: i}},
      h('div', {class: 'step-head'}, h('span', {class: 'index'}, `${i + 1}.`), type,
        h('span', {class: 'spacer'}),
        act('Move up', icon('up'), () => this.move(i, -1), i === 0, 'up'),
        act('Move down', icon('down'), () => this.move(i, 1), i === n - 1, 'down'),
        act('Duplicate', icon('copy'), () => {
          this.f.steps.splice(i + 1, 0, structuredClone(s));
          this.renderSteps();
          this.changed();
        }),
        act('Remove', icon('close'), () => {
          this.f.steps.splice(i, 1);
          this.renderSteps();
          this.changed();
        })),
      typeProblem,
      h('div', {class: 'fields'},
        this.input(s, 'title', 'Label (not sent)', 'text', null, `${base}.title`),
        fields,
        this.input(s, 'delay_seconds_min', 'Wait after, min (s)', 'number', null, `${base}.delay_seconds_min`),
        this.input(s, 'delay_seconds_max', 'Wait after, max (s)', 'number', null, `${base}.delay_seconds_max`)));
  }

  renderPreview() {
    const n = this.f.steps.length;
    replace(this.preview, this.f.steps.map((s, i) => h('li', {},
      `${s.title ? `${s.title}: ` : ''}${describe(s)}`, ' ', h('span', {class: 'delay'}, delayText(s, i === n - 1)))));
  }

  // value is the funnel to send.
  value() {
    return structuredClone(this.f);
  }

  // showProblems marks the inputs named by problem paths ("steps[2].url", "probability").
  showProblems(errors = [], warnings = []) {
    for (const [k, el] of Object.entries(this.problemEls)) {
      el.hidden = true;
      this.inputs[k]?.removeAttribute('aria-invalid');
    }
    const place = (p, cls) => {
      const el = this.problemEls[p.field];
      if (!el || !el.hidden) return;
      el.hidden = false;
      el.className = `problem ${cls}`;
      el.textContent = p.message;
      if (cls === 'error-text') this.inputs[p.field]?.setAttribute('aria-invalid', 'true');
    };
    errors.forEach((p) => place(p, 'error-text'));
    warnings.forEach((p) => place(p, 'warn-text'));
  }
}
