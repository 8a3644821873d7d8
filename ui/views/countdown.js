// The login window. The deadline comes from Rust (authoritative; it also notifies and
// rewinds on expiry); this only draws the remaining time, so a throttled webview timer can
// never make the session wrong.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';

let timer = null;

export function remainingText(deadlineMs, nowMs) {
  const left = Math.max(0, Math.ceil((deadlineMs - nowMs) / 1000));
  const m = Math.floor(left / 60);
  const s = String(left % 60).padStart(2, '0');
  return `${m}:${s}`;
}

export function countdown(window, clockOffsetMs) {
  if (timer) { clearInterval(timer); timer = null; }
  if (!window) return null;
  const value = h('span', { class: 'countdown-value', id: 'countdown' },
    remainingText(window.deadline, Date.now() + clockOffsetMs));
  timer = setInterval(() => {
    value.textContent = remainingText(window.deadline, Date.now() + clockOffsetMs);
  }, 1000);
  return h('section', { class: 'window', 'aria-labelledby': 'window-title', 'data-deadline': String(window.deadline) },
    h('h2', { id: 'window-title' }, t('window_title')),
    h('p', { class: 'countdown', role: 'timer', 'aria-live': 'off' }, t('time_left'), ' ', value),
    h('p', { class: 'confidence' }, h('span', { 'aria-hidden': 'true' }, 'ⓘ '), tx(window.confidence_label)));
}
