// RunDetail shows one run: totals, per-target counters with health, live charts (achieved visits
// per minute over the last minute vs the target; latency p50/p95) from the run's event stream, backfill progress and
// the final summary.

import {h, replace, throttle} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {badge, report, emptyState} from '../ui.js';
import {int, dec, duration, dateTime, pct, rateSpan} from '../format.js';
import {LineChart} from './chart.js';
import {isActive, comparable, StatsSeries, statsHistory} from './runs.js';

// rate shows a visits/min figure: whole numbers from 100 up.
const rate = (v) => (v >= 100 ? int(v) : dec(v));

export class RunDetail {
  constructor(root, id, hooks) {
    this.id = id;
    this.hooks = hooks;
    this.series = new StatsSeries();
    this.head = h('div');
    this.totals = h('div', {class: 'stats-row', id: 'run-totals'});
    this.targets = h('tbody');
    this.extra = h('div');
    this.rateCanvas = h('canvas', {role: 'img', 'aria-label': 'Visits per minute: no data yet', id: 'chart-rate'});
    this.latCanvas = h('canvas', {role: 'img', 'aria-label': 'Latency: no data yet', id: 'chart-latency'});
    const legend = (items) => h('div', {class: 'legend'}, items.map(([cls, text]) => h('span', {}, h('span', {class: `key ${cls}`}), text)));
    replace(root,
      h('section', {class: 'panel', 'aria-label': 'Selected run'}, this.head, this.totals),
      h('div', {class: 'grid-2'},
        h('section', {class: 'panel'}, h('h2', {}, 'Visits per minute'),
          legend([['c1', 'achieved (last minute)'], ['dashed', 'target']]), h('div', {class: 'chart-box'}, this.rateCanvas)),
        h('section', {class: 'panel'}, h('h2', {}, 'Latency (ms)'),
          legend([['c3', 'p50'], ['c4', 'p95']]), h('div', {class: 'chart-box'}, this.latCanvas))),
      h('section', {class: 'panel'}, h('h2', {}, 'Targets'),
        h('div', {class: 'table-wrap'}, h('table', {id: 'target-table'},
          h('thead', {}, h('tr', {}, ['Target', 'Health', 'Visits started', 'Hits sent', 'Tracked', 'Invalid', 'Failed', 'Dropped',
            'In flight', 'Achieved/min', 'Since start/min', 'Target/min', 'p50 ms', 'p95 ms'].map((t, i) => h('th', {scope: 'col', class: i >= 2 ? 'num' : null}, t)))),
          this.targets))),
      this.extra);
    this.rate = new LineChart(this.rateCanvas, {series: [{label: 'achieved', color: '--chart-1'}, {label: 'target', color: '--chart-2', dashed: true}]});
    this.latency = new LineChart(this.latCanvas, {series: [{label: 'p50', color: '--chart-3'}, {label: 'p95', color: '--chart-4'}]});
    this.soon = throttle(() => this.refresh(), 1000);
    this.start();
  }

  async start() {
    await this.refresh();
    if (!this.run || this.destroyed) return;
    try {
      const {series, points} = await statsHistory(this.id);
      this.series = series;
      this.rate.set(points.map((p) => ({t: p.t, v: p.rate})));
      this.latency.set(points.map((p) => ({t: p.t, v: p.latency})));
      this.describeCharts(points[points.length - 1]);
    } catch (err) {
      if (err.status !== 404) report(err, 'Chart history');
    }
    if (isActive(this.run) && !this.destroyed) this.follow();
  }

  follow() {
    this.stream = api.stream(`/api/runs/${this.id}/events`, {
      onEvent: (type, ev) => {
        if (type === 'stats' && ev.record) {
          const p = this.series.add(ev.loader, ev.record);
          this.rate.push(p.t, p.rate);
          this.latency.push(p.t, p.latency);
          this.describeCharts(p);
        }
        this.soon();
      },
      onEnd: () => {
        this.refresh();
        this.hooks.onChanged?.();
      },
      onError: (err) => report(err, 'Live events'),
    });
  }

  describeCharts(p) {
    if (!p) return;
    this.rateCanvas.setAttribute('aria-label', `Visits per minute: achieved ${dec(p.rate[0])}, target ${dec(p.rate[1])}`);
    this.latCanvas.setAttribute('aria-label', `Latency: p50 ${dec(p.latency[0])} ms, p95 ${dec(p.latency[1])} ms`);
  }

  async refresh() {
    if (this.destroyed) return;
    try {
      this.run = await api.get(`/api/runs/${encodeURIComponent(this.id)}`);
    } catch (err) {
      replace(this.head, emptyState(err.status === 404 ? `Run ${this.id} does not exist (any more).` : err.message));
      replace(this.totals);
      this.run = null;
      return;
    }
    this.render();
  }

