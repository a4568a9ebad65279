// Backfill tab: choose a saved config, set the window (dates or days back), caps, profile, seed
// and rate, see the estimate, then save those settings into the config and start a backfill
// run. Below, the backfill runs and the progress of the selected one (?run=).

import {h, replace, debounce, sequence, options} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {schema, suggestedValue} from '../components/form.js';
import {ConfigForm} from '../components/configform.js';
import {renderEstimate} from '../components/estimate.js';
import {BackfillProgress} from '../components/backfillprogress.js';
import {isActive} from '../components/runs.js';
import {toast, report, busy, problemList, badge, emptyState} from '../ui.js';
import {dateTime, pct} from '../format.js';
import {lastConfig, rememberConfig} from './config.js';

const HIDDEN = new Set(['BACKFILL_ENABLED', 'BACKFILL_STATE_FILE', 'BACKFILL_RUN_ONCE']);
const ABS = ['BACKFILL_START_DATE', 'BACKFILL_END_DATE'];
const REL = ['BACKFILL_DAYS_BACK', 'BACKFILL_DURATION_DAYS'];

export function mount(root, params) {
  let selected = params.run || '';
  let progress = null;
  let timer = 0;
  const runsBody = h('tbody');
  const progressBox = h('div', {id: 'backfill-run'});
  const planner = h('section', {class: 'panel', 'aria-labelledby': 'bf-title'}, h('p', {class: 'muted'}, 'Loading…'));
  replace(root, h('div', {class: 'backfill-layout'}, planner,
    h('div', {}, progressBox,
      h('section', {class: 'panel'}, h('h2', {}, 'Backfill runs'),
        h('div', {class: 'table-wrap'}, h('table', {}, h('thead', {}, h('tr', {},
          ['Run', 'State', 'Created', 'Progress', ''].map((t) => h('th', {scope: 'col'}, t)))), runsBody))))));

  function select(id) {
    selected = id;
    router.setParams({run: id});
    openProgress();
    loadRuns();
  }

  function openProgress() {
    progress?.destroy();
    progress = null;
    replace(progressBox);
    if (selected) progress = new BackfillProgress(progressBox, selected, {onChanged: loadRuns, onSelect: select});
  }

  async function loadRuns() {
    clearTimeout(timer);
    let list = [];
    try {
      list = (await api.get('/api/runs?limit=200')).filter((r) => r.mode === 'backfill');
    } catch (err) {
      replace(runsBody, h('tr', {}, h('td', {colspan: 5}, emptyState(err.message))));
      return;
    }
    replace(runsBody, list.length ? list.map((r) => h('tr', {class: r.id === selected ? 'selected' : null, dataset: {run: r.id}},
      h('td', {}, h('a', {href: router.link('backfill', {run: r.id}), onclick: (e) => {
        e.preventDefault();
        select(r.id);
      }}, r.name || r.id)),
      h('td', {}, badge(r.state)), h('td', {}, dateTime(r.created_at)),
      h('td', {}, r.progress ? pct(r.progress.percent) : r.state === 'completed' ? '100%' : '–'),
      h('td', {}, h('a', {class: 'button small', href: router.link('logs', {run: r.id})}, 'Logs'))))
      : h('tr', {}, h('td', {colspan: 5, class: 'muted'}, 'No backfill runs yet.')));
    if (list.some(isActive)) timer = setTimeout(loadRuns, 5000);
  }

  const plan = new Planner(planner, params.config || lastConfig(), (run) => select(run.id));
  loadRuns();
  openProgress();
  return {
    update(p) {
      if ((p.run || '') !== selected) {
        selected = p.run || '';
        openProgress();
        loadRuns();
      }
    },
    refresh: () => {
      loadRuns();
      progress?.poll();
    },
    destroy() {
      clearTimeout(timer);
      progress?.destroy();
      plan.destroy();
    },
  };
}

// Planner is the "new backfill" form.
class Planner {
  constructor(root, configId, onStarted) {
    this.checks = sequence();
    this.root = root;
    this.onStarted = onStarted;
    this.validate = debounce(() => this.check(), 450);
    this.init(configId).catch((err) => {
      replace(root, emptyState(`Cannot load: ${err.message}`));
    });
  }

