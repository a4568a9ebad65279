// A small time-series line chart on <canvas> (no library). Colours come from CSS custom
// properties, so it follows the theme; it redraws on resize and on "themechange".

import {clock} from '../format.js';

const MAX_POINTS = 720;

// niceMax rounds v up to 1, 2 or 5 times a power of ten, for axis labels.
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) {
    if (v <= m * p) return m * p;
  }
  return 10 * p;
}

function fmtAxis(v) {
  if (v >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (v >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return `${+v.toFixed(v < 10 ? 1 : 0)}`;
}

// LineChart draws series ({label, color: '--chart-1', dashed}) over time.
export class LineChart {
  constructor(canvas, {series, unit = ''}) {
    this.canvas = canvas;
    this.series = series;
    this.unit = unit;
    this.points = []; // {t: ms, v: [numbers or null]}
    this.redraw = () => this.draw();
    this.resize = new ResizeObserver(this.redraw);
    this.resize.observe(canvas);
    window.addEventListener('themechange', this.redraw);
  }

  // push adds a point at time t (ms) and redraws.
  push(t, values) {
    this.points.push({t, v: values});
    if (this.points.length > MAX_POINTS) this.points.splice(0, this.points.length - MAX_POINTS);
    this.draw();
  }

  // set replaces all points.
  set(points) {
    this.points = points.slice(-MAX_POINTS);
    this.draw();
  }

  destroy() {
    this.resize.disconnect();
    window.removeEventListener('themechange', this.redraw);
  }

  draw() {
    const c = this.canvas;
    if (!c.isConnected) return;
    const dpr = window.devicePixelRatio || 1;
    const w = c.clientWidth;
    const hgt = c.clientHeight;
    if (w === 0 || hgt === 0) return;
    if (c.width !== Math.round(w * dpr) || c.height !== Math.round(hgt * dpr)) {
      c.width = Math.round(w * dpr);
      c.height = Math.round(hgt * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, hgt);
    const css = getComputedStyle(c);
    const color = (name) => css.getPropertyValue(name).trim() || '#888';
    const pad = {l: 52, r: 12, t: 10, b: 24};
    const pw = w - pad.l - pad.r;
    const ph = hgt - pad.t - pad.b;
    let max = 0;
    for (const p of this.points) for (const v of p.v) if (v > max) max = v;
    const yMax = niceMax(max * 1.1);
    const t0 = this.points.length ? this.points[0].t : Date.now() - 60000;
    const t1 = this.points.length > 1 ? this.points[this.points.length - 1].t : t0 + 60000;
    const x = (t) => pad.l + ((t - t0) / Math.max(t1 - t0, 1)) * pw;
    const y = (v) => pad.t + ph - (v / yMax) * ph;

    ctx.font = `11px ${css.fontFamily}`;
    ctx.fillStyle = color('--muted');
    ctx.strokeStyle = color('--chart-grid');
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (let i = 0; i <= 4; i++) {
      const v = (yMax * i) / 4;
      const yy = Math.round(y(v)) + 0.5;
      ctx.beginPath();
      ctx.moveTo(pad.l, yy);
      ctx.lineTo(pad.l + pw, yy);
      ctx.stroke();
      ctx.fillText(fmtAxis(v), pad.l - 6, yy);
    }
    ctx.textBaseline = 'top';
    ctx.textAlign = 'left';
    if (this.points.length) ctx.fillText(clock(t0), pad.l, pad.t + ph + 6);
    ctx.textAlign = 'right';
    if (this.points.length > 1) ctx.fillText(clock(t1), pad.l + pw, pad.t + ph + 6);
    if (this.unit) {
      ctx.textAlign = 'left';
      ctx.fillText(this.unit, 4, pad.t + ph + 6);
    }
    if (!this.points.length) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText('waiting for data…', pad.l + pw / 2, pad.t + ph / 2);
      return;
    }
    this.series.forEach((s, i) => this.line(ctx, i, x, y, color(s.color), s.dashed));
  }

  line(ctx, i, x, y, stroke, dashed) {
    ctx.save();
    ctx.strokeStyle = stroke;
    ctx.lineWidth = 2;
    ctx.lineJoin = 'round';
    ctx.setLineDash(dashed ? [6, 4] : []);
    ctx.beginPath();
    let started = false;
    for (const p of this.points) {
      const v = p.v[i];
      if (v === null || v === undefined || Number.isNaN(v)) {
        started = false;
        continue;
      }
      if (started) ctx.lineTo(x(p.t), y(v));
      else ctx.moveTo(x(p.t), y(v));
      started = true;
    }
    ctx.stroke();
    if (this.points.length === 1) {
      const v = this.points[0].v[i];
      if (v !== null && v !== undefined) {
        ctx.fillStyle = stroke;
        ctx.beginPath();
        ctx.arc(x(this.points[0].t), y(v), 3, 0, Math.PI * 2);
        ctx.fill();
      }
    }
    ctx.restore();
  }
}
