// The phone check: a QR as big as a phone camera needs from 30–50 cm (about 45 mm: 200 CSS
// pixels at 100 %), not bigger, and the phone's live state in one line.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';

// Symbols from ordinary text fonts (no emoji font needed); the words carry the meaning.
const STATE_ICON = { waiting: '…', on_lan: '!', on_lan_hidden: '!', hidden: '…', left_lan: '✓',
  page_silent: '!', unknown: '?', pc_tethered: '✓', never_scanned: '?', failed: '!', ended: '…' };

function showsQr(phone) {
  return !!(phone && phone.qr_svg && ['waiting', 'never_scanned', 'hidden', 'unknown'].includes(phone.state));
}

// The QR to scan, on its own: the step puts it in its own column beside the instruction.
export function phoneQr(phone) {
  if (!showsQr(phone)) return null;
  return h('figure', { class: 'qr phone-qr' },
    h('img', { id: 'phone-qr', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(phone.qr_svg)}`,
      alt: t('qr_alt'), width: '200', height: '200' }),
    h('figcaption', { class: 'visually-hidden' }, t('qr_caption')));
}

// The phone's live state in one line (and the way to show the QR again once it has ended).
// `withQr`: the QR inside the box too (otherwise the step shows `phoneQr` apart).
export function phonePanel(phone, send, qrAction, withQr = true) {
  if (!phone) return null;
  return h('section', { class: `phone phone-${phone.state}`, id: 'phone-check', 'data-state': phone.state, 'aria-labelledby': 'phone-title' },
    h('h2', { id: 'phone-title' }, t('phone_check')),
    h('div', { class: 'phone-row' },
    withQr ? phoneQr(phone) : null,
    h('div', { class: 'phone-text' },
      h('p', { class: 'phone-status', id: 'phone-status' },
        h('span', { 'aria-hidden': 'true' }, STATE_ICON[phone.state] || ''), ' ', tx(phone.message)),
      phone.platform ? h('p', { class: 'phone-platform' }, t(`platform_${phone.platform}`)) : null)),
    phone.refused_other_device ? h('p', { class: 'warn' }, t('other_device_refused')) : null,
    (phone.state === 'ended' || phone.state === 'failed') && qrAction !== null
      ? h('button', { type: 'button', onclick: () => send({ type: 'act', action: qrAction }) }, t('show_qr_again'))
      : null);
}

export function qrPanel(qr) {
  if (!qr) return null;
  return h('figure', { class: 'qr step-qr' },
    h('img', { src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(qr.svg)}`, alt: t('qr_alt_url', { url: qr.url }), width: '200', height: '200' }),
    h('figcaption', {}, qr.caption ? tx(qr.caption) : qr.url));
}
