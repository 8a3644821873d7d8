// "What Tebiki knows": every requirement with how it is known, by symbol AND words, so the
// helper sees at a glance what was measured and what was only told.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';

const SYMBOL = { measured: '✓', confirmed: '☑', unknown: '?', stale: '!', contradicted: '✗' };

export function requirementList(requirements) {
  if (!requirements.length) return null;
  return h('ul', { class: 'reqs' }, requirements.map((r) => h('li', { class: `req req-${r.status}`, 'data-fact': r.fact, 'data-status': r.status },
    h('span', { class: 'req-symbol', 'aria-hidden': 'true' }, SYMBOL[r.status] || '?'),
    h('span', { class: 'req-label' }, tx(r.label)),
    h('span', { class: 'req-state' }, t(`status_${r.status}`),
      r.age_secs !== null && r.age_secs !== undefined && r.status !== 'unknown'
        ? ` (${t('age', { secs: r.age_secs })})` : ''))));
}

export function verifiedPanel(view) {
  const reqs = view.next.requirements.length ? view.next.requirements : view.requirements;
  if (!reqs.length) return null;
  return h('section', { class: 'verified', 'aria-labelledby': 'verified-title' },
    h('h2', { id: 'verified-title' }, t('what_tebiki_knows')),
    h('p', { class: 'legend' }, t('status_legend')),
    requirementList(reqs));
}
