// Events tab: event sets (events.json with click_events and random_events, optional
// probabilities) with a JSON editor, validation and per-category statistics.

import {h, replace} from '../dom.js';
import * as api from '../api.js';
import {int} from '../format.js';
import {mountSets} from '../components/setstab.js';

const kind = {
  tab: 'events', title: 'Event sets', noun: 'event set', unit: 'events', base: '/api/event-sets',
  accept: '.json,application/json', ext: '.json', mime: 'application/json',
  placeholder: '{\n  "click_events": [{"category": "UI", "action": "Click", "name": "Menu", "value": null}],\n  "random_events": []\n}',
  loadContent: async (view, id) => view.content ?? api.get(`/api/event-sets/${encodeURIComponent(id)}/content`, {text: true}),
  preview,
  format: true,
};

export function mount(root, params) {
  return mountSets(root, params, kind);
}

function preview(el, v) {
  const st = v.stats;
  if (!st) {
    replace(el, h('p', {class: 'muted'}, `${int(v.count)} events.`));
    return;
  }
  replace(el,
    h('p', {}, h('strong', {id: 'event-count'}, int(st.click_events + st.random_events)), ' events: ',
      int(st.click_events), ' click, ', int(st.random_events), ' other.'),
    h('div', {class: 'table-wrap'}, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Category'), h('th', {scope: 'col', class: 'num'}, 'Click'), h('th', {scope: 'col', class: 'num'}, 'Other'))),
      h('tbody', {}, (st.categories || []).map((c) => h('tr', {}, h('td', {}, c.category),
        h('td', {class: 'num'}, int(c.click_events)), h('td', {class: 'num'}, int(c.random_events))))))));
}
