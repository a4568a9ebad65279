// Dimensions tab: custom dimension definitions (CUSTOM_DIMENSIONS_FILE: id, scope, name, weighted
// values). There is no built-in set: the ids must be dimensions configured in the Matomo site.

import {h, replace} from '../dom.js';
import * as api from '../api.js';
import {int} from '../format.js';
import {mountSets} from '../components/setstab.js';

const example = `{
  "dimensions": [
    {"id": 1, "scope": "visit", "name": "Customer plan",
     "values": [{"value": "free", "weight": 70}, {"value": "pro", "weight": 25}, {"value": "enterprise", "weight": 5}]},
    {"id": 2, "scope": "action", "name": "Page author",
     "values": ["editorial", "product team", "guest author"]}
  ]
}
`;

const kind = {
  tab: 'dimensions', title: 'Custom dimensions', noun: 'dimension set', unit: 'dimensions', base: '/api/dimension-sets',
  accept: '.json,application/json', ext: '.json', mime: 'application/json',
  placeholder: example, example, builtin: false,
  loadContent: async (view, id) => view.content ?? api.get(`/api/dimension-sets/${encodeURIComponent(id)}/content`, {text: true}),
  preview,
  format: true,
};

export function mount(root, params) {
  return mountSets(root, params, kind);
}

function preview(el, v) {
  const st = v.dimension_stats;
  if (!st) {
    replace(el, h('p', {class: 'muted'}, `${int(v.count)} dimensions.`));
    return;
  }
  replace(el,
    h('p', {}, h('strong', {id: 'dimension-count'}, int(st.visit + st.action)), ' dimensions: ',
      int(st.visit), ' visit scope, ', int(st.action), ' action scope; ', int(st.values), ' values.'),
    h('p', {class: 'muted small'}, 'Each id must be a custom dimension of the Matomo site (Administration › Websites › Custom Dimensions); ',
      'with a token the loader checks them when a run starts.'));
}
