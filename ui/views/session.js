// The session: step n of N, a big title, a picture, the instruction, the step's own
// buttons, what Tebiki knows, and one primary action ("Next"). "It isn't working" is
// always there.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';
import { countdown } from './countdown.js';
import { phonePanel, qrPanel } from './phone.js';
import { verifiedPanel } from './verify.js';

function domainOf(url) {
  try { return new URL(url).host; } catch { return url; }
}

function actionButton(a, send) {
  const act = () => send({ type: 'act', action: a.index });
  switch (a.kind) {
    case 'open_url':
      return h('button', { type: 'button', class: 'action open-url', 'data-action': a.index, onclick: act },
        a.label ? tx(a.label) : t('open_page'),
        h('span', { class: 'domain' }, t('opens_domain', { domain: domainOf(a.url) })));
    case 'confirm':
      return h('button', { type: 'button', class: 'action confirm', 'data-action': a.index,
        'data-fact': a.fact, 'data-value': a.value, 'aria-pressed': String(a.chosen), onclick: act },
        a.chosen ? h('span', { 'aria-hidden': 'true' }, '☑ ') : null,
        a.label ? tx(a.label) : `${a.fact} = ${a.value}`);
    case 'copy_account_id':
      return h('button', { type: 'button', class: 'action copy-id', 'data-action': a.index, onclick: act },
        a.label ? tx(a.label) : t('copy_id'));
    case 'show_qr':
      // The phone check's QR has its own panel (with "show again" when it has ended).
      if (a.qr === 'phone_check') return null;
      return h('button', { type: 'button', class: 'action show-qr', 'data-action': a.index, onclick: act },
        a.label ? tx(a.label) : t('show_qr'));
    default:
      return null;
  }
}

function phoneQrAction(step) {
  const a = step.actions.find((x) => x.kind === 'show_qr' && x.qr === 'phone_check');
  return a ? a.index : null;
}

function explanationBox(view, send) {
  const e = view.explanation;
  if (!e) return null;
  const canGo = e.go_to && (!view.step || e.go_to !== view.step.id);
  return h('div', { class: 'explain', role: 'status', id: 'explanation' },
    h('p', {}, h('span', { 'aria-hidden': 'true' }, 'ⓘ '), tx(e.text)),
    canGo ? h('button', { type: 'button', onclick: () => send({ type: 'go_to', step: e.go_to }) }, t('go_there')) : null);
}

function troublePanel(view, send, state) {
  if (!state.troubleOpen) {
    return h('button', { type: 'button', class: 'trouble', id: 'trouble', onclick: () => { state.troubleOpen = true; state.rerender(); } },
      t('trouble'));
  }
  return h('section', { class: 'trouble-list', 'aria-labelledby': 'trouble-title' },
    h('h2', { id: 'trouble-title' }, t('trouble_question')),
    h('div', { class: 'choices' }, view.symptoms.map((s) => h('button', {
      type: 'button', class: 'symptom', 'data-symptom': s.id,
      onclick: () => { state.troubleOpen = false; send({ type: 'symptom', id: s.id }); },
    }, tx(s.label)))),
    h('button', { type: 'button', onclick: () => { state.troubleOpen = false; state.rerender(); } }, t('close')));
}

function sourcesPanel(step) {
  if (!step.sources.length) return null;
  return h('details', { class: 'sources' },
    h('summary', {}, t('sources')),
    h('ul', {}, step.sources.map((s) => h('li', {},
      h('span', { class: `kind kind-${s.kind}` }, tx(s.kind_label)), ' ',
      s.title, s.url ? ` — ${s.url}` : '', ` (${t('checked_on', { date: s.checked })})`))));
}

export function doneView(snapshot, send) {
  const step = snapshot.session.step;
  return h('section', { class: 'screen done', 'aria-labelledby': 'screen-title' },
    step && step.picture ? h('img', { class: 'picture', src: `pictures/${step.picture}.svg`, alt: '' }) : null,
    h('h1', { id: 'screen-title', tabindex: '-1' }, step ? tx(step.title) : t('done_title')),
    step ? h('p', { class: 'body' }, tx(step.body)) : null,
    h('div', { class: 'nav' },
      h('button', { type: 'button', class: 'primary', id: 'end', onclick: () => send({ type: 'end' }) }, t('end_session'))));
}

export function sessionView(snapshot, send, state) {
  const view = snapshot.session;
  const step = view.step;
  const place = { pc: t('on_pc'), phone: t('on_phone'), both: t('on_both') }[step.place];
  const progress = step.index ? t('progress', { n: step.index, total: step.total }) : t('extra_step');
  const next = view.next;
  const phone = phonePanel(snapshot.phone, send, phoneQrAction(step));
  // A QR waiting to be scanned comes first, so it is on screen without scrolling.
  const qrFirst = snapshot.phone && snapshot.phone.qr_svg && ['waiting', 'never_scanned'].includes(snapshot.phone.state);
  return h('section', { class: `screen session place-${step.place}`, 'data-step': step.id, 'aria-labelledby': 'screen-title' },
    h('p', { class: 'progress' }, h('span', { id: 'progress' }, progress), ' · ', h('span', { class: `place place-${step.place}` }, place)),
    h('h1', { id: 'screen-title', tabindex: '-1' }, tx(step.title)),
    // While the login window runs, the time left is the first thing to see.
    countdown(view.window, snapshot.now - Date.now()),
    qrFirst ? phone : null,
    h('div', { class: 'step-body' },
      step.picture ? h('img', { class: 'picture', src: `pictures/${step.picture}.svg`, alt: t('picture_alt', { title: tx(step.title) }) }) : null,
      h('p', { class: 'body' }, tx(step.body))),
    explanationBox(view, send),
    h('div', { class: 'actions' }, step.actions.map((a) => actionButton(a, send))),
    qrPanel(snapshot.qr),
    qrFirst ? null : phone,
    // The reason "Next" would be refused, unless the explanation above already says it.
    !next.allowed && next.refusal && !view.explanation
      ? h('p', { class: 'not-yet', id: 'not-yet' }, h('span', { 'aria-hidden': 'true' }, '! '), tx(next.refusal))
      : null,
    h('div', { class: 'nav' },
      view.can_go_back ? h('button', { type: 'button', id: 'back', onclick: () => send({ type: 'back' }) }, t('back')) : null,
      troublePanel(view, send, state),
      next.target
        ? h('button', { type: 'button', class: 'primary', id: 'next', 'aria-describedby': next.allowed ? null : 'not-yet',
            onclick: () => send({ type: 'next' }) }, next.allowed ? t('next') : t('next_check'))
        : null),
    verifiedPanel(view),
    sourcesPanel(step),
    h('p', { class: 'end-link' }, h('button', { type: 'button', class: 'link', id: 'end', onclick: () => send({ type: 'end' }) }, t('end_session'))));
}
