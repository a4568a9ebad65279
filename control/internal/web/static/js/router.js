// The view state lives in the URL fragment (#/tab?key=value), so a reload, a bookmark or the
// back button returns to the same view. Fragments never reach the server.

const listeners = new Set();

// current returns {tab, params} of the URL.
export function current() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [tab, query = ''] = hash.split('?');
  return {tab: tab || 'dashboard', params: Object.fromEntries(new URLSearchParams(query))};
}

function href(tab, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== '') q.set(k, v);
  }
  const s = q.toString();
  return `#/${tab}${s ? `?${s}` : ''}`;
}

// link returns the fragment for a tab and params, for <a href>.
export const link = href;

// go navigates to a tab (a history entry).
export function go(tab, params) {
  const next = href(tab, params);
  if (next === location.hash) return;
  location.hash = next;
}

// setParams changes the params of the current tab. With replace (the default) no history entry
// is added and no listener fires: the tab already shows what the params say.
export function setParams(params, {replace = true, merge = true} = {}) {
  const cur = current();
  const next = href(cur.tab, merge ? {...cur.params, ...params} : params);
  if (next === location.hash) return;
  if (replace) history.replaceState(null, '', next);
  else location.hash = next;
}

// onChange registers fn(state) for navigation.
export function onChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

window.addEventListener('hashchange', () => {
  const s = current();
  for (const fn of listeners) fn(s);
});
