// The phone check: a QR as big as a phone camera needs from 30–50 cm (about 45 mm: 200 CSS
// pixels at 100 %), not bigger, and the phone's live state in one line.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';

// Symbols from ordinary text fonts (no emoji font needed); the words carry the meaning.
const STATE_ICON = { waiting: '…', on_lan: '!', on_lan_hidden: '!', hidden: '…', left_lan: '✓',
  page_silent: '!', unknown: '?', pc_tethered: '✓', never_scanned: '?', failed: '!', ended: '…' };

export function phonePanel(phone, send, qrAction) {
  if (!phone) return null;
  const showQr = phone.qr_svg && ['waiting', 'never_scanned', 'hidden', 'unknown'].includes(phone.state);
  return h('section', { class: `phone phone-${phone.state}`, id: 'phone-check', 'data-state': phone.state, 'aria-labelledby': 'phone-title' },
    h('h2', { id: 'phone-title' }, t('phone_check')),
    h('div', { class: 'phone-row' },
    showQr
      ? h('figure', { class: 'qr' },
          h('img', { id: 'phone-qr', src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(phone.qr_svg)}`,
            alt: t('qr_alt'), width: '200', height: '200' }),
          h('figcaption', { class: 'visually-hidden' }, t('qr_caption')))
      : null,
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
