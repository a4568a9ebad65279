// ConfigForm renders the schema's groups as collapsible sections of typed fields (the Targets
// group as the targets editor), reads them back as the API's JSON config, and places the
// problems of POST /api/validate next to the fields they are about.

import {h} from '../dom.js';
import {Field, fieldMap} from './form.js';
import {TargetsSection} from './targets.js';

const TARGET_FIELDS = new Set(['MATOMO_URL', 'MATOMO_SITE_ID', 'MATOMO_TOKEN_AUTH', 'MATOMO_TARGETS', 'TARGET_MODE']);
const OPEN_GROUPS = new Set(['Targets', 'Traffic', 'Visit mix', 'Ecommerce']);
const GROUP_NOTES = {
  'Content files': 'For runs started by the control, the URL set, event set and enabled funnels of their tabs are copied into the loader; these paths matter when you run the loader yourself.',
  Backfill: 'The Backfill tab edits these settings with an estimate and starts the backfill.',
};

export class ConfigForm {
  // opts: groups (names to show; default all), onInput, ctx for the targets section,
  // idPrefix for element ids, open (group names open at first), notes and modeTags (group notes
  // and "live only" tags; off where the whole form is about one mode).
  constructor(schema, {groups, onInput = () => {}, ctx, idPrefix = 'cfg', open = OPEN_GROUPS, notes = true, modeTags = true} = {}) {
    this.schema = schema;
    this.fieldsByName = fieldMap(schema);
    this.fields = [];
    this.groupEls = new Map();
    const show = groups || schema.groups;
    this.targets = null;
    const sections = show.map((g) => {
      const body = h('div', {class: 'fields'});
      const details = h('details', {class: 'group', open: open.has(g), dataset: {group: g}},
        h('summary', {}, g), notes && GROUP_NOTES[g] ? h('p', {class: 'muted small notice'}, GROUP_NOTES[g]) : null);
      if (g === 'Targets') {
        this.targets = new TargetsSection(schema, onInput, ctx, idPrefix);
        details.append(h('div', {class: 'fields-block'}, this.targets.el));
        details.classList.add('targets-group');
      } else {
        for (const info of schema.fields.filter((f) => f.group === g && !TARGET_FIELDS.has(f.name))) {
          const f = new Field(info, {onInput, idPrefix, modeTag: modeTags});
          this.fields.push(f);
          body.append(f.el);
        }
        details.append(body);
      }
      this.groupEls.set(g, details);
      return details;
    });
    this.el = h('div', {class: 'config-form'}, sections);
  }

  // fill shows a config map (the API's JSON form) and which tokens are stored.
  fill(values, tokenSet) {
    for (const f of this.fields) f.write(values[f.info.name]);
    if (this.targets) this.targets.fill(values, tokenSet);
  }

  // set changes some settings (a preset being applied) without touching the others.
  set(values) {
    for (const f of this.fields) {
      if (Object.hasOwn(values, f.info.name)) f.write(values[f.info.name]);
    }
  }

  // read returns {values, clear}: the config map to send and the token slots to clear.
  read() {
    const values = {};
    for (const f of this.fields) {
      const v = f.read();
      if (v !== undefined) values[f.info.name] = v;
    }
    let clear = [];
    if (this.targets) {
      const t = this.targets.read();
      Object.assign(values, t.values);
      clear = t.clear;
      if (values.TARGET_MODE === undefined) delete values.TARGET_MODE;
    }
    return {values, clear};
  }

  // showProblems marks the fields; it returns the problems no field shows.
  showProblems(errors = [], warnings = []) {
    const all = errors.map((p) => ({...p, kind: 'error'})).concat(warnings.map((p) => ({...p, kind: 'warning'})));
    for (const f of this.fields) f.setProblem('');
    let rest = [];
    const byField = new Map(this.fields.map((f) => [f.info.name, f]));
    for (const p of all) {
      const f = byField.get(p.field);
      if (f) {
        if (!f.problem.hidden && p.kind === 'warning') continue; // an error already shows
        f.setProblem(p.message, p.kind);
        if (p.kind === 'error') this.groupEls.get(f.info.group).open = true;
      } else rest.push(p);
    }
    if (this.targets) {
      rest = this.targets.showProblems(rest);
      if (all.some((p) => p.kind === 'error' && TARGET_FIELDS.has((p.field || '').replace(/\[.*$/, '')))) {
        this.groupEls.get('Targets').open = true;
      }
    }
    return rest;
  }

  // elementFor returns the id of the input of a field, for links from the problem list.
  elementFor(field) {
    const f = this.fields.find((x) => x.info.name === field);
    if (f) return f.input.id;
    return this.targets ? this.targets.elementFor(field) : null;
  }

  // field returns the Field of a setting.
  field(name) {
    return this.fields.find((f) => f.info.name === name);
  }
}
