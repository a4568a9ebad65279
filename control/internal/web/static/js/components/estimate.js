// The backfill estimate shown before starting: days, visits, tracking requests and the expected
// duration, computed from the same settings the loader plans with. The API has no dry-run
// endpoint, so this mirrors the plan's rules (window, per-day visits, weekend factor, total cap)
// and estimates hits per visit from the visit mix (pageviews + extra actions + the final ping).

import {h, replace} from '../dom.js';
import {int, duration} from '../format.js';

const EXTRA_ACTIONS = ['SITESEARCH_PROBABILITY', 'OUTLINKS_PROBABILITY', 'DOWNLOADS_PROBABILITY',
  'CLICK_EVENTS_PROBABILITY', 'RANDOM_EVENTS_PROBABILITY', 'ECOMMERCE_PROBABILITY'];

const num = (v, d) => (v === undefined || v === null || v === '' || Number.isNaN(Number(v)) ? d : Number(v));

function isoDay(d) {
  const p = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

// windowDays returns the backfill days (Date objects at local midnight) or an error text.
export function windowDays(c, today = new Date()) {
  const t0 = new Date(today.getFullYear(), today.getMonth(), today.getDate());
  let start;
  let end;
  if (c.BACKFILL_START_DATE || c.BACKFILL_END_DATE) {
    start = parseDay(c.BACKFILL_START_DATE);
    end = parseDay(c.BACKFILL_END_DATE);
    if (!start || !end) return {error: 'give both dates'};
  } else if (c.BACKFILL_DAYS_BACK !== undefined && c.BACKFILL_DURATION_DAYS !== undefined) {
    start = new Date(t0);
    start.setDate(start.getDate() - num(c.BACKFILL_DAYS_BACK, 0));
    end = new Date(start);
    end.setDate(end.getDate() + num(c.BACKFILL_DURATION_DAYS, 1) - 1);
  } else {
    return {error: 'choose a window'};
  }
  if (start > end) return {error: 'the start is after the end'};
  if (end > t0) return {error: 'the window ends in the future'};
  const days = [];
  for (let d = new Date(start); d <= end && days.length <= 3660; d.setDate(d.getDate() + 1)) days.push(new Date(d));
  return {days};
}

function parseDay(s) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s || '');
  return m ? new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : null;
}

// estimate computes the figures for a config map (the saved config with the backfill fields).
export function estimate(c) {
  const w = windowDays(c);
  if (w.error) return {error: w.error};
  let perDay = num(c.BACKFILL_MAX_VISITS_PER_DAY, 2000);
  if (perDay === 0) perDay = num(c.TARGET_VISITS_PER_DAY, 20000);
  const weekend = c.BACKFILL_PROFILE === 'realistic' ? num(c.BACKFILL_WEEKEND_FACTOR, 0.6) : 1;
  let visits = 0;
  for (const d of w.days) {
    const wd = d.getDay();
    visits += Math.round(perDay * (wd === 0 || wd === 6 ? weekend : 1));
  }
  const cap = num(c.BACKFILL_MAX_VISITS_TOTAL, 200000);
  if (cap > 0) visits = Math.min(visits, cap);
  const targets = (c.MATOMO_TARGETS || []).filter((t) => t.enabled !== false);
  const copies = c.TARGET_MODE === 'mirror' ? Math.max(targets.length, 1) : 1;
  const pv = (num(c.PAGEVIEWS_MIN, 3) + num(c.PAGEVIEWS_MAX, 6)) / 2;
  const extra = EXTRA_ACTIONS.reduce((a, k) => a + num(c[k], 0), 0);
  const hitsPerVisit = pv + extra + 1;
  const hits = Math.round(visits * hitsPerVisit * copies);
  const rps = num(c.BACKFILL_RPS_LIMIT, 0);
  return {days: w.days.length, first: isoDay(w.days[0]), last: isoDay(w.days[w.days.length - 1]),
    visits: visits * copies, hits, hitsPerVisit, seconds: rps > 0 ? hits / rps : null, copies};
}

// renderEstimate fills el with the estimate of c.
export function renderEstimate(el, c) {
  const e = estimate(c);
  if (e.error) {
    replace(el, h('p', {class: 'muted'}, `No estimate yet: ${e.error}.`));
    return e;
  }
  const item = (label, value, id) => h('div', {}, h('dt', {}, label), h('dd', {id}, value));
  replace(el, h('dl', {},
    item('Days', `${int(e.days)}`, 'est-days'),
    item('Visits', int(e.visits), 'est-visits'),
    item('Tracking requests', `≈ ${int(e.hits)}`, 'est-hits'),
    item('Expected duration', e.seconds === null ? 'as fast as the target allows' : `≈ ${duration(e.seconds)}`, 'est-duration')),
  h('p', {class: 'muted small'}, `${e.first} to ${e.last} (your browser's calendar; the loader uses TIMEZONE). `,
    `About ${e.hitsPerVisit.toFixed(1)} requests per visit from the visit mix`, e.copies > 1 ? `, × ${e.copies} mirrored targets` : '', '.'));
  return e;
}
