// Compare: the targets of one run side by side (?run=, optionally ?baseline=): the verdicts with
// their size, a table of figures, and charts per target on shared scales (throughput, latency over
// time, errors, capacity steps and sustained rates, report timings), from GET /api/runs/{id}/report.
// Without a run it lists the finished runs worth comparing. The JSON and the self-contained HTML
// page can be downloaded.

import {h, replace, download, options} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {badge, report, emptyState, busy} from '../ui.js';
import {int, dec, dateTime} from '../format.js';
import {isActive, comparable} from '../components/runs.js';
import {lineChart, barChart, clock, niceMax} from '../components/svgchart.js';

const KINDS = {capacity: 'capacity search', mirror: 'mirror run', weighted: 'weighted run', single: 'one target'};

// rate formats visits/day as the report does: 950, 12,500, 500k, 1M, 2.25M.
function rate(v) {
  const a = Math.abs(v || 0);
  if (a >= 1e6) return `${+(v / 1e6).toFixed(2)}M`;
  if (a >= 1e5) return `${Math.round(v / 1e3)}k`;
  return int(v);
}

const pctText = (share) => `${+((share || 0) * 100).toFixed(1)}%`;

export function mount(root, params) {
  let state = {run: params.run || '', baseline: params.baseline || ''};
  let destroyed = false;
  let timer = 0;
  const body = h('div', {id: 'compare'});
  replace(root, body);

  async function load() {
    clearTimeout(timer);
    if (destroyed) return;
    if (!state.run) {
      await listRuns();
      return;
    }
    const q = state.baseline ? `?baseline=${encodeURIComponent(state.baseline)}` : '';
    let run;
    let rep;
    try {
      [run, rep] = await Promise.all([api.get(`/api/runs/${encodeURIComponent(state.run)}`),
        api.get(`/api/runs/${encodeURIComponent(state.run)}/report${q}`)]);
    } catch (err) {
      replace(body, h('section', {class: 'panel'}, emptyState(err.status === 404 ? `Run ${state.run} does not exist (any more).` : err.message),
        h('a', {class: 'button small', href: router.link('compare', {})}, 'Choose another run')));
      if (err.status !== 404 && err.status !== 400) report(err, 'Compare');
      return;
    }
    if (destroyed) return;
    render(run, rep);
    if (isActive(run)) timer = setTimeout(load, 10000); // a running search: follow it
  }

  async function listRuns() {
    let runs = [];
    try {
      runs = await api.get('/api/runs?limit=200');
    } catch (err) {
      report(err, 'Runs');
    }
    const finished = runs.filter((r) => !isActive(r));
    const rows = finished.filter(comparable).concat(finished.filter((r) => !comparable(r)));
    replace(body, h('section', {class: 'panel', 'aria-labelledby': 'compare-pick'},
      h('h2', {id: 'compare-pick'}, 'Compare the targets of a run'),
      h('p', {class: 'muted'}, 'Mirror runs (every target gets the same visits) and capacity searches compare best. Choose a finished run:'),
      rows.length ? h('div', {class: 'table-wrap'}, h('table', {id: 'compare-runs'},
        h('thead', {}, h('tr', {}, ['Run', 'Mode', 'Targets', 'State', 'Created', ''].map((t) => h('th', {scope: 'col'}, t)))),
        h('tbody', {}, rows.map((r) => h('tr', {dataset: {run: r.id}},
          h('td', {}, r.name || r.id, h('div', {class: 'muted small'}, r.id)),
          h('td', {}, r.config?.CAPACITY_SEARCH && r.config.CAPACITY_SEARCH !== 'off' ? `${r.mode}, capacity search` : r.mode),
          h('td', {}, `${(r.targets || []).length || 1} · ${r.config?.TARGET_MODE || 'weighted'}`),
          h('td', {}, badge(r.state)),
          h('td', {}, dateTime(r.created_at)),
          h('td', {}, h('a', {class: 'button small', href: router.link('compare', {run: r.id})}, 'Compare')))))))
        : emptyState('No finished run yet. Start a mirror run or a capacity search from the Dashboard.')));
  }

  function render(run, rep) {
    const names = rep.targets.map((t) => t.name);
    const baseSel = h('select', {id: 'compare-baseline', 'aria-label': 'Baseline target', onchange: (e) => {
      state.baseline = e.target.value;
      router.setParams({baseline: state.baseline});
      load();
    }}, options(names, rep.baseline));
    const jsonBtn = h('button', {type: 'button', class: 'small', id: 'compare-json', onclick: (e) => exportReport(e.currentTarget, 'json')}, 'Download JSON');
    const htmlBtn = h('button', {type: 'button', class: 'small', id: 'compare-html', onclick: (e) => exportReport(e.currentTarget, 'html')}, 'Download HTML');
    const meta = [KINDS[rep.kind] || rep.kind, rep.search ? `${rep.search} search` : null, rep.mode,
      rep.visits_per_day ? `${rate(rep.visits_per_day)} visits/day intended` : null, `ran ${clock(rep.seconds)}`,
      rep.loaders > 1 ? `${rep.loaders} loaders` : null].filter(Boolean).join(' · ');
    replace(body,
      h('section', {class: 'panel', 'aria-labelledby': 'compare-title'},
        h('div', {class: 'panel-head'},
          h('div', {}, h('h2', {id: 'compare-title'}, `Compare: ${run.name || `run ${run.id}`}`),
            h('p', {class: 'muted small'}, `${run.id} · `, badge(run.state), ` · ${meta}`)),
          h('div', {class: 'row'}, h('label', {for: 'compare-baseline', class: 'muted small'}, 'Baseline'), baseSel, jsonBtn, htmlBtn,
            h('a', {class: 'button small', href: router.link('dashboard', {run: run.id})}, 'Run details'))),
        h('p', {class: 'compare-headline', id: 'compare-headline'}, rep.headline),
        rep.verdicts.length ? h('ul', {class: 'verdicts', id: 'compare-verdicts'},
          rep.verdicts.map((v) => h('li', {class: v.outcome, dataset: {metric: v.metric, outcome: v.outcome}}, v.text))) : null,
        (rep.notes || []).map((n) => h('p', {class: 'muted'}, n)),
        isActive(run) ? h('p', {class: 'muted small'}, 'The run is still going: this is what it reported so far, refreshed every 10 s.') : null),
      figures(rep),
      charts(rep));
  }

  async function exportReport(button, format) {
    const path = `/api/runs/${encodeURIComponent(state.run)}/report?format=${format}${state.baseline ? `&baseline=${encodeURIComponent(state.baseline)}` : ''}`;
    try {
      if (format === 'json') {
        const data = await busy(button, () => api.get(path));
        download(`trafficinator-run-${state.run}.json`, `${JSON.stringify(data, null, 2)}\n`, 'application/json');
      } else {
        const text = await busy(button, () => api.get(path, {text: true}));
        download(`trafficinator-run-${state.run}.html`, text, 'text/html');
      }
    } catch (err) {
      report(err, 'Export');
    }
  }

  load();
  return {
    update(p) {
      const next = {run: p.run || '', baseline: p.baseline || ''};
      if (next.run !== state.run || next.baseline !== state.baseline) {
        state = next;
        load();
      }
    },
    refresh: () => load(),
    destroy() {
      destroyed = true;
      clearTimeout(timer);
    },
  };
}

