// Small stroke icons as inline SVG, so no icon font or emoji glyph is needed (a headless or
// minimal system may have neither). Always paired with a text label or an aria-label.

const NS = 'http://www.w3.org/2000/svg';

// Each icon is a list of shapes: ['path', d], ['circle', cx, cy, r] or ['fill', d] (a filled path).
const ICONS = {
  up: [['path', 'M12 19V5M5 12l7-7 7 7']],
  down: [['path', 'M12 5v14M5 12l7 7 7-7']],
  copy: [['path', 'M9 9h11v11H9z'], ['path', 'M5 15H4V4h11v1']],
  close: [['path', 'M6 6l12 12M18 6L6 18']],
  key: [['circle', 7.5, 15.5, 4.5], ['path', 'M10.7 12.3L20 3M16 7l3 3M18.5 4.5l2 2']],
  sun: [['circle', 12, 12, 4], ['path', 'M12 2v2M12 20v2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M2 12h2M20 12h2M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4']],
  moon: [['path', 'M21 12.8A9 9 0 1 1 11.2 3a7 7 0 0 0 9.8 9.8z']],
  system: [['circle', 12, 12, 9], ['fill', 'M12 3a9 9 0 0 1 0 18z']],
  help: [['circle', 12, 12, 9], ['path', 'M9.5 9a2.5 2.5 0 1 1 3.5 2.3c-.6.3-1 .9-1 1.6V14M12 17.5v.01']],
  play: [['fill', 'M7 4l13 8-13 8z']],
};

// icon returns an <svg> for name (16 px, currentColor), hidden from assistive technology.
export function icon(name) {
  const svg = document.createElementNS(NS, 'svg');
  for (const [k, v] of Object.entries({viewBox: '0 0 24 24', width: 16, height: 16, fill: 'none', stroke: 'currentColor',
    'stroke-width': 2, 'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false'})) {
    svg.setAttribute(k, String(v));
  }
  for (const [kind, ...args] of ICONS[name] || []) {
    const el = document.createElementNS(NS, kind === 'circle' ? 'circle' : 'path');
    if (kind === 'circle') {
      el.setAttribute('cx', args[0]);
      el.setAttribute('cy', args[1]);
      el.setAttribute('r', args[2]);
    } else {
      el.setAttribute('d', args[0]);
      if (kind === 'fill') el.setAttribute('fill', 'currentColor');
    }
    svg.append(el);
  }
  return svg;
}
