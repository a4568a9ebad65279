// Shared run helpers: the run actions with their confirmations, the start dialog, and the
// aggregation of loader stats records into chart points.

import {h, options, uid, replace} from '../dom.js';
import * as api from '../api.js';
import {schema} from './form.js';
import {confirm, modal, report, toast, busy, problemList} from '../ui.js';

export const ACTIVE = new Set(['pending', 'starting', 'running', 'stopping']);

export const isActive = (run) => ACTIVE.has(run.state);

// comparable says whether a run is one the Compare view is for: its targets got the same visits
// (mirror), or it searched for their capacity.
export function comparable(run) {
  const c = run.config || {};
  const search = c.CAPACITY_SEARCH && c.CAPACITY_SEARCH !== 'off';
  return c.TARGET_MODE === 'mirror' || Boolean(search);
}

// runLabel names a run for messages.
export function runLabel(run) {
  return run.name ? `“${run.name}” (${run.id})` : run.id;
}

// stopRun asks, then stops a run; resolves with the new view or null.
export async function stopRun(run, button) {
  const ok = await confirm({title: `Stop run ${runLabel(run)}?`,
    message: run.mode === 'backfill'
      ? 'The backfill stops after the current batch; completed days are kept and a resume continues where it stopped.'
      : 'Visits in flight get the shutdown grace period to finish.',
    confirmLabel: 'Stop', danger: true});
  if (!ok) return null;
  try {
    const v = await busy(button, () => api.post(`/api/runs/${run.id}/stop`));
    toast(`Run ${run.id} is ${v.state}.`, 'ok');
    return v;
  } catch (err) {
    report(err, 'Stop');
    return null;
  }
}

// restartRun asks, then restarts a run (a new run with the same config).
export async function restartRun(run, button) {
  const ok = await confirm({title: `Restart run ${runLabel(run)}?`,
    message: 'It is stopped if active, and a new run starts with the same config.', confirmLabel: 'Restart'});
  if (!ok) return null;
  try {
    const v = await busy(button, () => api.post(`/api/runs/${run.id}/restart`));
    toast(`Run ${v.id} started.`, 'ok');
    return v;
  } catch (err) {
    report(err, 'Restart');
    return null;
  }
}

// removeRun asks, then deletes a finished run.
export async function removeRun(run, button) {
  const ok = await confirm({title: `Remove run ${runLabel(run)}?`,
    message: 'Its record, counters and saved logs are deleted. Matomo keeps the visits.', confirmLabel: 'Remove', danger: true});
  if (!ok) return false;
  try {
    await busy(button, () => api.del(`/api/runs/${run.id}`));
    toast(`Run ${run.id} removed.`, 'ok');
    return true;
  } catch (err) {
    report(err, 'Remove');
    return false;
  }
}

// resumeRun continues a stopped or failed backfill.
export async function resumeRun(run, button) {
  try {
    const v = await busy(button, () => api.post('/api/runs', {resume_of: run.id, name: run.name}));
    toast(`Backfill resumed as run ${v.id}.`, 'ok');
    return v;
  } catch (err) {
    report(err, 'Resume');
    return null;
  }
}

// runtime asks the control how it runs loaders: 'containers', 'swarm', or '' when it cannot tell.
export async function runtime() {
  try {
    const resp = await fetch('/health', {cache: 'no-store'});
    return (await resp.json()).runtime || '';
  } catch {
    return '';
  }
}