// figures is the table of the targets' figures, a column per target.
function figures(rep) {
  const row = (label, f) => h('tr', {}, h('th', {scope: 'row'}, label), rep.targets.map((t) => h('td', {class: 'num'}, f(t))));
  const cap = (f) => (t) => (t.capacity ? f(t.capacity) : '–');
  const rows = [
    row('Hits sent', (t) => int(t.totals.hits_sent)),
    row('Hits tracked', (t) => int(t.totals.hits_tracked)),
    row('Tracked hits/s (whole run)', (t) => dec(t.totals.hits_per_s)),
    row('Invalid + failed hits', (t) => int(t.totals.hits_invalid + t.totals.hits_failed)),
    row('Error share', (t) => pctText(t.totals.error_share)),
    row('Dropped visits', (t) => int(t.totals.visits_dropped)),
    row('Tracking p50 ms', (t) => dec(t.totals.latency_p50_ms)),
    row('Tracking p95 ms', (t) => dec(t.totals.latency_p95_ms)),
  ];
  if (rep.kind === 'capacity') {
    rows.push(row('Sustained visits/day', cap((c) => (c.held ? rate(c.sustained_visits_per_day) : 'no step held'))),
      row('Sustained hits/s', cap((c) => dec(c.sustained_hits_per_s))),
      row('Broke', cap((c) => c.why)));
  }
  if (rep.targets.some((t) => (t.probes || []).length)) {
    rows.push(row('Reports timed (failed)', (t) => `${int(t.totals.reports_timed)} (${int(t.totals.reports_failed)})`));
  }
  return h('section', {class: 'panel', 'aria-labelledby': 'compare-figures'}, h('h2', {id: 'compare-figures'}, 'Figures'),
    h('div', {class: 'table-wrap'}, h('table', {id: 'compare-table'},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Measure'),
        rep.targets.map((t) => h('th', {scope: 'col', class: 'num'}, t.name, t.baseline ? h('span', {class: 'muted'}, ' (baseline)') : null)))),
      h('tbody', {}, rows))));
}

