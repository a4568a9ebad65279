// Static SVG charts for the Compare view: a line chart (time or visits/day on x) and a bar chart.
// Elements are built with the DOM (no markup strings), colours come from CSS classes that use the
// theme's custom properties, and charts shown side by side are given the same scales.

const NS = 'http://www.w3.org/2000/svg';
const W = 420;
const H = 220;
const PAD = {l: 52, r: 12, t: 22, b: 34};

function el(tag, attrs, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v !== undefined && v !== null) e.setAttribute(k, String(v));
  }
  for (const c of children) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

// niceMax rounds v up to 1, 2, 2.5 or 5 times a power of ten.
export function niceMax(v) {
  if (!(v > 0) || !Number.isFinite(v)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}

// divisions splits 0…max (from niceMax: 1, 2, 2.5 or 5 times a power of ten) into round steps.
function divisions(max) {
  const m = max / 10 ** Math.floor(Math.log10(max));
  return Math.abs(m - 1) < 1e-9 || Math.abs(m - 2) < 1e-9 ? 4 : 5;
}

function trimNum(v, places) {
  return String(+v.toFixed(places));
}

// axis formats a tick: 1.5M, 250k, 12, 0.5.
export function axis(v) {
  const a = Math.abs(v);
  if (a >= 1e6) return `${trimNum(v / 1e6, 1)}M`;
  if (a >= 1e3) return `${trimNum(v / 1e3, 1)}k`;
  return trimNum(v, a > 0 && a < 1 ? 2 : 1);
}

// clock formats seconds since the start as m:ss or h:mm:ss.
export function clock(sec) {
  const s = Math.round(sec || 0);
  const p2 = (x) => String(x).padStart(2, '0');
  if (s >= 3600) return `${Math.floor(s / 3600)}:${p2(Math.floor((s % 3600) / 60))}:${p2(s % 60)}`;
  return `${Math.floor(s / 60)}:${p2(s % 60)}`;
}

// lineChart draws series [{name, cls: 's1'…'s8', points: [[x, y]], dashed, hollow: [bool], dots}]
// over x from 0 to xMax and y from 0 to yMax (rounded up), with a title for screen readers.
export function lineChart({title, series, xMax, yMax, xRate = false, xUnit = '', yUnit = ''}) {
  const ym = niceMax((yMax || 0) * 1.05);
  const xm = xMax > 0 ? xMax : 1;
  const pw = W - PAD.l - PAD.r;
  const ph = H - PAD.t - PAD.b;
  const x = (v) => +(PAD.l + (v / xm) * pw).toFixed(1);
  const y = (v) => +(PAD.t + ph - (v / ym) * ph).toFixed(1);
  const svg = el('svg', {class: 'svgchart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': title}, el('title', {}, title));
  const divs = divisions(ym);
  for (let i = 0; i <= divs; i++) {
    const v = (ym * i) / divs;
    svg.append(el('line', {class: 'grid', x1: PAD.l, x2: PAD.l + pw, y1: y(v), y2: y(v)}),
      el('text', {class: 'tick', x: PAD.l - 6, y: y(v), 'text-anchor': 'end', 'dominant-baseline': 'middle'}, axis(v)));
  }
  const tick = xRate ? axis : clock;
  const base = PAD.t + ph + 14;
  svg.append(el('text', {class: 'tick', x: PAD.l, y: base}, tick(0)),
    el('text', {class: 'tick', x: PAD.l + pw, y: base, 'text-anchor': 'end'}, tick(xm)),
    el('text', {class: 'tick', x: PAD.l + pw / 2, y: base, 'text-anchor': 'middle'}, xUnit),
    el('text', {class: 'tick', x: 4, y: 11}, yUnit));
  let drawn = 0;
  for (const s of series) {
    if (!s.points.length) continue;
    drawn++;
    svg.append(el('polyline', {class: `line ${s.cls}${s.dashed ? ' dashed' : ''}`, points: s.points.map(([a, b]) => `${x(a)},${y(b)}`).join(' ')},
      el('title', {}, s.name)));
    if (s.dots || s.points.length === 1) {
      s.points.forEach(([a, b], i) => {
        svg.append(el('circle', {class: `dot ${s.cls}${s.hollow?.[i] ? ' hollow' : ''}`, cx: x(a), cy: y(b), r: 3.5}));
      });
    }
  }
  if (!drawn) svg.append(el('text', {class: 'tick', x: PAD.l + pw / 2, y: PAD.t + ph / 2, 'text-anchor': 'middle'}, 'no data'));
  return svg;
}

// barChart draws a horizontal bar per item [{name, value, label, cls}], the longest = the largest.
export function barChart({title, items}) {
  const rowH = 30;
  const labelW = 140;
  const valueW = 130;
  const w = W + 200;
  const h = rowH * items.length + 8;
  const most = Math.max(...items.map((i) => i.value), 0) || 1;
  const svg = el('svg', {class: 'svgchart bars', viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': title}, el('title', {}, title));
  items.forEach((it, i) => {
    const top = 4 + i * rowH;
    const len = +((it.value / most) * (w - labelW - valueW)).toFixed(1);
    svg.append(el('text', {class: 'label', x: labelW - 8, y: top + rowH / 2, 'text-anchor': 'end', 'dominant-baseline': 'middle'}, it.name),
      el('rect', {class: `bar ${it.cls}`, x: labelW, y: top + 4, width: len, height: rowH - 8}, el('title', {}, `${it.name}: ${it.label}`)),
      el('text', {class: 'tick', x: labelW + len + 6, y: top + rowH / 2, 'dominant-baseline': 'middle'}, it.label));
  });
  return svg;
}
