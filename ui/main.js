// Entry point of the desktop UI: no framework, no bundler. The IPC is Tauri's own
// `@tauri-apps/api/core`, vendored in `vendor/tauri/` (no `withGlobalTauri`: the window gets
// no global API object, and no API script is injected into the page at start).
// Rust owns every rule; this file only renders the latest snapshot and sends commands.

import { Channel, invoke } from './vendor/tauri/core.js';
import { h, mount } from './dom.js';
import { loadLanguage, savedLanguage, lang, t, translateStatic } from './i18n.js';
import { tx } from './text.js';
import { homeView } from './views/home.js';
import { doneView, sessionView } from './views/session.js';
import { helperEntry, helperView } from './views/helper.js';
import { cardScreen, recordScreen } from './views/paper.js';

const SIZES = [20, 24, 28, 32];
const SIZE_KEY = 'tebiki.textSize';

const state = {
  snapshot: null,
  troubleOpen: false,
  lastStep: null,
  lastExplanation: null,
  lastPhone: null,
  // The helper's screens: null (family mode) or { screen, id }.
  helper: null,
  drafts: {},
  confirm: null,
  invoke: (...args) => invoke(...args),
  rerender: () => render(),
};

function announce(text) {
  if (!text) return;
  const live = document.getElementById('announcer');
  live.textContent = '';
  // A fresh text node makes screen readers announce even a repeated message.
  setTimeout(() => { live.textContent = text; }, 50);
}

async function send(command) {
  try {
    const reply = await invoke('command', { command });
    // The same snapshot also arrives on the channel; whichever comes second does not
    // rebuild the screen again (a second rebuild can swap a button under the user's finger).
    const again = reply.seq === state.renderedSeq && sameSnapshot(reply, state.snapshot);
    state.snapshot = reply;
    if (!again) render();
  } catch (err) {
    // Only the command's type: a save command carries the typed account ID.
    console.error('command failed', command.type, err);
    announce(t('command_failed'));
  }
}

function noticeBox(snapshot) {
  const shown = JSON.stringify(snapshot.notice ?? null);
  if (state.hiddenNotice && shown !== state.hiddenNotice) state.hiddenNotice = null;
  if (!snapshot.notice || shown === state.hiddenNotice) return null;
  return h('p', { class: 'notice', id: 'notice', role: 'status' }, tx(snapshot.notice));
}

function screenFor(snapshot) {
  const session = snapshot.session;
  const idle = !session || !session.started || !session.step;
  if (idle && state.helper) return helperView(snapshot, send, state, { card: cardScreen, record: recordScreen });
  if (idle) return homeView(snapshot, send);
  if (session.finished) return doneView(snapshot, send);
  return sessionView(snapshot, send, state);
}

function sameSnapshot(a, b) {
  return !!a && !!b && JSON.stringify({ ...a, now: 0 }) === JSON.stringify({ ...b, now: 0 });
}

// What the family's screens (home, session) show of a snapshot: all but the helper's part.
function familyView(s) {
  if (!s) return '';
  return JSON.stringify({ ...s, seq: 0, now: 0, helper: null });
}

function render() {
  const snapshot = state.snapshot;
  translateStatic();
  markLanguageButtons();
  if (!snapshot) return;
  state.renderedSeq = snapshot.seq;
  applyProfile(snapshot);
  const view = h('div', { class: 'view' }, noticeBox(snapshot), screenFor(snapshot));
  // A snapshot comes every second; most change nothing on the screen. Replacing identical
  // controls anyway would lose a press that spans the swap (a slow click's mouse-up, a key's
  // press after its key-down lands on a control that is gone), so an unchanged screen stays.
  const html = view.outerHTML;
  if (html === state.renderedHtml && document.getElementById('main').firstElementChild) {
    announceChanges(snapshot);
    return;
  }
  state.renderedHtml = html;
  // The screen is rebuilt when it changed (ages and the countdown change each second):
  // keep the keyboard focus on the equivalent control, or a keyboard user would lose it.
  const focused = focusKey(document.activeElement);
  // A disclosure the person opened stays open across rebuilds.
  const opened = new Set([...document.querySelectorAll('#main details[open][data-key]')].map((d) => d.dataset.key));
  mount(document.getElementById('main'), view);
  for (const d of document.querySelectorAll('#main details[data-key]')) {
    if (opened.has(d.dataset.key)) d.open = true;
  }
  if (focused) {
    const el = document.querySelector(focused);
    el?.focus({ preventScroll: true });
    // A rebuilt text field gets the caret back at the end of what was typed.
    if (el instanceof HTMLInputElement && el.type === 'text') el.setSelectionRange(el.value.length, el.value.length);
  }

  announceChanges(snapshot);
}

// Tells assistive technology what changed, and moves focus to a new step's title.
function announceChanges(snapshot) {
  const session = snapshot.session;
  const stepId = session?.step?.id ?? null;
  if (stepId !== state.lastStep) {
    state.lastStep = stepId;
    state.troubleOpen = false;
    document.getElementById('screen-title')?.focus();
    if (session?.step) announce(tx(session.step.title));
  }
  const explanation = session?.explanation ? tx(session.explanation.text) : null;
  if (explanation && explanation !== state.lastExplanation) announce(explanation);
  state.lastExplanation = explanation;
  const phone = snapshot.phone ? `${snapshot.phone.state}` : null;
  if (phone && phone !== state.lastPhone) announce(tx(snapshot.phone.message));
  state.lastPhone = phone;
  document.body.dataset.screen = state.helper && !session?.started ? 'helper'
    : !session?.started ? 'home' : session.finished ? 'done' : 'session';
  footAction(document.body.dataset.screen === 'home');
}

