// The order card and the session record on the helper's screens. The card is built here
// from data (never from HTML), so the window's strict CSP stays; "Print" prints this view
// (the print style hides everything else). Exports write files and show where they went.
import { h } from '../dom.js';
import { lang, t } from '../i18n.js';

function exportRow(snapshot, send, paper) {
  const e = snapshot.helper.last_export && snapshot.helper.last_export.paper === paper ? snapshot.helper.last_export : null;
  return h('div', { class: 'exports no-print' },
    h('button', { type: 'button', id: `${paper}-export-html`, onclick: () => send({ type: 'export', paper, format: 'html', lang: lang() }) }, t('export_html')),
    h('button', { type: 'button', id: `${paper}-export-md`, onclick: () => send({ type: 'export', paper, format: 'markdown', lang: lang() }) }, t('export_markdown')),
    e ? h('p', { class: 'export-done', id: `${paper}-export-path` }, t('exported_to'), ' ', h('span', { class: 'export-path' }, e.path)) : null,
    e && e.format === 'html'
      ? h('button', { type: 'button', id: `${paper}-open-export`, onclick: () => send({ type: 'open_export' }) }, t('open_in_browser'))
      : null);
}

// Asks Rust once per paper and language; the answer is kept in `state.paper` until the
// helper leaves the screen.
async function load(state, key, command) {
  const want = `${key}:${lang()}`;
  if (state.paper?.key === want) return;
  state.paper = { key: want, data: undefined };
  try {
    state.paper.data = await state.invoke(command, { lang: lang() });
  } catch (err) {
    console.error(command, 'failed', err);
    state.paper.data = null;
  }
  state.rerender();
}

const PLACE = { pc: 'card_place_pc', phone: 'card_place_phone', both: 'card_place_both' };

function cardBody(card) {
  return h('article', { class: 'order-card', id: 'order-card' },
    h('h2', { class: 'card-heading' }, card.heading),
    card.for_whom ? h('p', { class: 'card-who' }, card.for_whom) : null,
    h('ol', { class: 'card-steps' }, card.steps.map((s) => h('li', { class: `card-step${s.key ? ' key' : ''}`, 'data-step-number': s.number },
      h('p', {}, h('span', { class: 'card-num' }, String(s.number)), h('strong', {}, `［${t(PLACE[s.place])}］`), ' ', s.title,
        s.key ? h('strong', {}, ` ${t('card_key')}`) : null),
      s.picture ? h('img', { src: `pictures/${s.picture}.svg`, alt: '' }) : null))),
    card.wifi.length ? h('section', { class: 'card-wifi' },
      h('h3', {}, card.wifi_step ? t('card_wifi_step', { n: card.wifi_step }) : t('card_wifi')),
      card.wifi.map((w) => h('p', {}, h('strong', {}, w.platform === 'android' ? 'Android: ' : 'iPhone: '), w.words))) : null,
    card.notes && card.notes.length ? h('section', { class: 'card-notes' },
      h('ul', {}, card.notes.map((n) => h('li', {}, n)))) : null,
    card.loop_heading ? h('section', { class: 'card-loop' },
      h('h3', {}, card.loop_heading),
      h('ul', {}, card.loop_items.map((i) => h('li', {}, i)))) : null,
    card.window ? h('p', { class: 'card-window' }, card.window) : null,
    card.checked ? h('p', { class: 'card-checked' }, card.checked) : null);
}

export function cardScreen(snapshot, send, state, screen, go) {
  const card = state.paper?.key === `card:${lang()}` ? state.paper.data : undefined;
  if (card === undefined) load(state, 'card', 'card_view');
  return screen('order_card',
    h('p', { class: 'lead no-print' }, t('card_lead')),
    card === undefined ? h('p', { role: 'status' }, t('loading'))
      : card === null ? h('p', { class: 'notice' }, t('card_missing'))
        : cardBody(card),
    h('div', { class: 'nav no-print' },
      h('button', { type: 'button', id: 'card-back', onclick: () => { state.paper = null; go(state, { screen: 'list' }); } }, t('back')),
      h('button', { type: 'button', class: 'primary', id: 'card-print', disabled: !card, onclick: () => window.print() }, t('print'))),
    exportRow(snapshot, send, 'card'));
}

export function recordScreen(snapshot, send, state, screen, go) {
  const text = state.paper?.key === `record:${lang()}` ? state.paper.data : undefined;
  if (text === undefined && snapshot.helper.has_record) load(state, 'record', 'record_view');
  return screen('session_record',
    !snapshot.helper.has_record ? h('p', { class: 'empty', id: 'no-record' }, t('no_record'))
      : text === undefined ? h('p', { role: 'status' }, t('loading'))
        : h('pre', { class: 'record-text', id: 'record-text', tabindex: '0' }, text ?? ''),
    h('div', { class: 'nav no-print' },
      h('button', { type: 'button', id: 'record-back', onclick: () => { state.paper = null; go(state, { screen: 'list' }); } }, t('back')),
      snapshot.helper.has_record
        ? h('button', { type: 'button', class: 'primary', id: 'record-export', onclick: () => send({ type: 'export', paper: 'record', format: 'html', lang: lang() }) }, t('export_html'))
        : null),
    snapshot.helper.has_record ? exportRow(snapshot, send, 'record') : null);
}
