// Entry point: API key dialog, tab switching from the URL, keyboard shortcuts, theme and the
// connection badge. Each tab is a module whose mount(root, params) returns a controller with
// optional update(params), refresh(), save(), create(), focusSearch() and destroy().

import {$, $$} from './dom.js';
import * as api from './api.js';
import * as router from './router.js';
import * as themes from './theme.js';
import {report} from './ui.js';
import {icon} from './components/icons.js';
import * as dashboard from './tabs/dashboard.js';
import * as config from './tabs/config.js';
import * as presets from './tabs/presets.js';
import * as backfill from './tabs/backfill.js';
import * as funnels from './tabs/funnels.js';
import * as urls from './tabs/urls.js';
import * as events from './tabs/events.js';
import * as scenarios from './tabs/scenarios.js';
import * as campaigns from './tabs/campaigns.js';
import * as dimensions from './tabs/dimensions.js';
import * as logs from './tabs/logs.js';
import * as compare from './tabs/compare.js';

const TABS = {dashboard, config, presets, backfill, funnels, urls, events, scenarios, campaigns, dimensions, logs, compare};
const TITLES = {dashboard: 'Dashboard', config: 'Config', presets: 'Presets', backfill: 'Backfill',
  funnels: 'Funnels', urls: 'URLs', events: 'Events', scenarios: 'Scenarios', campaigns: 'Campaigns', dimensions: 'Dimensions',
  logs: 'Logs', compare: 'Compare'};

let active = {tab: null, ctl: null};
let started = false;

function show(state) {
  const tab = TABS[state.tab] ? state.tab : 'dashboard';
  for (const a of $$('#tab-list a')) {
    if (a.dataset.tab === tab) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${TITLES[tab]} · Trafficinator`;
  if (active.tab === tab && active.ctl) {
    if (active.ctl.update) active.ctl.update(state.params);
    return;
  }
  active.ctl?.destroy?.();
  const main = $('#main');
  main.replaceChildren();
  main.dataset.tab = tab;
  active = {tab, ctl: TABS[tab].mount(main, state.params) || {}};
}

function remount() {
  active.ctl?.destroy?.();
  active = {tab: null, ctl: null};
  show(router.current());
}

// Key dialog: asked once, checked against the API before it is kept.
function askKey(message) {
  const dlg = $('#key-dialog');
  const err = $('#key-error');
  err.hidden = !message;
  err.textContent = message || '';
  $('#key-input').value = '';
  $('#key-remember').checked = api.isRemembered();
  if (!dlg.open) dlg.showModal();
  $('#key-input').focus();
}

async function submitKey(e) {
  e.preventDefault();
  const value = $('#key-input').value.trim();
  if (!value) return;
  const previous = api.key();
  const remember = $('#key-remember').checked;
  api.setKey(value, remember);
  try {
    await api.get('/api/schema');
  } catch (err) {
    if (previous) api.setKey(previous, remember);
    else api.forgetKey();
    const err2 = $('#key-error');
    err2.hidden = false;
    err2.textContent = err.status === 403 || err.status === 401 ? 'That key was not accepted.' : err.message;
    if (!$('#key-dialog').open) $('#key-dialog').showModal();
    return;
  }
  $('#key-dialog').close();
  if (!started) start();
  else remount();
}

function start() {
  started = true;
  show(router.current());
  checkHealth();
  setInterval(checkHealth, 15000);
}

async function checkHealth() {
  const el = $('#conn-status');
  try {
    const resp = await fetch('/health', {cache: 'no-store'});
    const h = await resp.json();
    el.className = `badge ${h.docker === 'ok' ? 'ok' : 'warn'}`;
    const swarm = h.runtime === 'swarm';
    el.textContent = h.docker === 'ok' ? `connected · v${h.version}${swarm ? ' · swarm' : ''}` : 'Docker unavailable';
    el.title = h.docker === 'ok'
      ? `The control and its Docker Engine answer; runs' loaders are ${swarm ? 'the replicas of a Swarm service each' : 'containers of its host'}.`
      : 'Runs cannot be started until the Docker Engine answers.';
  } catch {
    el.className = 'badge bad';
    el.textContent = 'control unreachable';
  }
}

function typing(e) {
  const t = e.target;
  return t instanceof HTMLElement && (t.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName));
}

function onKey(e) {
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'k') {
    e.preventDefault();
    askKey();
    return;
  }
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
    if (active.ctl?.save) {
      e.preventDefault();
      active.ctl.save();
    }
    return;
  }
  if (e.ctrlKey || e.metaKey || e.altKey || typing(e) || document.querySelector('dialog[open]')) return;
  const link = $(`#tab-list a[data-key="${e.key}"]`);
  if (link) {
    e.preventDefault();
    router.go(link.dataset.tab, {});
    return;
  }
  const actions = {
    t: () => themes.cycle(),
    k: () => askKey(),
    r: () => active.ctl?.refresh?.(),
    n: () => active.ctl?.create?.(),
    '/': () => active.ctl?.focusSearch?.(),
    '?': () => $('#help-dialog').showModal(),
  };
  if (actions[e.key]) {
    e.preventDefault();
    actions[e.key]();
  }
}

function init() {
  themes.apply();
  $('#key-button').replaceChildren(icon('key'));
  $('#help-button').replaceChildren(icon('help'));
  $('#theme-toggle').addEventListener('click', () => themes.cycle());
  $('#key-button').addEventListener('click', () => askKey());
  $('#help-button').addEventListener('click', () => $('#help-dialog').showModal());
  $('#help-close').addEventListener('click', () => $('#help-dialog').close());
  $('#key-form').addEventListener('submit', (e) => submitKey(e).catch((err) => report(err)));
  $('#key-forget').addEventListener('click', () => {
    api.forgetKey();
    askKey('The key was forgotten on this device.');
  });
  document.addEventListener('keydown', onKey);
  api.setAuthFailureHandler((msg) => askKey(msg));
  router.onChange((s) => {
    if (started) show(s);
  });
  // Every call reports its own errors; this only makes an unexpected one visible to the user
  // too (it still reaches the console, where the browser test looks for it).
  window.addEventListener('unhandledrejection', (e) => report(e.reason));
  $('#key-dialog').addEventListener('cancel', (e) => {
    if (!api.key()) e.preventDefault(); // nothing works without a key
  });
  if (api.key()) {
    api.get('/api/schema').then(start, (err) => {
      if (err.status !== 401 && err.status !== 403) {
        report(err, 'Connecting');
        start();
      }
    });
  } else {
    askKey();
  }
  if (!location.hash) history.replaceState(null, '', router.link('dashboard', {}));
}

init();
