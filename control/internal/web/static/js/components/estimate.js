// The backfill estimate shown before starting. The figures are POST /api/backfill/estimate's: the
// control plans the window with the loader's own code (pkg/dayplan), in TIMEZONE, so nothing of
// the plan is computed here.

import {h, replace} from '../dom.js';
import {int, duration} from '../format.js';

// renderEstimate fills el with an estimate from the API, or says why there is none.
export function renderEstimate(el, e, reason) {
  if (!e) {
    replace(el, h('p', {class: 'muted', id: 'est-none'}, `No estimate yet: ${reason}.`));
    return;
  }
  const item = (label, value, id) => h('div', {}, h('dt', {}, label), h('dd', {id}, value));
  replace(el, h('dl', {},
    item('Days', int(e.days), 'est-days'),
    item('Visits', int(e.visits), 'est-visits'),
    item('Tracking requests', `≈ ${int(e.hits)}`, 'est-hits'),
    item('Expected duration', e.seconds === null ? 'as fast as the target allows' : `≈ ${duration(e.seconds)}`, 'est-duration')),
  h('p', {class: 'muted small', id: 'est-range'}, `${e.first} to ${e.last} in ${e.timezone}. `,
    `About ${e.hits_per_visit.toFixed(1)} requests per visit from the visit mix`, e.copies > 1 ? `, × ${e.copies} mirrored targets` : '', '.'));
}
