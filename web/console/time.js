// Times and durations as the console shows them, and the countdowns that tick every second.
import { h } from './dom.js';

// "1d 3h", "2h 05m", "4:09": a duration of `ms` (its sign ignored).
export function fmtDuration(ms) {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  const d = Math.floor(s / 86400), hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60), ss = s % 60;
  if (d > 0) return `${d}d ${hh}h`;
  if (hh > 0) return `${hh}h ${String(mm).padStart(2, '0')}m`;
  return `${mm}:${String(ss).padStart(2, '0')}`;
}

// A duration in seconds as fmtDuration does, "—" for none.
export function fmtSeconds(v) { return v === undefined || v === null ? '—' : fmtDuration(v * 1000); }

// Times are shown in the viewer's time zone, 24-hour, with the zone's abbreviation ("Dec 7, 14:03:12
// CET"), so that a time read on a phone abroad is not mistaken for the office's.
const TIME_FORMAT = new Intl.DateTimeFormat(undefined, {
  month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit',
  hourCycle: 'h23', timeZoneName: 'short' });

export function fmtTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : TIME_FORMAT.format(d);
}

// How long ago `iso` was; an element with data-since=`iso` is kept up to date by tick().
export function age(iso) { return fmtDuration(Date.now() - Date.parse(iso)); }

// A <span> that the ticker keeps counting down to `deadline` (ms since the epoch).
export function countdown(deadline) {
  const el = h('span', { class: 'countdown', 'data-deadline': deadline });
  updateCountdown(el);
  return el;
}

function updateCountdown(el) {
  const left = Number(el.dataset.deadline) - Date.now();
  const missed = left < 0;
  el.classList.toggle('missed', missed);
  el.textContent = missed ? `missed by ${fmtDuration(left)}` : `${fmtDuration(left)} left`;
}

// Every second (main.js): the countdowns and ages in the page.
export function tick() {
  document.querySelectorAll('.countdown').forEach(updateCountdown);
  document.querySelectorAll('[data-since]').forEach((el) => { el.textContent = age(el.dataset.since); });
}