// charts are the measures charted per target side by side, on shared scales.
function charts(rep) {
  const ts = rep.targets;
  let xMax = 0;
  for (const t of ts) {
    for (const p of t.series) xMax = Math.max(xMax, p.elapsed_s);
    for (const ps of t.probes || []) for (const p of ps.points) xMax = Math.max(xMax, p.elapsed_s);
  }
  const line = (name, cls, pts, f) => ({name, cls, points: pts.map((p) => [p.elapsed_s, f(p)])});
  const row = (id, title, unit, seriesOf, opts = {}) => {
    const per = ts.map((t) => seriesOf(t));
    const yMax = Math.max(0, ...per.flat().flatMap((s) => s.points.map((p) => p[1])));
    const xm = opts.xMax ?? xMax;
    return h('section', {class: 'panel compare-charts', id, 'aria-label': title}, h('h2', {}, title),
      h('div', {class: 'compare-row'}, ts.map((t, i) => h('figure', {dataset: {target: t.name}},
        h('figcaption', {}, t.name, t.baseline ? h('span', {class: 'muted'}, ' (baseline)') : null),
        lineChart({title: `${t.name}: ${title}`, series: per[i], xMax: xm, yMax, xRate: opts.xRate, xUnit: opts.xUnit || 'time since the start', yUnit: unit}),
        per[i].length > 1 ? h('p', {class: 'legend'}, per[i].map((s) => h('span', {}, h('span', {class: `key ${s.cls}`}), s.name))) : null))));
  };
  const out = [
    row('chart-throughput', 'Tracked hits per second', 'hits/s', (t) => [line('hits/s', 's1', t.series, (p) => p.hits_per_s)]),
    row('chart-latency', 'Tracking latency', 'ms', (t) => [line('p50', 's3', t.series, (p) => p.latency_p50_ms), line('p95', 's4', t.series, (p) => p.latency_p95_ms)]),
    row('chart-errors', 'Errors (invalid + failed) per interval', '% of hits', (t) => [line('error share', 's2', t.series, (p) => p.error_share * 100)]),
  ];
  if (rep.kind === 'capacity') {
    const xm = Math.max(0, ...ts.flatMap((t) => (t.steps || []).map((s) => s.visits_per_day)));
    out.push(row('chart-steps', 'Capacity steps: tracking p95 by intended rate (open: broke a threshold)', 'ms', (t) => {
      const steps = [...(t.steps || [])].sort((a, b) => a.visits_per_day - b.visits_per_day);
      return [{name: 'p95', cls: 's4', dots: true, points: steps.map((s) => [s.visits_per_day, s.latency_p95_ms]), hollow: steps.map((s) => !s.held)}];
    }, {xMax: niceMax(xm), xRate: true, xUnit: 'visits/day'}));
    out.push(h('section', {class: 'panel compare-charts', id: 'chart-sustained', 'aria-label': 'Sustained rate'}, h('h2', {}, 'Sustained rate'),
      barChart({title: 'Sustained visits/day per target', items: ts.map((t, i) => {
        const v = t.capacity?.sustained_visits_per_day || 0;
        return {name: t.name, value: v, label: `${rate(v)} visits/day`, cls: `s${(i % 8) + 1}`};
      })})));
  }
  if (ts.some((t) => (t.probes || []).length)) {
    out.push(row('chart-probes', 'Report timings', 'ms', (t) => (t.probes || []).map((ps, i) => ({name: ps.label, cls: `s${(i % 8) + 1}`, dots: true,
      points: ps.points.filter((p) => p.ok).map((p) => [p.elapsed_s, p.ms])}))));
  }
  return out;
}
