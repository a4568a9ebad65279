// Config tab: saved configs on the left; on the right the schema-driven form with inline
// validation (POST /api/validate while typing), the targets editor with connection tests, and
// save / save as preset / env export / delete / start. Applying a preset lands here (?preset=).

import {h, replace, debounce, sequence, download} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {schema, defaults} from '../components/form.js';
import {ConfigForm} from '../components/configform.js';
import {toast, report, confirm, ask, busy, problemList, emptyState} from '../ui.js';
import {ago} from '../format.js';

const LAST = 'trafficinator.lastConfig';

// rememberConfig notes the config last worked on (presets and backfill start from it).
export function rememberConfig(id) {
  if (id) sessionStorage.setItem(LAST, String(id));
}

export function lastConfig() {
  return sessionStorage.getItem(LAST) || '';
}

export function mount(root, params) {
  const list = h('ul', {class: 'item-list', 'aria-label': 'Saved configs'});
  const editor = h('section', {class: 'panel', 'aria-label': 'Config editor'});
  replace(root, h('div', {class: 'split'},
    h('aside', {class: 'panel'},
      h('div', {class: 'panel-head'}, h('h2', {}, 'Configs'),
        h('button', {type: 'button', class: 'small', id: 'new-config', onclick: () => router.setParams({id: 'new'}, {replace: false, merge: false})}, '+ New')),
      list),
    editor));
  let state = {id: params.id || lastConfig() || '', configs: []};
  let current = null;

  async function loadList() {
    try {
      state.configs = await api.get('/api/configs');
    } catch (err) {
      report(err, 'Loading configs');
    }
    renderList();
  }

  function renderList() {
    replace(list, state.configs.length ? state.configs.map((c) => h('li', {},
      h('a', {href: router.link('config', {id: c.id}), 'aria-current': String(c.id) === String(state.id) ? 'true' : null},
        c.name, h('span', {class: 'meta'}, `#${c.id} · updated ${ago(c.updated_at)}`)))) : h('li', {class: 'muted small'}, 'No saved configs yet.'));
  }

  async function open(id, preset) {
    current?.destroy();
    current = null;
    await loadList();
    if (id && id !== 'new' && !state.configs.some((c) => String(c.id) === String(id))) id = '';
    if (!id && state.configs.length) id = String(state.configs[0].id);
    if (!id) id = 'new';
    state.id = id;
    router.setParams({id, preset: null});
    renderList();
    if (id !== 'new') rememberConfig(id);
    replace(editor, h('p', {class: 'muted'}, 'Loading…'));
    try {
      const s = await schema();
      const cfg = id === 'new'
        ? {id: null, name: '', description: '', config: defaults(s), token_set: {}}
        : await api.get(`/api/configs/${encodeURIComponent(id)}`);
      current = new Editor(editor, s, cfg, {
        onSaved: (saved) => open(String(saved.id)),
        onDeleted: () => open(''),
      });
      if (preset) await current.applyPreset(preset);
    } catch (err) {
      replace(editor, emptyState(err.status === 404 ? `Config ${id} does not exist.` : `Cannot load the config: ${err.message}`));
      if (err.status !== 404) report(err);
    }
  }

  open(state.id, params.preset);
  return {
    update(p) {
      if ((p.id || '') !== state.id || p.preset) open(p.id || '', p.preset);
    },
    refresh: () => open(state.id),
    save: () => current?.save(),
    create: () => router.setParams({id: 'new'}, {replace: false, merge: false}),
    destroy: () => current?.destroy(),
  };
}

