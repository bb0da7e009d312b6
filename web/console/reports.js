// Reports ("#/reports", docs/console.md "Reports"): acknowledgement and resolution times by
// severity over the last eight weeks as uPlot charts (uPlot.iife.min.js, loaded before the
// modules, defines the global uPlot), the same figures as a table, and pages per responder.
import { api } from './api.js';
import { h, setMain } from './dom.js';
import { person } from './people.js';
import { SEVERITIES } from './settings.js';
import { fmtSeconds } from './time.js';

const DAY_MS = 24 * 3600 * 1000;
const WEEKS = 8;

// Acknowledgement and resolution times by severity over the last eight weeks (one
// GET /v1/reports/response with bucket=week), as uPlot charts, and pages per responder.
export function reportsView() {
  const error = h('div', { class: 'banner', role: 'alert' });
  const charts = h('div', { 'aria-busy': 'true' });
  const tables = h('div', {});
  setMain(h('h1', { tabindex: '-1' }, 'Reports'), error, charts, tables);
  document.title = 'Reports · loom-oncall';
  let drawn = '';
  async function refresh() {
    const end = new Date();
    end.setUTCHours(0, 0, 0, 0);
    end.setTime(end.getTime() + DAY_MS);
    const start = new Date(end.getTime() - WEEKS * 7 * DAY_MS);
    try {
      const range = `from=${encodeURIComponent(start.toISOString())}&to=${encodeURIComponent(end.toISOString())}`;
      const total = await api('GET', `/v1/reports/response?${range}&bucket=week`);
      const pages = await api('GET', '/v1/reports/pages?' + range);
      error.textContent = '';
      const key = JSON.stringify([total, pages]);
      if (key === drawn) return;
      drawn = key;
      const reports = total.buckets;
      const xs = reports.map((r) => Date.parse(r.from) / 1000);
      const series = (measure) => SEVERITIES.map((sev) => reports.map((r) => {
        const m = r.by_severity && r.by_severity[sev] && r.by_severity[sev][measure];
        return m && m.count ? m.p50_seconds : null;
      }));
      charts.replaceChildren(
        chartFigure('ack-chart', 'Time to acknowledge, median per week', xs, series('acknowledge')),
        chartFigure('resolve-chart', 'Time to resolve, median per week', xs, series('resolve')));
      charts.setAttribute('aria-busy', 'false');
      tables.replaceChildren(
        h('h2', {}, `Last ${WEEKS} weeks by severity`), severityTable(total),
        h('h2', {}, 'Pages per responder'), pagesTable(pages));
    } catch (e) {
      if (e.status !== 401) error.textContent = e.message;
    }
  }
  return { refresh };
}

const SEV_COLORS = { sev1: '#b3261e', sev2: '#c24e00', sev3: '#8a6d00', sev4: '#4a5568' };

// The duration axis's tick steps in seconds (1 s to 4 weeks) and their labels ("45s", "2m 30s",
// "1h", "2d"): every tick a whole step, so no two ticks read the same (uPlot's own decimal steps
// of minutes printed "0.001" twice).
const DURATION_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
                        43200, 86400, 172800, 604800, 1209600, 2419200];

function fmtAxisDuration(seconds) {
  const s = Math.round(seconds);
  if (s === 0) return '0';
  const units = [[86400, 'd'], [3600, 'h'], [60, 'm'], [1, 's']];
  const parts = [];
  let rest = s;
  for (const [size, unit] of units) {
    if (rest >= size && parts.length < 2) {
      parts.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    } else if (parts.length) {
      break;  // "1h 30m", never "1h 0m 5s"
    }
  }
  return parts.join(' ');
}

function chartFigure(id, title, xs, ys) {
  const box = h('div', { class: 'chart', id });
  const figure = h('figure', { 'aria-labelledby': `${id}-title` },
    h('figcaption', { id: `${id}-title` }, title), box);
  const hasData = ys.some((line) => line.some((v) => v !== null));
  if (!hasData) {
    box.append(h('p', { class: 'muted' }, 'No incidents in these weeks.'));
    return figure;
  }
  if (typeof uPlot !== 'function') {
    box.append(h('p', { class: 'muted' }, 'Charts unavailable (uPlot did not load).'));
    return figure;
  }
  const width = Math.min(960, Math.max(300, document.getElementById('main').clientWidth - 32));
  // eslint-disable-next-line no-undef
  new uPlot({
    width, height: 220,
    series: [{}, ...SEVERITIES.map((sev) => ({ label: sev, stroke: SEV_COLORS[sev], width: 2, spanGaps: true,
                                                 points: { show: true }, value: (u, v) => (v === null ? '—' : fmtSeconds(v)) }))],
    axes: [{}, {
      incrs: DURATION_STEPS, size: 60,
      values: (u, splits) => {
        const labels = splits.map(fmtAxisDuration);
        box.dataset.yTicks = labels.join('|');  // what the axis shows, for the tests
        return labels;
      },
    }],
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max || 0, 1)] } },
  }, [xs, ...ys], box);
  return figure;
}

function severityTable(report) {
  const rows = SEVERITIES.map((sev) => {
    const r = (report.by_severity || {})[sev] || {};
    const a = r.acknowledge || {};
    const z = r.resolve || {};
    return h('tr', { 'data-severity': sev }, h('th', { scope: 'row' }, sev),
      h('td', {}, String(a.count || 0)), h('td', {}, fmtSeconds(a.p50_seconds)), h('td', {}, fmtSeconds(a.p90_seconds)),
      h('td', {}, a.within_target_share === undefined ? '—' : `${Math.round(a.within_target_share * 100)} %`),
      h('td', {}, fmtSeconds(z.p50_seconds)), h('td', {}, fmtSeconds(z.p90_seconds)));
  });
  return h('div', { class: 'table-scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Severity', 'Acks', 'Ack p50', 'Ack p90', 'Within target', 'Resolve p50', 'Resolve p90']
      .map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows)));
}

function pagesTable(report) {
  const entries = Object.entries(report.responders || {});
  if (entries.length === 0) return h('p', { class: 'muted' }, 'Nobody was paged.');
  return h('div', { class: 'table-scroll' }, h('table', {},
    h('thead', {}, h('tr', {}, ['Responder', 'Pages', 'Off hours'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, entries.map(([who, r]) => h('tr', { 'data-responder': who },
      h('th', { scope: 'row' }, person(who)), h('td', {}, String(r.pages)), h('td', {}, String(r.off_hours)))))));
}

