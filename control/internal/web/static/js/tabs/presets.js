// Presets tab: the four built-ins and the user presets as cards (visits/day, visits/hour,
// concurrency, pageview range). Apply fills the config form (targets and tokens are kept; nothing
// is saved until you save the config). User presets can be renamed, deleted, exported and
// imported; new ones are saved from a config.

import {h, replace, pickFile, options, uid} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {toast, report, confirm, ask, busy, emptyState, modal, exportJSON} from '../ui.js';
import {int} from '../format.js';
import {lastConfig} from './config.js';
import {schema} from '../components/form.js';

export function mount(root) {
  const builtins = h('div', {class: 'cards', id: 'builtin-presets'});
  const users = h('div', {class: 'cards', id: 'user-presets'});
  const btn = (label, fn, attrs = {}) => h('button', {type: 'button', ...attrs, onclick: (e) => fn(e.currentTarget)}, label);
  replace(root,
    h('section', {class: 'panel'}, h('div', {class: 'panel-head'}, h('h2', {}, 'Built-in presets'),
      h('p', {class: 'muted small'}, 'The same values as presets/.env.light … .env.extreme.')), builtins),
    h('section', {class: 'panel'}, h('div', {class: 'panel-head'}, h('h2', {}, 'My presets'),
      h('div', {class: 'row'},
        btn('Save from a config…', (b) => saveFromConfig(b).then(load), {id: 'save-preset'}),
        btn('Import…', (b) => importPresets(b).then(load), {id: 'import-presets'}),
        btn('Export', (b) => exportJSON(b, '/api/presets/export', 'trafficinator-presets.json'), {id: 'export-presets'}))), users));

  async function load() {
    let list;
    try {
      list = await api.get('/api/presets');
    } catch (err) {
      report(err, 'Presets');
      return;
    }
    replace(builtins, list.filter((p) => p.builtin).map((p) => card(p, load)));
    const mine = list.filter((p) => !p.builtin);
    replace(users, mine.length ? mine.map((p) => card(p, load)) : emptyState('No presets of your own yet. Save one from a config.'));
  }
  load();
  return {refresh: load};
}

function card(p, reload) {
  const c = p.config || {};
  const perDay = Number(c.TARGET_VISITS_PER_DAY);
  const pv = c.PAGEVIEWS_MIN !== undefined ? `${c.PAGEVIEWS_MIN}–${c.PAGEVIEWS_MAX}` : '–';
  const btn = (label, fn, cls) => h('button', {type: 'button', class: `small ${cls || ''}`, 'aria-label': `${label} preset ${p.name}`, onclick: (e) => fn(e.currentTarget)}, label);
  return h('article', {class: `card ${p.builtin ? 'builtin' : ''}`, dataset: {preset: p.id}, 'aria-label': `Preset ${p.name}`},
    h('h3', {}, p.name),
    p.description ? h('p', {class: 'muted small'}, p.description) : null,
    h('dl', {},
      h('dt', {}, 'Visits/day'), h('dd', {}, int(perDay)),
      h('dt', {}, 'Visits/hour'), h('dd', {}, Number.isFinite(perDay) ? int(perDay / 24) : '–'),
      h('dt', {}, 'Concurrency'), h('dd', {}, int(c.CONCURRENCY)),
      h('dt', {}, 'Pageviews'), h('dd', {}, pv)),
    h('div', {class: 'row'},
      btn('Apply', () => apply(p), 'primary'),
      p.builtin ? null : btn('Rename', (b) => rename(p, b).then(reload)),
      p.builtin ? null : btn('Delete', (b) => remove(p, b).then(reload), 'danger')));
}

function apply(p) {
  const target = lastConfig() || 'new';
  router.go('config', {id: target, preset: p.id});
}

async function rename(p, button) {
  let limits;
  try {
    ({limits} = await schema());
  } catch (err) {
    report(err, 'Rename');
    return;
  }
  const name = await ask({title: `Rename preset “${p.name}”`, label: 'New name', value: p.name, confirmLabel: 'Rename', maxlength: limits.name_max_chars});
  if (!name || name === p.name) return;
  try {
    await busy(button, () => api.put(`/api/presets/${p.id}`, {name, description: p.description, config: p.config}));
    toast(`Renamed to “${name}”.`, 'ok');
  } catch (err) {
    report(err, 'Rename');
  }
}

async function remove(p, button) {
  if (!await confirm({title: `Delete preset “${p.name}”?`, confirmLabel: 'Delete', danger: true})) return;
  try {
    await busy(button, () => api.del(`/api/presets/${p.id}`));
    toast('Preset deleted.', 'ok');
  } catch (err) {
    report(err, 'Delete');
  }
}

async function importPresets(button) {
  const file = await pickFile('.json,application/json');
  if (!file) return;
  let body;
  try {
    body = JSON.parse(await file.text());
  } catch {
    toast('That file is not JSON.', 'bad');
    return;
  }
  const send = (replaceExisting) => api.post(`/api/presets/import${replaceExisting ? '?replace=1' : ''}`, body);
  try {
    let res;
    try {
      res = await busy(button, () => send(false));
    } catch (err) {
      if (err.status !== 409) throw err;
      if (!await confirm({title: 'Replace presets?', message: `${err.message}. Replace the presets that have the same names?`, confirmLabel: 'Replace'})) return;
      res = await busy(button, () => send(true));
    }
    toast(`Imported ${res.imported} preset(s), replaced ${res.replaced}.`, 'ok');
  } catch (err) {
    report(err, 'Import');
  }
}

// saveFromConfig saves a saved config's settings (without tokens) as a preset.
async function saveFromConfig(button) {
  let configs;
  let limits;
  try {
    [configs, {limits}] = await Promise.all([api.get('/api/configs'), schema()]);
  } catch (err) {
    report(err, 'Configs');
    return;
  }
  if (!configs.length) {
    toast('Save a config first.', 'warn');
    return;
  }
  const choice = await modal((close, titleId) => {
    const sel = h('select', {id: uid('p')}, options(configs.map((c) => [String(c.id), c.name]), lastConfig()));
    const name = h('input', {id: uid('p'), type: 'text', required: true, maxlength: limits.name_max_chars});
    return h('form', {class: 'dialog-body', onsubmit: (e) => {
      e.preventDefault();
      close({id: sel.value, name: name.value.trim()});
    }},
    h('h2', {id: titleId}, 'Save a preset from a config'),
    h('label', {for: sel.id}, 'Config'), sel,
    h('label', {for: name.id}, 'Preset name'), name,
    h('p', {class: 'muted small'}, 'Tokens are never stored in presets.'),
    h('div', {class: 'dialog-actions'}, h('button', {type: 'button', class: 'ghost', onclick: () => close(null)}, 'Cancel'),
      h('button', {type: 'submit', class: 'primary'}, 'Save preset')));
  });
  if (!choice || !choice.name) return;
  try {
    const cfg = await api.get(`/api/configs/${choice.id}`);
    await busy(button, () => api.post('/api/presets', {name: choice.name, description: cfg.description || '', config: cfg.config}));
    toast(`Preset “${choice.name}” saved.`, 'ok');
  } catch (err) {
    report(err, 'Save preset');
  }
}