// Editor is the form of one config.
class Editor {
  constructor(root, s, cfg, hooks) {
    this.checks = sequence();
    this.cfg = cfg;
    this.hooks = hooks;
    this.validate = debounce(() => this.runValidate(), 450);
    const onInput = () => this.changed();
    this.form = new ConfigForm(s, {onInput, ctx: {configId: () => this.cfg.id, values: () => this.form.read().values}});
    this.limits = s.limits;
    this.nameInput = h('input', {id: 'config-name', type: 'text', required: true, maxlength: s.limits.name_max_chars, value: cfg.name, placeholder: 'e.g. staging baseline', oninput: onInput});
    this.descInput = h('input', {id: 'config-desc', type: 'text', maxlength: s.limits.description_max_chars, value: cfg.description || '', oninput: onInput});
    this.summary = h('div', {id: 'config-problems', 'aria-live': 'polite'});
    this.dirty = h('span', {class: 'dirty', hidden: true}, 'unsaved changes');
    this.saveBtn = h('button', {type: 'submit', class: 'primary', id: 'save-config'}, 'Save');
    const btn = (label, fn, attrs = {}) => h('button', {type: 'button', ...attrs, onclick: (e) => fn(e.currentTarget)}, label);
    const saved = cfg.id !== null;
    replace(root, h('form', {id: 'config-form', novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      this.save();
    }},
    h('div', {class: 'panel-head'}, h('h2', {}, saved ? `Config #${cfg.id}` : 'New config'), this.dirty),
    h('div', {class: 'grid-2'},
      h('div', {class: 'field'}, h('label', {for: 'config-name'}, 'Name'), this.nameInput, h('p', {class: 'problem error-text', id: 'config-name-problem', hidden: true})),
      h('div', {class: 'field'}, h('label', {for: 'config-desc'}, 'Description'), this.descInput)),
    this.summary,
    this.form.el,
    h('div', {class: 'row sticky-actions'},
      this.saveBtn,
      btn('Validate', (b) => busy(b, () => this.runValidate(true)), {id: 'validate-config'}),
      btn('Save as preset…', (b) => this.saveAsPreset(b)),
      saved ? btn('Start live run', (b) => this.start(b), {id: 'start-from-config'}) : null,
      saved ? btn('Download .env', (b) => this.env(b)) : null,
      h('span', {class: 'spacer'}),
      saved ? btn('Delete', (b) => this.remove(b), {class: 'danger'}) : null)));
    this.form.fill(cfg.config || {}, cfg.token_set || {});
    if (cfg.warnings?.length) this.show([], cfg.warnings);
  }

  destroy() {
    this.validate.cancel();
  }

  changed() {
    this.dirty.hidden = false;
    this.validate();
  }

  show(errors, warnings) {
    const rest = this.form.showProblems(errors, warnings);
    const nameErr = errors.find((p) => p.field === 'name');
    const np = document.getElementById('config-name-problem');
    if (np) {
      np.hidden = !nameErr;
      np.textContent = nameErr ? nameErr.message : '';
    }
    // The summary lists everything, linked to the field that shows it.
    replace(this.summary, problemList(errors, warnings, (f) => (f === 'name' ? 'config-name' : this.form.elementFor(f))));
    return rest;
  }

  async runValidate(announce) {
    const {values} = this.form.read();
    const body = {config: values};
    if (this.cfg.id) body.config_id = this.cfg.id;
    const ticket = this.checks.next();
    try {
      const res = await api.post('/api/validate', body);
      if (!this.checks.current(ticket)) return false; // a newer check is under way
      this.show(res.errors, res.warnings);
      if (announce) toast(res.valid ? 'The config is valid.' : `${res.errors.length} problem(s) to fix.`, res.valid ? 'ok' : 'warn');
    } catch (err) {
      if (!this.checks.current(ticket)) return false;
      if (announce) report(err, 'Validate');
    }
  }

  async save() {
    this.validate.cancel();
    const {values, clear} = this.form.read();
    const body = {name: this.nameInput.value.trim(), description: this.descInput.value.trim(), config: values};
    if (clear.length) body.clear_tokens = clear;
    try {
      const saved = await busy(this.saveBtn, () => (this.cfg.id
        ? api.put(`/api/configs/${this.cfg.id}`, body)
        : api.post('/api/configs', body)));
      this.cfg = saved;
      this.dirty.hidden = true;
      toast(`Saved “${saved.name}”.`, 'ok');
      await this.hooks.onSaved(saved);
    } catch (err) {
      if (err.status === 400) {
        this.show(err.errors, err.warnings);
        toast('Not saved: fix the marked fields.', 'bad');
        document.getElementById('config-problems')?.scrollIntoView({block: 'nearest'});
      } else report(err, 'Save');
    }
  }

  async applyPreset(id) {
    try {
      const p = await api.get(`/api/presets/${encodeURIComponent(id)}`);
      const vals = {...p.config};
      for (const k of Object.keys(vals)) if (k.startsWith('MATOMO_') || k === 'TARGET_MODE') delete vals[k];
      this.form.set(vals);
      this.changed();
      toast(`Preset “${p.name}” applied: targets and tokens kept. Review and save.`, 'ok');
    } catch (err) {
      report(err, 'Apply preset');
    }
  }

  async saveAsPreset(button) {
    const name = await ask({title: 'Save as preset', label: 'Preset name', value: this.nameInput.value.trim(), maxlength: this.limits.name_max_chars,
      help: 'Presets keep the traffic settings only: targets are kept but tokens are never stored in a preset.'});
    if (!name) return;
    const {values} = this.form.read();
    delete values.MATOMO_TOKEN_AUTH;
    if (values.MATOMO_TARGETS) values.MATOMO_TARGETS = values.MATOMO_TARGETS.map(({token_auth: _t, ...t}) => t);
    try {
      await busy(button, () => api.post('/api/presets', {name, description: this.descInput.value.trim(), config: values}));
      toast(`Preset “${name}” saved.`, 'ok');
    } catch (err) {
      report(err, 'Save preset');
    }
  }

  async start(button) {
    if (!this.dirty.hidden) {
      toast('Save the config first: runs start from the saved version.', 'warn');
      return;
    }
    try {
      const run = await busy(button, () => api.post('/api/runs', {config_id: this.cfg.id, mode: 'live', name: this.cfg.name}));
      toast(`Run ${run.id} started.`, 'ok');
      router.go('dashboard', {run: run.id});
    } catch (err) {
      report(err, 'Start');
    }
  }

  async env(button) {
    try {
      const text = await busy(button, () => api.get(`/api/configs/${this.cfg.id}/env`, {text: true}));
      download(`${this.cfg.name || 'trafficinator'}.env`, text);
    } catch (err) {
      report(err, 'Download');
    }
  }

  async remove(button) {
    const ok = await confirm({title: `Delete config “${this.cfg.name}”?`, message: 'Runs keep their own copy of the config.', confirmLabel: 'Delete', danger: true});
    if (!ok) return;
    try {
      await busy(button, () => api.del(`/api/configs/${this.cfg.id}`));
      toast('Config deleted.', 'ok');
      await this.hooks.onDeleted();
    } catch (err) {
      report(err, 'Delete');
    }
  }
}
