// A content-set tab (URL lists, event sets): the sets and the built-in one on the left; an
// editor with validation, upload, download, default flag, save and delete on the right; and a
// preview the kind renders (URL structure, event statistics). The default set is copied into
// each run started without another choice.

import {h, replace, debounce, sequence, download, pickFile} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {toast, report, confirm, busy, problemList, emptyState} from '../ui.js';
import {bytes, int} from '../format.js';
import {schema} from './form.js';

// kind: {tab, base ('/api/url-sets'), noun, accept, ext, mime, placeholder, loadContent(view, id),
// preview(el, validation), format(text) optional, builtin (false: the kind has no built-in set),
// example (the text a new set starts with) optional}
export function mountSets(root, params, kind) {
  let selected = params.id || '';
  let sets = [];
  let editor = null;
  const list = h('ul', {class: 'item-list', 'aria-label': `${kind.noun}s`});
  const main = h('section', {class: 'panel', 'aria-label': `${kind.noun} editor`});
  replace(root, h('div', {class: 'split'},
    h('aside', {class: 'panel'},
      h('div', {class: 'panel-head'}, h('h2', {}, kind.title),
        h('button', {type: 'button', class: 'small', id: `new-${kind.tab}`, onclick: () => router.setParams({id: 'new'}, {replace: false, merge: false})}, '+ New')),
      list,
      h('p', {class: 'muted small'}, `The default ${kind.noun} is used by the next run started (unless another is chosen when starting).`)),
    main));

  function renderList() {
    const item = (id, name, meta) => h('li', {}, h('a', {href: router.link(kind.tab, {id}), 'aria-current': String(id) === String(selected) ? 'true' : null},
      name, h('span', {class: 'meta'}, meta)));
    replace(list, kind.builtin === false ? null : item('builtin', 'Built-in', 'read-only'),
      sets.map((s) => item(s.id, s.name, `${s.default ? 'default · ' : ''}${bytes(s.size)}`)));
  }

  async function open(id) {
    editor?.destroy();
    try {
      sets = await api.get(kind.base);
    } catch (err) {
      report(err, kind.title);
    }
    if (!id) id = String(sets.find((s) => s.default)?.id || (kind.builtin === false ? sets[0]?.id || 'new' : 'builtin'));
    selected = id;
    const copy = params.copy;
    params = {...params, copy: undefined};
    router.setParams({id, copy: null});
    renderList();
    replace(main, h('p', {class: 'muted'}, 'Loading…'));
    let view = {name: '', default: false};
    let text = '';
    let limits;
    try {
      ({limits} = await schema());
      if (id !== 'new') {
        view = await api.get(`${kind.base}/${encodeURIComponent(id)}`);
        text = await kind.loadContent(view, id);
      } else if (copy === 'builtin') {
        text = await kind.loadContent(await api.get(`${kind.base}/builtin`), 'builtin');
      } else if (kind.example) {
        text = kind.example;
      }
    } catch (err) {
      replace(main, emptyState(err.status === 404 ? `${kind.noun} ${id} does not exist.` : err.message));
      return;
    }
    editor = new SetEditor(main, kind, id, view, text, limits, {saved: (v) => open(String(v.id)), deleted: () => open('')});
  }

  open(selected);
  return {
    update(p) {
      params = p;
      if ((p.id || '') !== selected || p.copy) open(p.id || '');
    },
    refresh: () => open(selected),
    save: () => editor?.save(),
    create: () => router.setParams({id: 'new'}, {replace: false, merge: false}),
    destroy: () => editor?.destroy(),
  };
}