  render() {
    const r = this.run;
    const t = r.total || {};
    replace(this.head, h('div', {class: 'panel-head'},
      h('div', {}, h('h2', {}, r.name || `Run ${r.id}`),
        h('p', {class: 'muted small'}, `${r.mode} · ${r.id} · `, r.config_id ? h('a', {href: router.link('config', {id: r.config_id})}, `config #${r.config_id}`) : 'inline config',
          ` · ${loadersText(r)} · created ${dateTime(r.created_at)}`)),
      h('div', {class: 'row'}, badge(r.state), h('span', {class: 'muted', id: 'run-uptime'}, r.started_at ? `up ${duration(r.uptime_s)}` : 'not started'),
        !isActive(r) && comparable(r) ? h('a', {class: 'button small', id: 'run-compare', href: router.link('compare', {run: r.id})}, 'Compare targets') : null)),
    r.error ? h('p', {class: 'error-text'}, r.error) : null);
    const stat = (label, value, sub, key) => h('div', {class: 'stat'}, h('div', {class: 'label'}, label),
      h('div', {class: 'value', dataset: key ? {counter: key} : {}}, value), sub ? h('div', {class: 'sub'}, sub) : null);
    replace(this.totals,
      stat('Visits started', int(t.visits_started), `${int(t.visits_finished)} finished`, 'visits_started'),
      stat('Hits tracked', int(t.hits_tracked), `of ${int(t.hits_sent)} sent`, 'hits_tracked'),
      stat('Invalid', int(t.hits_invalid), 'rejected by Matomo', 'hits_invalid'),
      stat('Failed', int(t.hits_failed), `${int(t.retries)} retries`, 'hits_failed'),
      stat('Dropped', int((t.visits_dropped || 0) + (t.hits_dropped || 0)), `${int(t.visits_dropped)} visits, ${int(t.hits_dropped)} hits`, 'dropped'),
      stat('In flight', int(t.in_flight), `${int(t.visits_capped)} held by the daily cap`),
      stat('Visits/min', `${rate(t.achieved_visits_per_min)} / ${rate(t.target_visits_per_min)}`,
        `achieved (${rateSpan(t.achieved_window_s)}) / target · ${rate(t.achieved_visits_per_min_since_start)} since the start`),
      stat('Latency ms', `${dec(t.latency_p50_ms)} / ${dec(t.latency_p95_ms)}`, 'p50 / p95'));
    const rows = r.targets || [];
    replace(this.targets, rows.length ? rows.map((x) => h('tr', {dataset: {target: x.target}},
      h('th', {scope: 'row'}, x.target), h('td', {}, badge(x.health)),
      ...[x.visits_started, x.hits_sent, x.hits_tracked, x.hits_invalid, x.hits_failed, (x.visits_dropped || 0) + (x.hits_dropped || 0), x.in_flight]
        .map((v) => h('td', {class: 'num'}, int(v))),
      ...[x.achieved_visits_per_min, x.achieved_visits_per_min_since_start, x.target_visits_per_min, x.latency_p50_ms, x.latency_p95_ms]
        .map((v) => h('td', {class: 'num'}, dec(v)))))
      : h('tr', {}, h('td', {colspan: 14, class: 'muted'}, 'No figures yet: the loader reports every STATS_INTERVAL.')));
    replace(this.extra, this.backfillBox(r), summaryBox(r.summary));
  }

  backfillBox(r) {
    if (r.mode !== 'backfill') return null;
    const p = r.progress;
    return h('section', {class: 'panel'}, h('div', {class: 'panel-head'}, h('h2', {}, 'Backfill progress'),
      h('a', {class: 'button small', href: router.link('backfill', {run: r.id})}, 'Open in Backfill')),
    p ? [h('progress', {class: `big ${p.percent >= 100 ? 'done' : ''}`, max: 100, value: p.percent, 'aria-label': 'Overall progress'}),
      h('p', {class: 'muted'}, `${pct(p.percent)} · ${int(p.visits_done)} of ${int(p.visits_planned)} visits · ETA ${duration(p.eta_s)}`)]
      : h('p', {class: 'muted'}, isActive(r) ? 'Waiting for the first progress report…' : 'See the Backfill tab for the days.'));
  }

  destroy() {
    this.destroyed = true;
    this.soon.cancel();
    this.stream?.close();
    this.rate.destroy();
    this.latency.destroy();
  }
}

// summaryBox shows a finished run's summary: why it ended, the archiving hint, invalidations.
export function summaryBox(raw) {
  if (!raw) return null;
  const s = typeof raw === 'string' ? safeParse(raw) : raw;
  if (!s) return null;
  return h('section', {class: 'panel', id: 'run-summary-box'}, h('h2', {}, 'Summary'),
    h('p', {}, `Ended: ${s.reason || 'unknown'} after ${duration(s.seconds)}.`,
      s.days ? ` ${int(s.days)} day(s).` : '', s.maybe_duplicated ? ` ${int(s.maybe_duplicated)} visit(s) may have been sent twice.` : ''),
    s.hint ? h('p', {class: 'summary-box', dataset: {test: 'archiving-hint'}}, s.hint) : null,
    (s.invalidations || []).map((i) => h('p', {class: i.ok ? 'ok-text' : 'error-text'},
      `${i.target}: invalidation of ${i.dates.length} day(s) ${i.ok ? 'done' : 'failed'}${i.message ? ` — ${i.message}` : ''}`)));
}

function safeParse(s) {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
}

// loadersText says how many loaders a run has, and on a swarm that they are a service's replicas
// and where they are placed.
function loadersText(r) {
  const n = r.loaders;
  if (r.runtime !== 'swarm') return `${n} loader${n === 1 ? '' : 's'}`;
  const placed = r.placement?.length ? ` on ${r.placement.join(', ')}` : '';
  return `${n} replica${n === 1 ? '' : 's'} of a Swarm service${placed}`;
}