// The helper's way in sits in the footer of the home screen only: out of the family's way,
// and the home screen fits the window without scrolling. Built once per language (not on
// every snapshot), so it keeps the keyboard focus.
function footAction(show) {
  const slot = document.getElementById('foot-action');
  if (!show) {
    slot.replaceChildren();
    delete slot.dataset.lang;
  } else if (slot.dataset.lang !== lang()) {
    mount(slot, helperEntry(state));
    slot.dataset.lang = lang();
  }
}

/** A selector that finds "the same" control in a rebuilt screen, or null. */
function focusKey(el) {
  if (!el || el === document.body || !document.getElementById('main').contains(el)) return null;
  if (el.id) return `#${CSS.escape(el.id)}`;
  for (const attr of ['data-action', 'data-symptom', 'data-playbook', 'data-profile', 'data-fact', 'data-key']) {
    const v = el.getAttribute(attr);
    if (v !== null) {
      const value = el.getAttribute('data-value');
      return `${el.tagName.toLowerCase()}[${attr}="${CSS.escape(v)}"]`
        + (attr === 'data-fact' && value !== null ? `[data-value="${CSS.escape(value)}"]` : '');
    }
  }
  return null;
}

// The active profile's text size and language, applied once each time the helper chooses or
// changes it (afterwards the A−/A＋ and language buttons still work as usual).
const PROFILE_SIZE = { standard: 20, large: 24, largest: 28 };
const APPLIED_KEY = 'tebiki.appliedProfile';

function applyProfile(snapshot) {
  const p = snapshot.profiles.find((x) => x.id === snapshot.active_profile);
  if (!p) return;
  const mark = `${p.id}@${p.updated}`;
  let applied = null;
  try { applied = localStorage.getItem(APPLIED_KEY); } catch { /* not remembered */ }
  if (applied === mark) return;
  try { localStorage.setItem(APPLIED_KEY, mark); } catch { /* not remembered */ }
  applyTextSize(PROFILE_SIZE[p.text_size] ?? 20);
  if (p.language !== lang()) switchLanguage(p.language);
}

function markLanguageButtons() {
  for (const btn of document.querySelectorAll('.lang-btn')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.lang === lang()));
  }
}

async function switchLanguage(next) {
  await loadLanguage(next);
  invoke('set_language', { lang: next }).catch(() => {});
  render();
  await showAppInfo();
  announce(t('language_changed'));
}

function applyTextSize(px) {
  document.documentElement.style.setProperty('--text-size', `${px}px`);
  try { localStorage.setItem(SIZE_KEY, String(px)); } catch { /* not remembered */ }
  document.getElementById('text-size-value').textContent = t('text_size_value', { pct: Math.round((px / 20) * 100) });
}

function changeTextSize(step) {
  const current = Number(getComputedStyle(document.documentElement).getPropertyValue('--text-size').replace('px', '')) || 20;
  const i = Math.max(0, Math.min(SIZES.length - 1, SIZES.indexOf(current) + step));
  applyTextSize(SIZES[i]);
}

async function showAppInfo() {
  const out = document.getElementById('app-info');
  try {
    const info = await invoke('app_info');
    out.textContent = t('app_info', info);
    out.dataset.version = info.version;
  } catch (err) {
    console.error('app_info failed', err);
    out.textContent = t('app_info_error');
  }
}

async function start() {
  for (const btn of document.querySelectorAll('.lang-btn')) {
    btn.addEventListener('click', () => switchLanguage(btn.dataset.lang));
  }
  document.getElementById('text-smaller').addEventListener('click', () => changeTextSize(-1));
  document.getElementById('text-larger').addEventListener('click', () => changeTextSize(1));
  // The strings and the first snapshot are asked for at the same time: the home screen is
  // drawn as soon as both are here, in one go.
  const snapshot = invoke('snapshot');
  await loadLanguage(savedLanguage());
  let size = 20;
  try { size = Number(localStorage.getItem(SIZE_KEY)) || 20; } catch { /* default */ }
  applyTextSize(SIZES.includes(size) ? size : 20);
  try {
    state.snapshot = await snapshot;
  } catch (err) {
    console.error('snapshot failed', err);
    mount(document.getElementById('main'), h('p', { class: 'notice' }, t('app_info_error')));
    return;
  }
  render();
  invoke('set_language', { lang: lang() }).catch(() => {});
  // The record prints local times: tell the core this PC's offset from UTC.
  send({ type: 'set_utc_offset', minutes: -new Date().getTimezoneOffset() });
  showAppInfo();
  // Every later change (the phone, the network, the clock) arrives on this channel.
  const channel = new Channel();
  channel.onmessage = (next) => {
    if (!state.snapshot || next.seq >= state.snapshot.seq) {
      // A change only the helper's screens show (the keychain answering at start-up) does
      // not rebuild the family's screen under the user's finger.
      const same = (next.seq === state.renderedSeq && sameSnapshot(next, state.snapshot))
        || (!state.helper && familyView(next) === familyView(state.snapshot));
      state.snapshot = next;
      if (!same) render();
    }
  };
  await invoke('subscribe', { channel });
  document.body.dataset.ready = 'true';
}

start();
