// Logs tab: a run's log lines, live through the SSE stream of GET /api/runs/{id}/logs?follow=1,
// with a level filter, text search, pause, copy and download. The run, level, search and
// report toggle are kept in the URL.

import {h, replace, options, debounce, download, copyText} from '../dom.js';
import * as api from '../api.js';
import * as router from '../router.js';
import {toast, report, emptyState} from '../ui.js';
import {clock, int, dec, pct, duration, rateSpan} from '../format.js';

const MAX_LINES = 5000;
const MAX_DOM = 2000;
const LEVELS = {debug: 0, info: 1, warn: 2, error: 3};

// parse turns a log line into {time, level, text}: slog JSON (stderr), report records (stdout)
// or plain text.
export function parse(line) {
  const raw = line.text || '';
  let level = 'info';
  let text = raw;
  if (raw.startsWith('{')) {
    try {
      const o = JSON.parse(raw);
      if (o.type && !o.level) {
        level = o.type === 'error' ? 'error' : 'report';
        text = summarize(o);
      } else if (o.msg !== undefined) {
        level = String(o.level || 'info').toLowerCase();
        const {time: _t, level: _l, msg, ...rest} = o;
        const attrs = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`).join(' ');
        text = attrs ? `${msg}  ${attrs}` : String(msg);
      }
    } catch {
      // not JSON after all: keep the raw text
    }
  } else {
    const m = /\b(DEBUG|INFO|WARN|WARNING|ERROR|FATAL)\b/i.exec(raw);
    if (m) level = m[1].toLowerCase().replace('warning', 'warn').replace('fatal', 'error');
  }
  if (level === 'warning') level = 'warn';
  if (!(level in LEVELS) && level !== 'report') level = 'info';
  return {time: line.time, loader: line.loader, level, text, raw};
}

export function mount(root, params) {
  const st = {run: params.run || '', level: params.level || 'all', q: params.q || '', reports: params.reports === '1',
    paused: false, auto: true, lines: [], pending: []};
  let stream = null;
  const runSel = h('select', {id: 'log-run'});
  const levelSel = h('select', {id: 'log-level'}, options([['all', 'All levels'], ['info', 'Info and above'], ['warn', 'Warnings and above'], ['error', 'Errors only']], st.level));
  const search = h('input', {id: 'log-search', type: 'search', value: st.q, placeholder: 'text in the line', autocomplete: 'off'});
  const reportsBox = h('input', {id: 'log-reports', type: 'checkbox', checked: st.reports});
  const autoBox = h('input', {id: 'log-auto', type: 'checkbox', checked: true});
  const pauseBtn = h('button', {type: 'button', id: 'log-pause', 'aria-pressed': 'false'}, 'Pause');
  const status = h('span', {class: 'muted small', id: 'log-status', role: 'status'});
  const view = h('div', {class: 'log-view', id: 'log-view', role: 'log', 'aria-live': 'off', tabindex: 0, 'aria-label': 'Log lines'});
  const field = (label, input, cls) => h('div', {class: cls}, h('label', {for: input.id}, label), input);
  replace(root, h('section', {class: 'panel'},
    h('div', {class: 'log-toolbar'},
      field('Run', runSel), field('Level', levelSel), field('Search', search, 'grow'),
      h('div', {}, h('label', {class: 'check'}, reportsBox, 'Report records'), h('label', {class: 'check'}, autoBox, 'Follow the end')),
      h('div', {class: 'row'}, pauseBtn,
        h('button', {type: 'button', id: 'log-copy', onclick: () => copy()}, 'Copy'),
        h('button', {type: 'button', id: 'log-download', onclick: () => save()}, 'Download'),
        h('button', {type: 'button', onclick: () => {
          st.lines = [];
          render();
        }}, 'Clear view'))),
    status, view));

  const visible = (l) => {
    if (l.level === 'report') {
      if (!st.reports) return false;
    } else if (st.level !== 'all' && LEVELS[l.level] < LEVELS[st.level]) return false;
    return !st.q || l.raw.toLowerCase().includes(st.q.toLowerCase());
  };

  function lineEl(l) {
    const text = st.q ? highlight(l.text, st.q) : l.text;
    return h('div', {class: `log-line ${l.level}`}, h('span', {class: 'time'}, clock(l.time)),
      h('span', {class: 'lvl'}, l.level.toUpperCase()), h('span', {}, text));
  }

  function render() {
    const shown = st.lines.filter(visible).slice(-MAX_DOM);
    replace(view, shown.length ? shown.map(lineEl) : h('p', {class: 'muted empty'}, st.run ? 'No matching lines.' : 'Choose a run.'));
    scroll();
    updateStatus();
  }

  function scroll() {
    if (st.auto) view.scrollTop = view.scrollHeight;
  }

  function updateStatus(extra) {
    const n = st.lines.filter(visible).length;
    status.textContent = `${n} of ${st.lines.length} lines shown${st.paused ? ` · paused (${st.pending.length} new)` : ''}${extra ? ` · ${extra}` : ''}`;
  }

  function add(line) {
    const l = parse(line);
    if (st.paused) {
      st.pending.push(l);
      updateStatus();
      return;
    }
    push(l);
  }

  function push(l) {
    st.lines.push(l);
    if (st.lines.length > MAX_LINES) st.lines.splice(0, st.lines.length - MAX_LINES);
    if (visible(l)) {
      view.querySelector('p.empty')?.remove();
      view.append(lineEl(l));
      while (view.childElementCount > MAX_DOM) view.firstElementChild.remove();
      scroll();
    }
    updateStatus();
  }

  function follow() {
    stream?.close();
    st.lines = [];
    st.pending = [];
    render();
    if (!st.run) return;
    stream = api.stream(`/api/runs/${encodeURIComponent(st.run)}/logs?follow=1&tail=1000`, {
      onOpen: () => {
        st.lines = [];
        render();
      },
      onEvent: (name, data) => {
        if (name === 'log') add(data);
      },
      onEnd: (e) => updateStatus(`stream ended${e && e.state ? ` (run ${e.state})` : ''}`),
      onError: (err) => report(err, 'Log stream'),
    });
  }

  function setParams() {
    router.setParams({run: st.run, level: st.level === 'all' ? null : st.level, q: st.q || null, reports: st.reports ? '1' : null});
  }

  function copy() {
    const text = st.lines.filter(visible).map((l) => l.raw).join('\n');
    copyText(text).then((ok) => toast(ok ? 'Copied the shown lines.' : 'Copying is not allowed here; use Download.', ok ? 'ok' : 'warn'));
  }

  function save() {
    download(`trafficinator-${st.run || 'logs'}.log`, `${st.lines.map((l) => `${l.time || ''} ${l.raw}`).join('\n')}\n`);
  }

  async function loadRuns() {
    let runs = [];
    try {
      runs = await api.get('/api/runs?limit=200');
    } catch (err) {
      replace(view, emptyState(err.message));
      return;
    }
    if (!st.run && runs.length) st.run = (runs.find((r) => r.state === 'running') || runs[0]).id;
    replace(runSel, runs.length ? options(runs.map((r) => [r.id, `${r.name || r.id} · ${r.mode} · ${r.state}`]), st.run) : h('option', {value: ''}, 'no runs'));
    setParams();
    follow();
  }

  runSel.addEventListener('change', () => {
    st.run = runSel.value;
    setParams();
    follow();
  });
  levelSel.addEventListener('change', () => {
    st.level = levelSel.value;
    setParams();
    render();
  });
  const onSearch = debounce(() => {
    st.q = search.value.trim();
    setParams();
    render();
  }, 200);
  search.addEventListener('input', onSearch);
  reportsBox.addEventListener('change', () => {
    st.reports = reportsBox.checked;
    setParams();
    render();
  });
  autoBox.addEventListener('change', () => {
    st.auto = autoBox.checked;
    scroll();
  });
  pauseBtn.addEventListener('click', () => {
    st.paused = !st.paused;
    pauseBtn.textContent = st.paused ? 'Resume' : 'Pause';
    pauseBtn.setAttribute('aria-pressed', String(st.paused));
    if (!st.paused) {
      const pend = st.pending;
      st.pending = [];
      pend.forEach(push);
    }
    updateStatus();
  });
  loadRuns();
  return {
    update(p) {
      if (p.run && p.run !== st.run) {
        st.run = p.run;
        runSel.value = p.run;
        follow();
      }
    },
    refresh: () => loadRuns(),
    focusSearch: () => search.focus(),
    destroy: () => stream?.close(),
  };
}

// summarize shows a loader report record in one readable line (the raw JSON stays available to
// search, copy and download).
function summarize(o) {
  const t = o.total || {};
  switch (o.type) {
    case 'stats':
      return `stats · ${int(t.visits_started)} visits · ${int(t.hits_tracked)} tracked · ${int(t.hits_invalid)} invalid · ` +
        `${int(t.hits_failed)} failed · ${int((t.visits_dropped || 0) + (t.hits_dropped || 0))} dropped · ` +
        `${dec(t.achieved_visits_per_min)}/${dec(t.target_visits_per_min)} per min (${rateSpan(t.achieved_window_s)}) · p95 ${dec(t.latency_p95_ms)} ms`;
    case 'day':
      return `day ${o.date} ${o.target} · ${int(o.sent)}/${int(o.planned)} visits${o.done ? ' · done' : ''}${o.skipped ? ` · skipped: ${o.skipped}` : ''}`;
    case 'progress':
      return `progress ${pct(o.percent)} · ${int(o.visits_done)}/${int(o.visits_planned)} visits · ETA ${duration(o.eta_s)}`;
    case 'start':
      return `start ${o.mode} · targets ${(o.targets || []).join(', ')} · ${o.target_mode || ''} · seed ${o.seed}`;
    case 'summary':
      return `summary · ${o.reason} after ${duration(o.seconds)} · ${int(t.visits_started)} visits · ${int(t.hits_tracked)} tracked${o.hint ? ` · ${o.hint}` : ''}`;
    case 'error':
      return `error${o.target ? ` ${o.target}` : ''}: ${o.message}${o.fatal ? ' (fatal)' : ''}`;
    default: {
      const {type, time: _t, ...rest} = o;
      return `${type} ${JSON.stringify(rest)}`;
    }
  }
}

// highlight marks the occurrences of q in text.
function highlight(text, q) {
  const out = [];
  const lower = text.toLowerCase();
  const needle = q.toLowerCase();
  let i = 0;
  for (let j = lower.indexOf(needle); j >= 0 && out.length < 200; j = lower.indexOf(needle, i)) {
    out.push(text.slice(i, j), h('mark', {}, text.slice(j, j + q.length)));
    i = j + q.length;
  }
  out.push(text.slice(i));
  return out;
}