  async init(configId) {
    const [s, configs] = await Promise.all([schema(), api.get('/api/configs')]);
    this.schema = s;
    if (!configs.length) {
      replace(this.root, h('h2', {id: 'bf-title'}, 'New backfill'),
        emptyState('Save a config first: a backfill sends the traffic of a saved config into past days.'),
        h('a', {class: 'button', href: router.link('config', {id: 'new'})}, 'New config'));
      return;
    }
    const id = configs.some((c) => String(c.id) === String(configId)) ? String(configId) : String(configs[0].id);
    this.select = h('select', {id: 'bf-config', onchange: () => this.load(this.select.value)},
      options(configs.map((c) => [String(c.id), `${c.name} (#${c.id})`]), id));
    const name = 'bf-window';
    this.abs = h('input', {type: 'radio', name, value: 'abs', onchange: () => this.syncWindow()});
    this.rel = h('input', {type: 'radio', name, value: 'rel', checked: true, onchange: () => this.syncWindow()});
    const groupFields = s.fields.filter((f) => f.group === 'Backfill' && !HIDDEN.has(f.name));
    this.form = new ConfigForm({...s, fields: groupFields}, {groups: ['Backfill'], onInput: () => this.changed(), idPrefix: 'bf', open: new Set(['Backfill']), notes: false, modeTags: false});
    this.estimateEl = h('div', {class: 'estimate', id: 'backfill-estimate', 'aria-live': 'polite'}, h('p', {class: 'muted'}, 'Estimating…'));
    this.problems = h('div', {'aria-live': 'polite'});
    this.nameInput = h('input', {id: 'bf-name', type: 'text', maxlength: s.limits.name_max_chars, placeholder: 'optional'});
    this.startBtn = h('button', {type: 'submit', class: 'primary', id: 'start-backfill'}, 'Save settings & start backfill');
    replace(this.root, h('form', {novalidate: true, onsubmit: (e) => {
      e.preventDefault();
      this.start();
    }},
    h('div', {class: 'panel-head'}, h('h2', {id: 'bf-title'}, 'New backfill'),
      h('p', {class: 'muted small'}, 'Sends past days in bulk, in order, as fast as the target (or the rate limit) allows. Finished days are never sent twice.')),
    h('div', {class: 'grid-2'},
      h('div', {class: 'field'}, h('label', {for: 'bf-config'}, 'Config'), this.select),
      h('div', {class: 'field'}, h('label', {for: 'bf-name'}, 'Run name'), this.nameInput)),
    h('fieldset', {class: 'row'}, h('legend', {}, 'Window'),
      h('label', {class: 'check'}, this.rel, 'Days back from today'),
      h('label', {class: 'check'}, this.abs, 'Date range')),
    this.form.el,
    h('h3', {}, 'Estimate'), this.estimateEl,
    this.problems,
    h('div', {class: 'row'}, this.startBtn)));
    await this.load(id);
  }

  async load(id) {
    try {
      this.cfg = await api.get(`/api/configs/${id}`);
    } catch (err) {
      report(err, 'Config');
      return;
    }
    rememberConfig(id);
    router.setParams({config: id});
    const c = this.cfg.config;
    this.form.fill(c, {});
    const absolute = Boolean(c.BACKFILL_START_DATE || c.BACKFILL_END_DATE);
    this.abs.checked = absolute;
    this.rel.checked = !absolute;
    if (!absolute && c.BACKFILL_DAYS_BACK === undefined) {
      for (const n of REL) this.form.field(n).write(suggestedValue(this.form.field(n).info));
    }
    this.syncWindow();
  }

  syncWindow() {
    const abs = this.abs.checked;
    for (const n of ABS) this.form.field(n).el.hidden = !abs;
    for (const n of REL) this.form.field(n).el.hidden = abs;
    this.changed();
  }

  // merged is the saved config with this form's backfill settings.
  merged() {
    const c = {...this.cfg.config};
    for (const k of [...ABS, ...REL]) delete c[k];
    const {values} = this.form.read();
    for (const k of this.abs.checked ? REL : ABS) delete values[k];
    return {...c, ...values};
  }

  changed() {
    if (!this.cfg) return;
    this.validate();
  }

  show(errors, warnings) {
    const mine = (p) => (p.field || '').startsWith('BACKFILL_');
    this.form.showProblems(errors.filter(mine), warnings.filter(mine));
    replace(this.problems, problemList(errors, warnings.filter(mine), (f) => this.form.elementFor(f)));
  }

  // check validates the settings and, once they are valid, asks the control for the estimate:
  // the plan the loader would make, so the figures shown are the server's.
  async check() {
    const ticket = this.checks.next();
    const body = {config: {...this.merged(), BACKFILL_ENABLED: true}, config_id: this.cfg.id};
    try {
      const res = await api.post('/api/validate', body);
      if (!this.checks.current(ticket)) return false; // a newer check is under way
      this.show(res.errors, res.warnings);
      if (!res.valid) {
        renderEstimate(this.estimateEl, null, 'fix the marked settings');
        return false;
      }
      const est = await api.post('/api/backfill/estimate', body);
      if (this.checks.current(ticket)) renderEstimate(this.estimateEl, est);
      return true;
    } catch (err) {
      if (!this.checks.current(ticket)) return false;
      report(err, 'Validate');
      return false;
    }
  }

  // overrides are this form's backfill settings, applied over the saved config for this run only
  // (the saved config stays as it is); the window form not chosen is cleared.
  overrides() {
    const {values} = this.form.read();
    for (const k of this.abs.checked ? REL : ABS) values[k] = null;
    return values;
  }

  async start() {
    this.validate.cancel();
    const cfg = this.cfg;
    try {
      await busy(this.startBtn, async () => {
        const run = await api.post('/api/runs', {config_id: cfg.id, mode: 'backfill', overrides: this.overrides(),
          name: this.nameInput.value.trim() || `${cfg.name} backfill`});
        toast(`Backfill ${run.id} started.`, 'ok');
        this.onStarted(run);
      });
    } catch (err) {
      if (err.status === 400) {
        this.show(err.errors, err.warnings);
        toast('Not started: fix the marked settings.', 'bad');
      } else report(err, 'Start backfill');
    }
  }

  destroy() {
    this.validate.cancel();
  }
}