// placementLines turns the placement field (a constraint per line) into the API's list.
export function placementLines(text) {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

async function setChoices(path) {
  try {
    return await api.get(path);
  } catch {
    return [];
  }
}

// startDialog asks what to start and starts it; resolves with the run or null.
export async function startDialog({configId, mode = 'live'} = {}) {
  const [configs, urlSets, eventSets, scenarios, campaignSets, dimensionSets, {limits}, rt] = await Promise.all([
    api.get('/api/configs'), setChoices('/api/url-sets'), setChoices('/api/event-sets'), setChoices('/api/scenarios'),
    setChoices('/api/campaign-sets'), setChoices('/api/dimension-sets'), schema(), runtime()]);
  const swarm = rt === 'swarm';
  if (!configs.length) {
    toast('Save a config first (Config tab).', 'warn');
    return null;
  }
  // The API has no way to ask for the built-in set while another set is the default.
  const setOptions = (sets) => [['', sets.some((s) => s.default) ? 'the default set' : 'built-in'],
    ...sets.map((s) => [String(s.id), `${s.name}${s.default ? ' (default)' : ''}`])];
  return modal((close, titleId) => {
    const f = {
      config: h('select', {id: uid('s'), required: true}, options(configs.map((c) => [String(c.id), `${c.name} (#${c.id})`]), configId || configs[0].id)),
      name: h('input', {id: uid('s'), type: 'text', maxlength: limits.name_max_chars, placeholder: 'optional'}),
      // A count of containers starts at one; its maximum and default are the API's.
      loaders: h('input', {id: uid('s'), type: 'number', min: 1, max: limits.max_loaders, step: 1, value: limits.default_loaders}),
      urls: h('select', {id: uid('s')}, options(setOptions(urlSets), '')),
      events: h('select', {id: uid('s')}, options(setOptions(eventSets), '')),
      // No scenario is the plain settings; a default scenario, when one is marked, is the preselection.
      scenario: h('select', {id: 'start-scenario'}, options([['', scenarios.some((s) => s.default) ? 'the default scenario' : 'none'],
        ...scenarios.map((s) => [String(s.id), `${s.name}${s.default ? ' (default)' : ''}`])], '')),
      campaigns: h('select', {id: uid('s')}, options(setOptions(campaignSets), '')),
      // Dimension sets have no built-in one: without a set the run sends no custom dimensions.
      dimensions: h('select', {id: uid('s')}, options([['', dimensionSets.some((s) => s.default) ? 'the default set' : 'none'],
        ...dimensionSets.map((s) => [String(s.id), `${s.name}${s.default ? ' (default)' : ''}`])], '')),
      // On a swarm the loaders are the replicas of one service, placed by Swarm's constraints.
      placement: swarm ? h('textarea', {id: uid('s'), rows: 2, spellcheck: 'false', placeholder: 'node.role==worker'}) : null,
    };
    const modeName = uid('mode');
    const live = h('input', {type: 'radio', name: modeName, value: 'live', checked: mode === 'live'});
    const back = h('input', {type: 'radio', name: modeName, value: 'backfill', checked: mode === 'backfill'});
    const problems = h('div', {'aria-live': 'polite'});
    const submit = h('button', {type: 'submit', class: 'primary', id: 'start-submit'}, 'Start');
    const field = (label, input, help) => h('div', {class: 'field'}, h('label', {for: input.id}, label), input, help ? h('p', {class: 'help'}, help) : null);
    const setId = (v) => (v === '' ? undefined : Number(v));
    const form = h('form', {class: 'dialog-body', id: 'start-form', onsubmit: async (e) => {
      e.preventDefault();
      const body = {config_id: Number(f.config.value), mode: back.checked ? 'backfill' : 'live',
        name: f.name.value.trim(), loaders: Number(f.loaders.value) || limits.default_loaders,
        url_set_id: setId(f.urls.value), event_set_id: setId(f.events.value), scenario_id: setId(f.scenario.value),
        campaign_set_id: setId(f.campaigns.value), dimension_set_id: setId(f.dimensions.value)};
      const placement = swarm ? placementLines(f.placement.value) : [];
      if (placement.length) body.placement = placement;
      try {
        const run = await busy(submit, () => api.post('/api/runs', body));
        toast(`Run ${run.id} started.`, 'ok');
        close(run);
      } catch (err) {
        replace(problems, problemList(err.errors || [], err.warnings || []), err.errors?.length ? null : h('p', {class: 'error-text'}, err.message));
      }
    }},
    h('h2', {id: titleId}, 'Start a run'),
    field('Config', f.config),
    h('fieldset', {class: 'row'}, h('legend', {}, 'Mode'),
      h('label', {class: 'check'}, live, 'Live (visits per day, in real time)'),
      h('label', {class: 'check'}, back, 'Backfill (past days, as fast as allowed)')),
    field('Name', f.name),
    swarm
      ? field('Loaders', f.loaders, 'The run is one Swarm service with a replica per loader, each sending its share; a backfill is split into as many shards (whose days must end before today).')
      : field('Loaders', f.loaders, 'Live runs can be split over several loader containers.'),
    swarm ? field('Placement', f.placement, 'Swarm constraints a node must meet to run the loaders, one per line (e.g. node.labels.loadgen==true). Empty: any node.') : null,
    h('div', {class: 'grid-2'}, field('URL set', f.urls), field('Event set', f.events)),
    h('div', {class: 'grid-2'}, field('Campaign set', f.campaigns), field('Dimension set', f.dimensions)),
    field('Scenario', f.scenario, 'Audience segments (Scenarios tab); their settings are checked against the config before anything starts.'),
    h('p', {class: 'muted small'}, 'Enabled funnels, the chosen content sets, the scenario and the saved config are copied into the run when it starts.'),
    problems,
    h('div', {class: 'dialog-actions'}, h('button', {type: 'button', class: 'ghost', onclick: () => close(null)}, 'Cancel'), submit));
    queueMicrotask(() => f.config.focus());
    return form;
  });
}

// StatsSeries turns stats records (one per loader per interval) into chart points: sums of the
// loaders' latest rates, and the slowest loader's latencies.
export class StatsSeries {
  constructor() {
    this.latest = new Map();
  }

  // add takes a stats record of one loader and returns {t, rate: [achieved, target], latency: [p50, p95]}.
  add(loader, rec) {
    this.latest.set(loader, rec.total || {});
    let achieved = 0;
    let target = 0;
    let p50 = 0;
    let p95 = 0;
    for (const t of this.latest.values()) {
      achieved += t.achieved_visits_per_min || 0;
      target += t.target_visits_per_min || 0;
      p50 = Math.max(p50, t.latency_p50_ms || 0);
      p95 = Math.max(p95, t.latency_p95_ms || 0);
    }
    const time = rec.time ? new Date(rec.time).getTime() : Date.now();
    return {t: Number.isNaN(time) ? Date.now() : time, rate: [achieved, target], latency: [p50, p95]};
  }
}

// statsHistory reads the stats records among a run's last log lines (stdout holds the loader's
// report records), so the charts show the recent past after a reload.
export async function statsHistory(runId) {
  const res = await api.get(`/api/runs/${runId}/logs?tail=1000`);
  const series = new StatsSeries();
  const points = [];
  for (const line of res.lines || []) {
    if (line.stream !== 'stdout' || !line.text.includes('"stats"')) continue;
    let rec;
    try {
      rec = JSON.parse(line.text);
    } catch {
      continue;
    }
    if (rec.type === 'stats') points.push(series.add(line.loader, rec));
  }
  return {series, points};
}
