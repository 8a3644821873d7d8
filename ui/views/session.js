// The session: one screen per step, seen whole without scrolling. At the top, step n of N
// and the big title; then the picture, the instruction and the step's own buttons (or its
// checklist, or the phone check's QR); then one bar with "Back", "It isn't working" and
// "Next". Below that, one row: what is for the helper or for later (how to look, what Tebiki
// knows, the sources, the phone's settled state) behind disclosures, and ending the session.
// The whole screen fits the window without scrolling (tests/src/layout.rs measures it).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';
import { countdown } from './countdown.js';
import { phonePanel, phoneQr, qrPanel } from './phone.js';
import { verifiedPanel } from './verify.js';

function domainOf(url) {
  try { return new URL(url).host; } catch { return url; }
}

function confirmButton(a, send) {
  return h('button', { type: 'button', class: 'action confirm', 'data-action': a.index,
    'data-fact': a.fact, 'data-value': a.value, 'aria-pressed': String(a.chosen),
    onclick: () => send({ type: 'act', action: a.index }) },
  h('span', { class: 'box', 'aria-hidden': 'true' }, a.chosen ? '☑' : '☐'), ' ',
  a.label ? tx(a.label) : `${a.fact} = ${a.value}`);
}

function actionButton(a, send) {
  const act = () => send({ type: 'act', action: a.index });
  switch (a.kind) {
    case 'open_url':
      return h('button', { type: 'button', class: 'action open-url', 'data-action': a.index, onclick: act },
        a.label ? tx(a.label) : t('open_page'),
        h('span', { class: 'domain' }, t('opens_domain', { domain: domainOf(a.url) })));
    case 'confirm':
      return confirmButton(a, send);
    case 'copy_account_id':
      return h('button', { type: 'button', class: 'action copy-id', 'data-action': a.index, onclick: act },
        a.label ? tx(a.label) : t('copy_id'));
    case 'count_failure':
    case 'count_remaining':
      return h('button', { type: 'button', class: 'action count', 'data-action': a.index, onclick: act },
        a.label ? tx(a.label) : t('wrong_try'));
    case 'choose':
      return h('button', { type: 'button', class: `action choice${a.chosen ? ' chosen' : ''}`, 'data-action': a.index,
        'data-go-to': a.go_to, onclick: act },
      a.picture ? h('img', { class: 'choice-picture', src: `pictures/${a.picture}.svg`, alt: '' }) : null,
      h('span', { class: 'choice-label' }, a.label ? tx(a.label) : a.go_to));
    case 'enter_expiry':
      return expiryField(a, send);
    case 'show_qr':
      // The phone check's QR has its own panel (with "show again" when it has ended).
      if (a.qr === 'phone_check') return null;
      return h('button', { type: 'button', class: 'action show-qr', 'data-action': a.index, onclick: act },
        a.label ? tx(a.label) : t('show_qr'));
    default:
      return null;
  }
}

// The expiry time printed in a message (an SMS's 有効期限): typed by the person; what was
// typed stays in the field if Tebiki cannot read it.
const typed = new Map();
function expiryField(a, send) {
  const id = `expiry-${a.index}`;
  const submit = (ev) => {
    ev.preventDefault();
    const text = document.getElementById(id)?.value ?? '';
    typed.set(a.index, text);
    send({ type: 'enter_expiry', action: a.index, text });
  };
  return h('form', { class: 'expiry', 'data-action': a.index, onsubmit: submit },
    h('label', { for: id }, a.label ? tx(a.label) : t('expiry_label')),
    // The screen is rebuilt every second: what is typed is kept as it is typed.
    h('input', { id, type: 'text', inputmode: 'numeric', autocomplete: 'off', placeholder: t('expiry_placeholder'),
      value: typed.get(a.index) ?? '', 'aria-describedby': a.hint ? `${id}-hint` : null,
      oninput: (ev) => typed.set(a.index, ev.target.value) }),
    a.hint ? h('p', { class: 'hint', id: `${id}-hint` }, tx(a.hint)) : null,
    h('button', { type: 'submit', class: 'action expiry-set' }, t('expiry_set')));
}

// A number that locks after a few wrong tries: what the person reported, always beside the
// buttons that report it.
function counters(step) {
  const list = step.counters || [];
  if (!list.length) return null;
  return h('div', { class: 'counters' }, list.map((c) => h('p', { class: 'counter', 'data-counter': c.id,
    'data-wrong': String(c.wrong), 'data-left': String(c.left) }, tx(c.text))));
}

