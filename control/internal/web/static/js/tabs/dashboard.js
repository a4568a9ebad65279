// Dashboard: every run with state, uptime and counters (polled while the page is visible), and
// the selected run (?run=) in detail: per-target counters and health, live charts of achieved vs
// target visits per minute and of latency fed by the run's event stream, and the run actions.

import {h, replace} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {badge, report, emptyState} from '../ui.js';
import {int, duration, dateTime} from '../format.js';
import {isActive, comparable, stopRun, restartRun, removeRun, resumeRun, startDialog} from '../components/runs.js';
import {RunDetail} from '../components/rundetail.js';
import {icon} from '../components/icons.js';

const POLL_MS = 3000;

export function mount(root, params) {
  let selected = params.run || '';
  let runs = [];
  let detail = null;
  let timer = 0;
  let destroyed = false;

  const tbody = h('tbody');
  const summary = h('p', {class: 'muted small', id: 'run-summary'});
  const notice = h('p', {class: 'problems warnings', id: 'runs-notice', role: 'alert', hidden: true});
  const detailBox = h('div', {id: 'run-detail'});
  const startBtn = h('button', {type: 'button', class: 'primary', id: 'start-run', onclick: () => start()}, icon('play'), 'Start run');
  replace(root,
    h('section', {class: 'panel', 'aria-labelledby': 'runs-title'},
      h('div', {class: 'panel-head'}, h('div', {}, h('h2', {id: 'runs-title'}, 'Runs'), summary), startBtn),
      notice,
      h('div', {class: 'table-wrap'}, h('table', {id: 'runs-table'},
        h('caption', {class: 'sr-only'}, 'All runs, newest first'),
        h('thead', {}, h('tr', {},
          ['Run', 'Mode', 'State', 'Uptime', 'Visits started', 'Hits tracked', 'Invalid', 'Failed', 'Dropped', 'Actions']
            .map((t, i) => h('th', {scope: 'col', class: i >= 3 && i <= 8 ? 'num' : null}, t)))),
        tbody))),
    detailBox);

  async function start() {
    const run = await startDialog({configId: selected ? runs.find((r) => r.id === selected)?.config_id : undefined});
    if (run) select(run.id);
  }

  function select(id) {
    selected = id;
    router.setParams({run: id});
    render();
    openDetail();
  }

  function openDetail() {
    detail?.destroy();
    detail = null;
    replace(detailBox);
    if (!selected) return;
    detail = new RunDetail(detailBox, selected, {onChanged: () => poll(), onSelect: (id) => select(id)});
  }

  function actions(run) {
    const btn = (label, fn, cls) => h('button', {type: 'button', class: `small ${cls || ''}`, dataset: {action: label.toLowerCase()},
      'aria-label': `${label} run ${run.name || run.id}`, onclick: (e) => fn(e.currentTarget)}, label);
    const after = (v) => {
      if (v && v.id !== run.id) select(v.id);
      else poll();
    };
    return h('div', {class: 'row'},
      isActive(run) ? btn('Stop', (b) => stopRun(run, b).then(after), 'danger') : null,
      btn('Restart', (b) => restartRun(run, b).then(after)),
      !isActive(run) && run.mode === 'backfill' && run.state !== 'completed' ? btn('Resume', (b) => resumeRun(run, b).then(after)) : null,
      !isActive(run) ? btn('Remove', (b) => removeRun(run, b).then((ok) => {
        if (ok && run.id === selected) select('');
        else poll();
      })) : null,
      h('a', {class: 'button small', href: router.link('logs', {run: run.id})}, 'Logs'),
      !isActive(run) && comparable(run) ? h('a', {class: 'button small', dataset: {action: 'compare'}, href: router.link('compare', {run: run.id}),
        'aria-label': `Compare the targets of run ${run.name || run.id}`}, 'Compare') : null);
  }

  function render() {
    const active = runs.filter(isActive);
    const totals = active.reduce((a, r) => {
      a.started += r.total?.visits_started || 0;
      a.tracked += r.total?.hits_tracked || 0;
      a.rate += r.total?.achieved_visits_per_min || 0;
      return a;
    }, {started: 0, tracked: 0, rate: 0});
    summary.textContent = `${int(active.length)} active of ${int(runs.length)} · active runs: ${int(totals.started)} visits started, ` +
      `${int(totals.tracked)} hits tracked, ${int(totals.rate)} visits/min`;
    if (!runs.length) {
      replace(tbody, h('tr', {}, h('td', {colspan: 10}, emptyState('No runs yet. Save a config, then start a run.'))));
      return;
    }
    replace(tbody, runs.map((r) => {
      const t = r.total || {};
      return h('tr', {class: r.id === selected ? 'selected' : null, dataset: {run: r.id, state: r.state}},
        h('td', {}, h('a', {href: router.link('dashboard', {run: r.id}), onclick: (e) => {
          e.preventDefault();
          select(r.id);
        }}, r.name || r.id), h('div', {class: 'muted small'}, `${r.id} · ${dateTime(r.created_at)}`)),
        h('td', {}, r.mode),
        h('td', {}, badge(r.state), r.error ? h('div', {class: 'error-text small'}, r.error) : null),
        h('td', {class: 'num'}, r.started_at ? duration(r.uptime_s) : '–'),
        h('td', {class: 'num', dataset: {counter: 'visits_started'}}, int(t.visits_started)),
        h('td', {class: 'num', dataset: {counter: 'hits_tracked'}}, int(t.hits_tracked)),
        h('td', {class: 'num'}, int(t.hits_invalid)),
        h('td', {class: 'num'}, int(t.hits_failed)),
        h('td', {class: 'num'}, int((t.visits_dropped || 0) + (t.hits_dropped || 0))),
        h('td', {}, actions(r)));
    }));
  }

  async function poll() {
    clearTimeout(timer);
    if (destroyed) return;
    if (document.visibilityState === 'visible') {
      try {
        runs = await api.get('/api/runs?limit=200');
        notice.hidden = true;
        render();
        detail?.refresh();
      } catch (err) {
        if (err.status === 503 || err.status === 0) {
          notice.hidden = false;
          notice.textContent = err.message;
        } else report(err, 'Runs');
      }
    }
    if (!destroyed) timer = setTimeout(poll, POLL_MS);
  }

  const onVisible = () => {
    if (document.visibilityState === 'visible') poll();
  };
  document.addEventListener('visibilitychange', onVisible);
  poll();
  openDetail();
  return {
    update(p) {
      if ((p.run || '') !== selected) {
        selected = p.run || '';
        render();
        openDetail();
      }
    },
    refresh: () => poll(),
    create: () => start(),
    destroy() {
      destroyed = true;
      clearTimeout(timer);
      detail?.destroy();
      document.removeEventListener('visibilitychange', onVisible);
    },
  };
}
