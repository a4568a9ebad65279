// Campaigns tab: campaign catalogues (CAMPAIGNS_FILE: name, source, medium, keyword, content, id,
// weight), as JSON or CSV, with validation and a preview of each medium's share of campaign visits.

import {h, replace} from '../dom.js';
import * as api from '../api.js';
import {int} from '../format.js';
import {mountSets} from '../components/setstab.js';

const kind = {
  tab: 'campaigns', title: 'Campaigns', noun: 'campaign set', unit: 'campaigns', base: '/api/campaign-sets',
  accept: '.json,.csv,application/json,text/csv', ext: '.csv', mime: 'text/csv',
  placeholder: 'name,source,medium,keyword,content,id,weight\nspring-sale,newsletter,email,,hero-button,nl-03,3\nbrand-search,google,cpc,analytics tool,ad-a,g-01,2',
  loadContent: async (view, id) => view.content ?? api.get(`/api/campaign-sets/${encodeURIComponent(id)}/content`, {text: true}),
  preview,
};

export function mount(root, params) {
  return mountSets(root, params, kind);
}

function preview(el, v) {
  const st = v.campaign_stats;
  if (!st) {
    replace(el, h('p', {class: 'muted'}, `${int(v.count)} campaigns.`));
    return;
  }
  replace(el,
    h('p', {}, h('strong', {id: 'campaign-count'}, int(st.campaigns)), ' campaigns, ', int(st.names),
      ' names in Referrers › Campaigns (Matomo shows names in lower case).'),
    h('div', {class: 'table-wrap'}, h('table', {},
      h('thead', {}, h('tr', {}, h('th', {scope: 'col'}, 'Medium'), h('th', {scope: 'col', class: 'num'}, 'Campaigns'),
        h('th', {scope: 'col', class: 'num'}, 'Share of campaign visits'))),
      h('tbody', {}, (st.media || []).map((m) => h('tr', {}, h('td', {}, m.medium || '(none)'),
        h('td', {class: 'num'}, int(m.campaigns)), h('td', {class: 'num'}, `${(m.share * 100).toFixed(1)} %`)))))),
    h('p', {class: 'muted small'}, 'CAMPAIGN_PROBABILITY sets the share of visits that land from a campaign.'));
}