// A checklist step: one line per fact, each with its picture and its own confirm button(s),
// whose words say the whole fact. How to look at each one is behind one disclosure.
function checklist(step, send) {
  const lines = step.checklist || [];
  if (!lines.length) return null;
  return h('ul', { class: 'checklist' }, lines.map((line) => {
    const actions = line.actions.map((i) => step.actions.find((a) => a.index === i)).filter(Boolean);
    const done = actions.some((a) => a.chosen);
    return h('li', { class: `check-line${done ? ' done' : ''}${actions.length > 1 ? ' multi' : ''}`, 'data-fact': line.fact },
      line.picture ? h('img', { class: 'line-picture', src: `pictures/${line.picture}.svg`, alt: '' }) : null,
      h('div', { class: 'line-actions' }, actions.map((a) => confirmButton(a, send))));
  }));
}

function checklistHints(step) {
  const lines = (step.checklist || []).filter((l) => l.hint);
  if (!lines.length) return null;
  return h('details', { class: 'line-hints', 'data-key': 'hints' },
    h('summary', { id: 'hints-summary' }, t('how_to_look')),
    h('dl', { class: 'disclosed' }, lines.map((l) => [h('dt', {}, tx(l.label)), h('dd', {}, tx(l.hint))])));
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
    canGo ? h('button', { type: 'button', id: 'go-there', onclick: () => send({ type: 'go_to', step: e.go_to }) }, t('go_there')) : null);
}

function troubleButton(state) {
  return h('button', { type: 'button', class: 'trouble', id: 'trouble', 'aria-expanded': String(state.troubleOpen),
    'aria-controls': state.troubleOpen ? 'trouble-list' : null,
    onclick: () => { state.troubleOpen = !state.troubleOpen; state.rerender(); if (state.troubleOpen) document.getElementById('trouble-list')?.scrollIntoView({ block: 'nearest' }); } },
  t('trouble'));
}

function troubleList(view, send, state) {
  if (!state.troubleOpen) return null;
  return h('section', { class: 'trouble-list', id: 'trouble-list', 'aria-labelledby': 'trouble-title' },
    h('h2', { id: 'trouble-title' }, t('trouble_question')),
    h('div', { class: 'choices' }, view.symptoms.map((s) => h('button', {
      type: 'button', class: 'symptom', 'data-symptom': s.id,
      onclick: () => { state.troubleOpen = false; send({ type: 'symptom', id: s.id }); },
    }, tx(s.label)))),
    h('button', { type: 'button', onclick: () => { state.troubleOpen = false; state.rerender(); document.getElementById('trouble')?.focus(); } }, t('close')));
}

function sourcesList(step) {
  if (!step.sources.length) return null;
  return h('section', { class: 'sources', 'aria-labelledby': 'sources-title' },
    h('h2', { id: 'sources-title' }, t('sources')),
    h('ul', {}, step.sources.map((s) => h('li', {},
      h('span', { class: `kind kind-${s.kind}` }, tx(s.kind_label)), ' ',
      s.title, s.url ? ` — ${s.url}` : '', ` (${t('checked_on', { date: s.checked })})`))));
}

// The phone's state is the step's business while it asks something of the person (on the
// home Wi-Fi, not answering, not known) and on the step where it changed (the ✓ right after
// the Wi-Fi went off). Settled, or only waiting for a scan that this step does not show, it
// is one more fact behind "Details".
const PHONE_QUIET = ['left_lan', 'pc_tethered', 'waiting', 'never_scanned', 'ended'];
function phoneIsNews(phone, step, state) {
  if (!phone) return false;
  if (!state.phoneSeen || state.phoneSeen.state !== phone.state) {
    state.phoneSeen = { state: phone.state, step: step.id };
  }
  return !PHONE_QUIET.includes(phone.state) || state.phoneSeen.step === step.id;
}

// Where a QR waiting to be scanned is shown: on the step that offers it, and on the main
// route's steps done on the phone (someone who went on without scanning can still scan it
// there). Not on the PC's steps nor on a branch, whose one thing to do is something else.
function qrBelongsHere(step) {
  return phoneQrAction(step) !== null || (!step.branch && step.place !== 'pc');
}

// One disclosure for the helper and for later: the phone's settled state, what Tebiki knows
// (measured / confirmed / not known, with ages) and where the step's information comes from.
function detailsPanel(view, step, phone) {
  const known = verifiedPanel(view);
  const sources = sourcesList(step);
  if (!known && !sources && !phone) return null;
  return h('details', { class: 'details', 'data-key': 'details' },
    h('summary', { id: 'details-summary' }, t('details')),
    h('div', { class: 'disclosed' }, phone, known, sources));
}

