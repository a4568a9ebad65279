// URLs tab: URL lists (one URL per line, optional title after a TAB or two spaces, # comments),
// with validation, upload and a structure preview (domains, categories, subcategories).

import {h, replace} from '../dom.js';
import * as api from '../api.js';
import {int} from '../format.js';
import {mountSets} from '../components/setstab.js';

const kind = {
  tab: 'urls', title: 'URL sets', noun: 'URL set', unit: 'URLs', base: '/api/url-sets',
  accept: '.txt,text/plain', ext: '.txt', mime: 'text/plain',
  placeholder: 'https://shop.example/\tHome\nhttps://shop.example/products/\tProducts\n# comments start with #',
  loadContent: (view, id) => api.get(`/api/url-sets/${encodeURIComponent(id)}/content`, {text: true}),
  preview,
};

export function mount(root, params) {
  return mountSets(root, params, kind);
}

const MAX_CATEGORIES = 60;

function preview(el, v) {
  const st = v.structure;
  if (!st) {
    replace(el, h('p', {class: 'muted'}, `${int(v.count)} URLs.`));
    return;
  }
  const cats = st.categories || [];
  replace(el,
    h('p', {}, h('strong', {id: 'url-count'}, int(v.count ?? st.pages)), ' URLs on ', int((st.domains || []).length), ' domain(s).'),
    h('h4', {}, 'Domains'),
    h('ul', {class: 'tree'}, (st.domains || []).slice(0, 20).map((d) => h('li', {}, d.domain, ' ', h('span', {class: 'count'}, `(${int(d.pages)})`)))),
    h('h4', {}, `Categories (${int(cats.length)})`),
    h('ul', {class: 'tree', 'aria-label': 'Categories'}, cats.slice(0, MAX_CATEGORIES).map((c) => h('li', {},
      h('details', {}, h('summary', {}, c.name || '(home)', ' ', h('span', {class: 'count'}, `(${int(c.pages)})`)),
        c.subcategories?.length
          ? h('ul', {}, c.subcategories.map((s) => h('li', {}, s.name, ' ', h('span', {class: 'count'}, `(${int(s.pages)})`))))
          : h('p', {class: 'muted small'}, 'No subcategories.'))))),
    cats.length > MAX_CATEGORIES ? h('p', {class: 'muted small'}, `… and ${int(cats.length - MAX_CATEGORIES)} more.`) : null);
}