class SetEditor {
  // limits: the schema's (the name's length).
  constructor(root, kind, id, view, text, limits, hooks) {
    this.checks = sequence();
    this.kind = kind;
    this.id = id;
    this.hooks = hooks;
    this.readOnly = id === 'builtin';
    this.validate = debounce(() => this.check(), 600);
    this.name = h('input', {id: `${kind.tab}-name`, type: 'text', maxlength: limits.name_max_chars, value: this.readOnly ? 'Built-in' : view.name, disabled: this.readOnly, required: true});
    this.isDefault = h('input', {type: 'checkbox', id: `${kind.tab}-default`, checked: Boolean(view.default), disabled: this.readOnly});
    this.text = h('textarea', {class: 'editor', id: `${kind.tab}-content`, spellcheck: 'false', readOnly: this.readOnly,
      placeholder: kind.placeholder, 'aria-label': `${kind.noun} content`});
    this.text.value = text;
    this.text.addEventListener('input', () => this.validate());
    this.lines = h('span', {class: 'muted small'});
    this.problems = h('div', {id: `${kind.tab}-problems`, 'aria-live': 'polite'});
    this.preview = h('div', {id: `${kind.tab}-preview`});
    this.saveBtn = h('button', {type: 'submit', class: 'primary', id: `save-${kind.tab}`, hidden: this.readOnly}, 'Save');
    const btn = (label, fn, attrs = {}) => h('button', {type: 'button', ...attrs, onclick: (e) => fn(e.currentTarget)}, label);
    replace(root, h('form', {novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      this.save();
    }},
    h('div', {class: 'panel-head'}, h('h2', {}, this.readOnly ? `Built-in ${kind.noun}` : id === 'new' ? `New ${kind.noun}` : `${kind.noun} #${id}`), this.lines),
    this.readOnly ? h('p', {class: 'notice'}, 'The built-in set is read-only. ',
      h('a', {href: router.link(kind.tab, {id: 'new', copy: 'builtin'})}, 'Copy it into a new set'), ' to change it.') : null,
    h('div', {class: 'grid-2'},
      h('div', {class: 'field'}, h('label', {for: this.name.id}, 'Name'), this.name),
      h('div', {class: 'field'}, h('label', {class: 'check'}, this.isDefault, `Default ${kind.noun} for new runs`))),
    this.problems,
    h('div', {class: 'grid-2'},
      h('div', {}, this.text),
      h('div', {}, h('h3', {}, 'Preview'), this.preview)),
    h('div', {class: 'row sticky-actions'}, this.saveBtn,
      btn('Validate', (b) => busy(b, () => this.check(true))),
      this.readOnly ? null : btn('Upload file…', (b) => this.upload(b)),
      kind.format && !this.readOnly ? btn('Format', () => this.format()) : null,
      btn('Download', () => download(`${this.name.value || kind.tab}${kind.ext}`, this.text.value, kind.mime)),
      h('span', {class: 'spacer'}),
      !this.readOnly && id !== 'new' ? btn('Delete', (b) => this.remove(b), {class: 'danger'}) : null)));
    this.show(view.count !== undefined ? {...view, errors: [], warnings: view.warnings || []} : null);
    if (view.count === undefined && text) this.check();
  }

  show(v) {
    const n = this.text.value ? this.text.value.split('\n').length : 0;
    this.lines.textContent = `${int(n)} lines`;
    if (!v) {
      replace(this.problems);
      replace(this.preview, h('p', {class: 'muted'}, 'Validate to see the preview.'));
      return;
    }
    replace(this.problems, problemList(v.errors || [], v.warnings || [], () => this.text.id));
    this.kind.preview(this.preview, v);
  }

  async check(announce) {
    const ticket = this.checks.next();
    try {
      const res = await api.post(`${this.kind.base}/validate`, {content: this.text.value});
      if (!this.checks.current(ticket)) return false; // a newer check is under way
      this.show(res);
      if (announce) toast(res.valid ? `Valid: ${int(res.count)} ${this.kind.unit}.` : `${res.errors.length} problem(s).`, res.valid ? 'ok' : 'warn');
    } catch (err) {
      if (!this.checks.current(ticket)) return false;
      if (err.status === 400) this.show({errors: err.errors, warnings: err.warnings});
      else if (announce) report(err, 'Validate');
    }
  }

  async upload(button) {
    const file = await pickFile(this.kind.accept);
    if (!file) return;
    await busy(button, async () => {
      this.text.value = await file.text();
      if (!this.name.value.trim()) this.name.value = file.name.replace(/\.[^.]+$/, '');
      await this.check(true);
    });
  }

  format() {
    try {
      this.text.value = `${JSON.stringify(JSON.parse(this.text.value), null, 2)}\n`;
      this.check();
    } catch (err) {
      toast(`Not valid JSON: ${err.message}`, 'bad');
    }
  }

  async save() {
    if (this.readOnly) return;
    this.validate.cancel();
    const body = {name: this.name.value.trim(), content: this.text.value, default: this.isDefault.checked};
    try {
      const v = await busy(this.saveBtn, () => (this.id === 'new'
        ? api.post(this.kind.base, body)
        : api.put(`${this.kind.base}/${this.id}`, body)));
      toast(`Saved “${v.name}”; it applies to the next run started.`, 'ok');
      this.hooks.saved(v);
    } catch (err) {
      if (err.status === 400) {
        this.show({errors: err.errors, warnings: err.warnings});
        toast('Not saved: see the problems.', 'bad');
      } else report(err, 'Save');
    }
  }

  async remove(button) {
    if (!await confirm({title: `Delete ${this.kind.noun} “${this.name.value}”?`, confirmLabel: 'Delete', danger: true})) return;
    try {
      await busy(button, () => api.del(`${this.kind.base}/${this.id}`));
      toast('Deleted.', 'ok');
      this.hooks.deleted();
    } catch (err) {
      report(err, 'Delete');
    }
  }

  destroy() {
    this.validate.cancel();
  }
}
