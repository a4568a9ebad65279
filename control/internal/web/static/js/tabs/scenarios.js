// Scenarios tab: scenario files (SCENARIO_FILE, YAML or JSON) of audience segments, with the
// shared set editor (validation with every problem at its path and line, upload, download, the
// default flag) and a preview of one simulated day: visits per hour with the weekly rhythm and
// spikes, visits per segment, and the expected devices, referrers, returning visitors and orders.

import {h, replace, debounce} from '../dom.js';
import * as api from '../api.js';
import {int, dec} from '../format.js';
import {mountSets} from '../components/setstab.js';

const kind = {
  tab: 'scenarios', title: 'Scenarios', noun: 'scenario', unit: 'segments', base: '/api/scenarios',
  accept: '.yaml,.yml,.json,application/json,text/yaml', ext: '.yaml', mime: 'text/yaml',
  placeholder: 'name: my site\nsegments:\n  - name: everyone\n    share: 1\n    devices: {desktop: 0.6, mobile: 0.4}\n',
  loadContent: async (view, id) => view.content ?? api.get(`/api/scenarios/${encodeURIComponent(id)}/content`, {text: true}),
  preview,
};

export function mount(root, params) {
  return mountSets(root, params, kind);
}

// The preview's own inputs outlive a re-render of the panel, so a chosen day and config stay.
const state = {date: new Date().toISOString().slice(0, 10), configID: '', configs: null};

async function configs() {
  if (!state.configs) {
    try {
      state.configs = await api.get('/api/configs');
    } catch {
      state.configs = [];
    }
  }
  return state.configs;
}

const pctOf = (x) => `${dec(x * 100)}%`;
const nonZero = (list) => (list || []).filter((s) => s.share > 0);
const goals = (list) => (list || []).map((g) => `${g.name} ${pctOf(g.share)}`).join(', ') || 'none';
const shares = (list) => (list || []).map((s) => `${s.name} ${pctOf(s.share)}`).join(', ') || 'as configured';

// preview shows the segments the validation found, then one simulated day of the scenario as it
// is in the editor.
async function preview(el, v) {
  const out = h('div', {id: 'scenario-day'});
  const date = h('input', {type: 'date', id: 'scenario-date', value: state.date});
  const cfg = h('select', {id: 'scenario-config'}, h('option', {value: ''}, 'default settings'));
  for (const c of await configs()) cfg.append(h('option', {value: String(c.id), selected: String(c.id) === state.configID}, c.name));
  const refresh = debounce(() => day(out), 300);
  date.addEventListener('change', () => { state.date = date.value; refresh(); });
  cfg.addEventListener('change', () => { state.configID = cfg.value; refresh(); });
  const segs = v.shares?.length
    ? h('p', {id: 'scenario-shares'}, `${int(v.count)} segments: `, v.shares.map((s) => `${s.name} ${pctOf(s.share)}`).join(' · '))
    : null;
  replace(el, segs,
    h('div', {class: 'row'}, h('label', {for: date.id}, 'Day'), date, h('label', {for: cfg.id}, 'Settings'), cfg),
    out);
  if (v.errors?.length) {
    replace(out, h('p', {class: 'muted'}, 'Fix the problems to see the simulated day.'));
    return;
  }
  day(out);
}

// bar is an hour's column; its height is set through the CSSOM, which the Content Security Policy
// allows where it forbids style attributes.
function bar(fraction) {
  const el = h('span', {class: 'hour-bar'});
  el.style.height = `${Math.round(fraction * 100)}%`;
  return el;
}

async function day(out) {
  const text = document.getElementById('scenarios-content')?.value || '';
  const body = {date: state.date};
  if (text.trim()) body.content = text;
  if (state.configID) body.config_id = Number(state.configID);
  let p;
  try {
    p = await api.post('/api/scenarios/preview', body);
  } catch (err) {
    replace(out, h('p', {class: 'error-text'}, err.errors?.length ? `${err.errors.length} problem(s): validate to see them.` : err.message));
    return;
  }
  const peak = Math.max(1, ...p.hours.map((x) => x.visits));
  replace(out,
    h('p', {}, h('strong', {id: 'scenario-visits'}, int(p.visits)), ` visits on ${p.weekday} ${p.date} (${p.mode}`,
      p.day_factor !== 1 ? `, weekday factor ${dec(p.day_factor)}` : '', ')',
      p.spikes.length ? `; spikes: ${p.spikes.map((s) => `${s.from}–${s.to} ×${dec(s.factor)}`).join(', ')}` : '', '.'),
    h('div', {class: 'hours', id: 'scenario-hours', 'aria-label': 'visits per hour'}, p.hours.map((x) => h('div', {class: 'hour', title: `${x.hour}: ${int(x.visits)} visits`},
      bar(x.visits / peak), h('span', {class: 'hour-label'}, x.hour.slice(0, 2))))),
    h('div', {class: 'table-wrap'}, h('table', {id: 'scenario-segments'},
      h('thead', {}, h('tr', {}, ['Segment', 'Share', 'Visits', 'Devices', 'Referrers', 'Returning', 'Bounces', 'Orders', 'Goals', 'Lands in']
        .map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, p.segments.map((s) => h('tr', {},
        h('td', {}, s.name), h('td', {class: 'num'}, pctOf(s.share)), h('td', {class: 'num'}, int(s.visits)),
        h('td', {}, shares(s.devices)), h('td', {}, shares(nonZero(s.referrers))), h('td', {class: 'num'}, pctOf(s.returning)),
        h('td', {class: 'num'}, pctOf(s.bounces)), h('td', {class: 'num'}, pctOf(s.orders)), h('td', {}, goals(s.goals)),
        h('td', {}, s.landing?.length ? shares(s.landing) : 'the whole site')))),
      h('tfoot', {}, h('tr', {},
        h('th', {scope: 'row'}, 'All'), h('td', {class: 'num'}, '100%'), h('td', {class: 'num'}, int(p.visits)),
        h('td', {id: 'scenario-devices'}, shares(p.total.devices)), h('td', {id: 'scenario-referrers'}, shares(nonZero(p.total.referrers))),
        h('td', {class: 'num'}, pctOf(p.total.returning)), h('td', {class: 'num'}, pctOf(p.total.bounces)),
        h('td', {class: 'num'}, pctOf(p.total.orders)), h('td', {}, goals(p.total.goals)), h('td', {}, ''))))));
}
