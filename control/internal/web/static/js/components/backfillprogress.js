// BackfillProgress follows one backfill run: overall progress with rate and ETA, a progress bar
// per day (and target), cancel and resume, and the archiving hint or invalidation results at the
// end. It polls the run and listens to its "day" and "progress" events.

import {h, replace, throttle} from '../dom.js';
import * as api from '../api.js';
import {badge, report, emptyState} from '../ui.js';
import {int, dec, pct, duration} from '../format.js';
import {isActive, stopRun, resumeRun} from './runs.js';
import {summaryBox} from './rundetail.js';

const POLL_MS = 2500;

// dayOf reads a day from the run view (whose day records have Go field names) or from a "day"
// event (snake_case), into one shape.
function dayOf(d) {
  const g = (k) => d[k] ?? d[k.charAt(0).toUpperCase() + k.slice(1)];
  return {date: g('date'), target: g('target'), planned: g('planned') || 0, sent: g('sent') || 0,
    tracked: g('tracked') || 0, invalid: g('invalid') || 0, dropped: g('dropped') || 0, done: Boolean(g('done')), skipped: g('skipped') || ''};
}

export class BackfillProgress {
  constructor(root, id, hooks) {
    this.id = id;
    this.hooks = hooks;
    this.days = new Map();
    this.head = h('div');
    this.overall = h('div', {id: 'backfill-overall', 'aria-live': 'polite'});
    this.dayList = h('div', {class: 'days', id: 'backfill-days'});
    this.end = h('div');
    replace(root, h('section', {class: 'panel', 'aria-label': 'Backfill progress'}, this.head, this.overall,
      h('h3', {}, 'Days'), this.dayList), this.end);
    this.soon = throttle(() => this.renderDays(), 250);
    this.poll();
  }

  async poll() {
    clearTimeout(this.timer);
    if (this.destroyed) return;
    try {
      this.run = await api.get(`/api/runs/${encodeURIComponent(this.id)}`);
      for (const d of this.run.days || []) {
        const x = dayOf(d);
        this.days.set(`${x.date}|${x.target}`, x);
      }
      if (this.run.progress) this.progress = this.run.progress;
      this.render();
      if (isActive(this.run) && !this.stream) this.follow();
    } catch (err) {
      replace(this.head, emptyState(err.status === 404 ? `Run ${this.id} does not exist.` : err.message));
      return;
    }
    if (isActive(this.run)) this.timer = setTimeout(() => this.poll(), POLL_MS);
  }

  follow() {
    this.stream = api.stream(`/api/runs/${this.id}/events`, {
      onEvent: (type, ev) => {
        const r = ev.record || {};
        if (type === 'day') {
          const x = dayOf(r);
          this.days.set(`${x.date}|${x.target}`, x);
          this.soon();
        } else if (type === 'progress') {
          this.progress = r;
          this.renderOverall();
        }
      },
      onEnd: () => {
        this.stream = null;
        this.poll();
        this.hooks.onChanged?.();
      },
      onError: (err) => report(err, 'Backfill events'),
    });
  }

  render() {
    const r = this.run;
    const btn = (label, fn, cls, id) => h('button', {type: 'button', class: cls, id, onclick: (e) => fn(e.currentTarget)}, label);
    replace(this.head, h('div', {class: 'panel-head'},
      h('div', {}, h('h2', {}, r.name || `Backfill ${r.id}`), h('p', {class: 'muted small'}, `${r.id} · ${r.config_id ? `config #${r.config_id}` : 'inline config'}`)),
      h('div', {class: 'row'}, badge(r.state), h('span', {class: 'muted'}, r.started_at ? duration(r.uptime_s) : ''),
        isActive(r) ? btn('Cancel', (b) => stopRun(r, b).then(() => this.poll()), 'danger', 'cancel-backfill') : null,
        !isActive(r) && r.state !== 'completed' ? btn('Resume', (b) => resumeRun(r, b).then((v) => v && this.hooks.onSelect(v.id)), 'primary', 'resume-backfill') : null)),
    r.error ? h('p', {class: 'error-text'}, r.error) : null);
    this.renderOverall();
    this.renderDays();
    replace(this.end, summaryBox(r.summary));
  }

  renderOverall() {
    const p = this.progress;
    const r = this.run;
    let percent = p ? p.percent : 0;
    if (r && r.state === 'completed') percent = 100;
    const done = percent >= 100;
    replace(this.overall,
      h('progress', {class: `big ${done ? 'done' : ''}`, max: 100, value: percent, 'aria-label': 'Overall progress', id: 'backfill-progress-bar'}),
      h('div', {class: 'row between'},
        h('strong', {id: 'backfill-percent'}, pct(percent)),
        p ? h('span', {class: 'muted'}, `${int(p.visits_done)} of ${int(p.visits_planned)} visits · ${dec(p.visits_per_s)} visits/s · ${dec(p.hits_per_s)} requests/s`) : null,
        h('span', {class: 'muted', id: 'backfill-eta'}, done ? 'done' : p && p.eta_s > 0 ? `ETA ${duration(p.eta_s)}` : 'ETA –')));
  }

  renderDays() {
    const list = [...this.days.values()].sort((a, b) => (a.date === b.date ? a.target.localeCompare(b.target) : a.date.localeCompare(b.date)));
    const targets = new Set(list.map((d) => d.target));
    if (!list.length) {
      replace(this.dayList, h('p', {class: 'muted'}, 'No day has reported yet.'));
      return;
    }
    replace(this.dayList, list.flatMap((d) => {
      const value = d.planned > 0 ? Math.min(d.sent / d.planned, 1) * 100 : d.done ? 100 : 0;
      const label = `${d.date}${targets.size > 1 ? ` ${d.target}` : ''}`;
      return [
        h('span', {class: 'date'}, label),
        h('progress', {class: d.done ? 'done' : null, max: 100, value, 'aria-label': `${label}: ${int(d.sent)} of ${int(d.planned)} visits`}),
        h('span', {class: 'small muted num'}, d.skipped ? `skipped: ${d.skipped}` : `${int(d.sent)} / ${int(d.planned)}${d.done ? ' ✓' : ''}`),
      ];
    }));
  }

  destroy() {
    this.destroyed = true;
    clearTimeout(this.timer);
    this.soon.cancel();
    this.stream?.close();
  }
}