export function doneView(snapshot, send) {
  const step = snapshot.session.step;
  return h('section', { class: 'screen done', 'aria-labelledby': 'screen-title' },
    h('div', { class: 'step-main' },
      step && step.picture ? h('img', { class: 'picture', src: `pictures/${step.picture}.svg`, alt: '' }) : null,
      h('div', { class: 'step-text' },
        h('h1', { id: 'screen-title', tabindex: '-1' }, step ? tx(step.title) : t('done_title')),
        step ? h('p', { class: 'body' }, tx(step.body)) : null)),
    h('div', { class: 'nav' },
      h('button', { type: 'button', class: 'primary', id: 'end', onclick: () => send({ type: 'end' }) }, t('end_session'))));
}

export function sessionView(snapshot, send, state) {
  const view = snapshot.session;
  const step = view.step;
  const place = { pc: t('on_pc'), phone: t('on_phone'), both: t('on_both') }[step.place];
  const progress = step.index ? t('progress', { n: step.index, total: step.total }) : t('extra_step');
  const next = view.next;
  // A QR waiting to be scanned is the step's one thing to do: it gets its own column, and
  // the phone's state goes under the instruction.
  const qr = qrBelongsHere(step) ? phoneQr(snapshot.phone) : null;
  const qrShown = !!qr;
  const phone = phonePanel(snapshot.phone, send, phoneQrAction(step), false);
  const phoneInMain = qrShown || phoneIsNews(snapshot.phone, step, state);
  const lines = step.checklist || [];
  const inChecklist = new Set(lines.flatMap((l) => l.actions));
  const buttons = step.actions.filter((a) => !inChecklist.has(a.index)).map((a) => actionButton(a, send)).filter(Boolean);
  // The reason "Next" would be refused, unless the explanation already says it.
  const notYet = !next.allowed && next.refusal && !view.explanation
    ? h('p', { class: 'not-yet', id: 'not-yet' }, h('span', { 'aria-hidden': 'true' }, '! '), tx(next.refusal))
    : null;
  return h('section', { class: `screen session place-${step.place}${lines.length ? ' has-checklist' : ''}${qrShown ? ' has-qr' : ''}${view.window ? ' has-window' : ''}`,
    'data-step': step.id, 'aria-labelledby': 'screen-title' },
    h('h1', { id: 'screen-title', tabindex: '-1' }, tx(step.title)),
    // While the login window runs, the time left is the first thing to see.
    countdown(view.window, snapshot.now - Date.now()),
    h('div', { class: 'step-main' },
      step.picture && !qrShown && !lines.length ? h('img', { class: 'picture', src: `pictures/${step.picture}.svg`, alt: t('picture_alt', { title: tx(step.title) }) }) : null,
      h('div', { class: 'step-text' },
        h('p', { class: 'body', id: 'step-body' }, tx(step.body)),
        checklist(step, send),
        counters(step),
        buttons.length ? h('div', { class: `actions${step.chooses ? ' choices-pictures' : buttons.length > 1 ? ' several' : ''}` }, buttons) : null,
        qrPanel(snapshot.qr),
        phoneInMain ? phone : null),
      qr),
    // The bar that stays in the window: why "Next" is refused (or what went wrong), right
    // above "Next" itself, so the reason is seen wherever the screen is scrolled.
    h('div', { class: 'nav-bar' },
    explanationBox(view, send),
    notYet,
    h('div', { class: 'nav' },
      view.can_go_back ? h('button', { type: 'button', id: 'back', onclick: () => send({ type: 'back' }) }, t('back')) : null,
      troubleButton(state),
      // Where the person is on the way, beside the way on.
      h('p', { class: 'progress' }, h('span', { id: 'progress' }, progress), ' ', h('span', { class: `place place-${step.place}` }, place)),
      next.target
        ? h('button', { type: 'button', class: 'primary', id: 'next', 'aria-describedby': notYet ? 'not-yet' : null,
            onclick: () => send({ type: 'next' }) }, next.allowed ? t('next') : t('next_check'))
        : null)),
    troubleList(view, send, state),
    h('div', { class: 'more' },
      checklistHints(step),
      detailsPanel(view, step, phoneInMain ? null : phone),
      h('p', { class: 'end-link' }, h('button', { type: 'button', class: 'link', id: 'end', onclick: () => send({ type: 'end' }) }, t('end_session')))));
}
