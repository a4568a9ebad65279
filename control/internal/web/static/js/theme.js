// The colour theme: "system" follows prefers-color-scheme; "light" and "dark" override it. The
// choice is kept in localStorage (it is not sensitive). Charts listen for "themechange".

import {icon} from './components/icons.js';

const KEY = 'trafficinator.theme';
const ORDER = ['system', 'light', 'dark'];
const LABEL = {system: 'Theme: follows the system', light: 'Theme: light', dark: 'Theme: dark'};
const ICON = {system: 'system', light: 'sun', dark: 'moon'};

// theme returns the chosen theme.
export function theme() {
  const t = localStorage.getItem(KEY);
  return ORDER.includes(t) ? t : 'system';
}

// isDark tells whether dark colours are showing now.
export function isDark() {
  const t = theme();
  return t === 'dark' || (t === 'system' && matchMedia('(prefers-color-scheme: dark)').matches);
}

// apply sets the theme on <html> and updates the toggle button.
export function apply(t = theme()) {
  const root = document.documentElement;
  if (t === 'system') delete root.dataset.theme;
  else root.dataset.theme = t;
  const btn = document.getElementById('theme-toggle');
  if (btn) {
    btn.replaceChildren(icon(ICON[t]));
    btn.setAttribute('aria-label', LABEL[t]);
    btn.title = `${LABEL[t]} (t)`;
  }
  window.dispatchEvent(new Event('themechange'));
}

// cycle moves to the next theme.
export function cycle() {
  const next = ORDER[(ORDER.indexOf(theme()) + 1) % ORDER.length];
  if (next === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, next);
  apply(next);
}

matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => apply());
