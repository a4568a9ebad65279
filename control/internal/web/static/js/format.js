// Number, time and size formatting for display.

const intFmt = new Intl.NumberFormat(undefined, {maximumFractionDigits: 0});
const decFmt = new Intl.NumberFormat(undefined, {maximumFractionDigits: 1});
const dec2Fmt = new Intl.NumberFormat(undefined, {maximumFractionDigits: 2});

// int formats a count; undefined and null show as a dash.
export function int(n) {
  return n === undefined || n === null || Number.isNaN(n) ? '–' : intFmt.format(n);
}

// dec formats a rate or measure with one decimal (two below 10).
export function dec(n) {
  if (n === undefined || n === null || Number.isNaN(n)) return '–';
  return Math.abs(n) < 10 ? dec2Fmt.format(n) : decFmt.format(n);
}

// pct formats a 0–100 number as a percentage.
export function pct(n) {
  return n === undefined || n === null ? '–' : `${decFmt.format(n)}%`;
}

// duration formats seconds as "2d 3h", "1h 02m", "4m 05s" or "12s".
export function duration(sec) {
  if (sec === undefined || sec === null || !Number.isFinite(sec)) return '–';
  const s = Math.max(0, Math.round(sec));
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  const p2 = (x) => String(x).padStart(2, '0');
  if (d > 0) return `${d}d ${hh}h`;
  if (hh > 0) return `${hh}h ${p2(mm)}m`;
  if (mm > 0) return `${mm}m ${p2(ss)}s`;
  return `${ss}s`;
}

// rateSpan names the span an achieved rate covers (a record's achieved_window_s): the last minute
// in stats records, the whole run in summaries; records without it covered the last interval.
export function rateSpan(sec) {
  if (!sec) return 'last interval';
  if (Math.round(sec) === 60) return 'last minute';
  return `over ${duration(sec)}`;
}

// time formats a timestamp as local date and time.
export function dateTime(ts) {
  if (!ts) return '–';
  const d = new Date(ts);
  return Number.isNaN(d.getTime()) ? '–' : d.toLocaleString();
}

// clock formats a timestamp as local HH:MM:SS.
export function clock(ts) {
  const d = ts instanceof Date ? ts : new Date(ts);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString(undefined, {hour12: false});
}

// bytes formats a size.
export function bytes(n) {
  if (!n && n !== 0) return '–';
  const units = ['B', 'KB', 'MB', 'GB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return `${i === 0 ? v : dec(v)} ${units[i]}`;
}

// ago formats how long ago a timestamp was.
export function ago(ts) {
  if (!ts) return '–';
  const sec = (Date.now() - new Date(ts).getTime()) / 1000;
  return sec < 5 ? 'just now' : `${duration(sec)} ago`;
}
