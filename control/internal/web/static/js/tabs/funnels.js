// Funnels tab: the funnels (scripted journeys) by priority, an editor with typed steps (add,
// remove, reorder, duplicate), validation against the API's rules, a preview, templates, and
// funnels.json import/export. Enabled funnels are copied into each run when it starts.

import {h, replace, debounce, sequence, pickFile} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {toast, report, confirm, busy, problemList, emptyState, exportJSON} from '../ui.js';
import {TEMPLATES, emptyFunnel} from '../components/funnelsteps.js';
import {FunnelEditor} from '../components/funneleditor.js';

export function mount(root, params) {
  let selected = params.id || '';
  let editor = null;
  const list = h('ul', {class: 'item-list', 'aria-label': 'Funnels'});
  const main = h('section', {class: 'panel', 'aria-label': 'Funnel editor'});
  const tpl = h('select', {id: 'funnel-template', 'aria-label': 'Start from a template'},
    h('option', {value: ''}, 'From a template…'), Object.keys(TEMPLATES).map((k) => h('option', {value: k}, k)));
  tpl.addEventListener('change', () => {
    if (!tpl.value) return;
    const t = tpl.value;
    tpl.value = '';
    router.setParams({id: 'new', template: t}, {replace: false, merge: false});
  });
  const btn = (label, fn, attrs = {}) => h('button', {type: 'button', class: 'small', ...attrs, onclick: (e) => fn(e.currentTarget)}, label);
  replace(root, h('div', {class: 'split'},
    h('aside', {class: 'panel'},
      h('div', {class: 'panel-head'}, h('h2', {}, 'Funnels'), btn('+ New', () => router.setParams({id: 'new'}, {replace: false, merge: false}), {id: 'new-funnel'})),
      tpl, list,
      h('div', {class: 'row'}, btn('Import…', (b) => importFunnels(b).then(() => loadList())), btn('Export', (b) => exportJSON(b, '/api/funnels/export', 'funnels.json'))),
      h('p', {class: 'muted small'}, 'Enabled funnels take effect on the next run started.')),
    main));

  let fs = [];
  async function loadList() {
    try {
      fs = await api.get('/api/funnels');
    } catch (err) {
      report(err, 'Funnels');
    }
    renderList();
    return fs;
  }

  function renderList() {
    replace(list, fs.length ? fs.map((f) => h('li', {},
      h('a', {href: router.link('funnels', {id: f.id}), 'aria-current': String(f.id) === String(selected) ? 'true' : null},
        f.name, h('span', {class: 'meta'}, `${f.enabled ? 'enabled' : 'disabled'} · p ${f.probability} · priority ${f.priority} · ${f.step_count} step(s)`))))
      : h('li', {class: 'muted small'}, 'No funnels yet.'));
  }

  async function open(id, template) {
    editor?.destroy();
    editor = null;
    await loadList();
    if (!id && fs.length) id = String(fs[0].id);
    selected = id || 'new';
    router.setParams({id: selected, template: null});
    renderList();
    let funnel;
    let fid = null;
    if (selected === 'new') {
      funnel = structuredClone(template && TEMPLATES[template] ? TEMPLATES[template] : emptyFunnel());
    } else {
      try {
        const v = await api.get(`/api/funnels/${encodeURIComponent(selected)}`);
        funnel = v.funnel;
        fid = v.id;
      } catch (err) {
        replace(main, emptyState(err.status === 404 ? `Funnel ${selected} does not exist.` : err.message));
        return;
      }
    }
    editor = new Editor(main, funnel, fid, {saved: (v) => open(String(v.id)), deleted: () => open('')});
  }

  open(selected, params.template);
  return {
    update(p) {
      if ((p.id || '') !== selected || p.template) open(p.id || '', p.template);
    },
    refresh: () => open(selected),
    save: () => editor?.save(),
    create: () => router.setParams({id: 'new'}, {replace: false, merge: false}),
    destroy: () => editor?.destroy(),
  };
}

// Editor wraps the funnel editor with validation, save and delete.
class Editor {
  constructor(root, funnel, id, hooks) {
    this.checks = sequence();
    this.id = id;
    this.hooks = hooks;
    this.problems = h('div', {id: 'funnel-problems', 'aria-live': 'polite'});
    this.validate = debounce(() => this.check(), 500);
    this.editor = new FunnelEditor(funnel, () => this.validate());
    this.saveBtn = h('button', {type: 'submit', class: 'primary', id: 'save-funnel'}, 'Save funnel');
    replace(root, h('form', {novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      this.save();
    }},
    h('div', {class: 'panel-head'}, h('h2', {}, id ? `Funnel #${id}` : 'New funnel')),
    this.problems, this.editor.el,
    h('div', {class: 'row sticky-actions'}, this.saveBtn,
      h('button', {type: 'button', onclick: (e) => busy(e.currentTarget, () => this.check(true))}, 'Validate'),
      h('span', {class: 'spacer'}),
      id ? h('button', {type: 'button', class: 'danger', onclick: (e) => this.remove(e.currentTarget)}, 'Delete') : null)));
    this.check();
  }

  show(errors, warnings) {
    this.editor.showProblems(errors, warnings);
    replace(this.problems, problemList(errors, warnings));
  }

  async check(announce) {
    const ticket = this.checks.next();
    try {
      const res = await api.post('/api/funnels/validate', this.editor.value());
      if (!this.checks.current(ticket)) return false; // a newer check is under way
      this.show(res.errors, res.warnings);
      if (announce) toast(res.valid ? 'The funnel is valid.' : `${res.errors.length} problem(s) to fix.`, res.valid ? 'ok' : 'warn');
    } catch (err) {
      if (!this.checks.current(ticket)) return false;
      if (err.status === 400) this.show(err.errors, err.warnings);
      else if (announce) report(err, 'Validate');
    }
  }

  async save() {
    this.validate.cancel();
    try {
      const v = await busy(this.saveBtn, () => (this.id
        ? api.put(`/api/funnels/${this.id}`, this.editor.value())
        : api.post('/api/funnels', this.editor.value())));
      toast(`Funnel “${v.name}” saved; it applies to the next run started.`, 'ok');
      this.hooks.saved(v);
    } catch (err) {
      if (err.status === 400) {
        this.show(err.errors, err.warnings);
        toast('Not saved: fix the marked fields.', 'bad');
      } else report(err, 'Save funnel');
    }
  }

  async remove(button) {
    if (!await confirm({title: 'Delete this funnel?', confirmLabel: 'Delete', danger: true})) return;
    try {
      await busy(button, () => api.del(`/api/funnels/${this.id}`));
      toast('Funnel deleted.', 'ok');
      this.hooks.deleted();
    } catch (err) {
      report(err, 'Delete');
    }
  }

  destroy() {
    this.validate.cancel();
  }
}

async function importFunnels(button) {
  const file = await pickFile('.json,application/json');
  if (!file) return;
  const text = await file.text();
  const send = (rep) => api.request('POST', `/api/funnels/import${rep ? '?replace=1' : ''}`, text, {headers: {'Content-Type': 'application/json'}});
  try {
    let res;
    try {
      res = await busy(button, () => send(false));
    } catch (err) {
      if (err.status !== 409) throw err;
      if (!await confirm({title: 'Replace funnels?', message: `${err.message}. Replace the funnels that have the same names?`, confirmLabel: 'Replace'})) return;
      res = await busy(button, () => send(true));
    }
    toast(`Imported ${res.imported} funnel(s), replaced ${res.replaced}.`, 'ok');
  } catch (err) {
    report(err, 'Import');
  }
}
