// Funnel steps: the field set of each of the six step types, the templates of the original
// control, and the preview text.

export const STEP_TYPES = ['pageview', 'event', 'site_search', 'outlink', 'download', 'ecommerce'];

export const TYPE_LABEL = {pageview: 'Pageview', event: 'Event', site_search: 'Site search',
  outlink: 'Outlink', download: 'Download', ecommerce: 'Ecommerce order'};

// STEP_FIELDS lists each type's fields: [key, label, kind, required]. kind: text, url, number, int.
const COMMON_URL = ['url', 'Page URL', 'url', false];
export const STEP_FIELDS = {
  pageview: [['url', 'Page URL', 'url', true], ['action_name', 'Page title', 'text', false]],
  event: [COMMON_URL, ['event_category', 'Category', 'text', true], ['event_action', 'Action', 'text', true],
    ['event_name', 'Name', 'text', true], ['event_value', 'Value', 'number', false]],
  site_search: [COMMON_URL, ['search_keyword', 'Keyword', 'text', true], ['search_category', 'Search category', 'text', false],
    ['search_results', 'Result count', 'int', false]],
  outlink: [COMMON_URL, ['target_url', 'Outlink URL', 'url', true]],
  download: [COMMON_URL, ['target_url', 'File URL', 'url', true]],
  ecommerce: [COMMON_URL, ['ecommerce_revenue', 'Revenue', 'number', false], ['ecommerce_subtotal', 'Subtotal', 'number', false],
    ['ecommerce_tax', 'Tax', 'number', false], ['ecommerce_shipping', 'Shipping', 'number', false],
    ['ecommerce_items', 'Items', 'int', false], ['ecommerce_currency', 'Currency', 'text', false]],
};

const step = (type, fields, min, max) => ({type, ...fields, delay_seconds_min: min, delay_seconds_max: max});
const site = 'https://example.test';

// TEMPLATES are the original control's three funnel templates.
export const TEMPLATES = {
  'Ecommerce Purchase': {name: 'Ecommerce Purchase', description: 'Home, category, product, cart, checkout and an order.',
    probability: 0.35, priority: 1, enabled: true, exit_after_completion: true, steps: [
      step('pageview', {url: `${site}/`, action_name: 'Home'}, 5, 20),
      step('pageview', {url: `${site}/products/`, action_name: 'Products'}, 10, 40),
      step('pageview', {url: `${site}/products/widgets/`, action_name: 'Widgets'}, 20, 90),
      step('event', {event_category: 'Ecommerce', event_action: 'Add to Cart', event_name: 'Widget'}, 5, 30),
      step('pageview', {url: `${site}/checkout/`, action_name: 'Checkout'}, 30, 120),
      step('ecommerce', {ecommerce_items: 2}, 0, 0)]},
  'Lead Generation': {name: 'Lead Generation', description: 'A blog post, a PDF, a resource page and a lead.',
    probability: 0.25, priority: 2, enabled: true, exit_after_completion: true, steps: [
      step('pageview', {url: `${site}/blog/`, action_name: 'Blog'}, 20, 60),
      step('outlink', {target_url: `${site}/downloads/whitepaper.pdf`}, 5, 15),
      step('pageview', {url: `${site}/resources/`, action_name: 'Resources'}, 30, 90),
      step('event', {event_category: 'Lead', event_action: 'Form Submit', event_name: 'Contact'}, 0, 0)]},
  'Content Discovery': {name: 'Content Discovery', description: 'Home, a site search, an article read to 75%.',
    probability: 0.3, priority: 3, enabled: true, exit_after_completion: false, steps: [
      step('pageview', {url: `${site}/`, action_name: 'Home'}, 5, 15),
      step('site_search', {search_keyword: 'getting started', search_results: 12}, 5, 20),
      step('pageview', {url: `${site}/blog/getting-started/`, action_name: 'Getting started'}, 60, 240),
      step('event', {event_category: 'Engagement', event_action: 'Scroll', event_name: '75%'}, 0, 0)]},
};

// emptyFunnel is a new funnel with one pageview.
export function emptyFunnel() {
  return {name: '', description: '', probability: 0.1, priority: 10, enabled: true, exit_after_completion: true,
    steps: [step('pageview', {url: `${site}/`}, 5, 30)]};
}

// newStep is a step of the given type with empty fields.
export function newStep(type) {
  return step(type, {}, 5, 30);
}

// describe returns one line of preview for a step.
export function describe(s) {
  switch (s.type) {
    case 'pageview': return `Pageview ${s.url || '(no URL)'}${s.action_name ? ` “${s.action_name}”` : ''}`;
    case 'event': return `Event ${[s.event_category, s.event_action, s.event_name].filter(Boolean).join(' / ') || '(incomplete)'}${s.event_value !== undefined ? ` = ${s.event_value}` : ''}`;
    case 'site_search': return `Site search “${s.search_keyword || ''}”${s.search_results !== undefined ? `, ${s.search_results} results` : ''}`;
    case 'outlink': return `Outlink to ${s.target_url || '(no URL)'}`;
    case 'download': return `Download ${s.target_url || '(no URL)'}`;
    case 'ecommerce': return `Order${s.ecommerce_items ? ` of ${s.ecommerce_items} item(s)` : ''}${s.ecommerce_revenue !== undefined ? `, revenue ${s.ecommerce_revenue}` : ''}${s.ecommerce_currency ? ` ${s.ecommerce_currency}` : ''}`;
    default: return s.type;
  }
}

// delayText describes the wait after a step.
export function delayText(s, last) {
  if (last) return '';
  const a = s.delay_seconds_min || 0;
  const b = Math.max(s.delay_seconds_max || 0, a);
  if (b === 0) return 'then at once';
  return a === b ? `then ${a} s` : `then ${a}–${b} s`;
}
