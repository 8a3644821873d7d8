// Entry point of the desktop UI: no framework, no bundler. `window.__TAURI__` is the IPC.

import { h, mount } from './dom.js';
import { loadLanguage, savedLanguage, lang, t, translateStatic } from './i18n.js';

const invoke = window.__TAURI__?.core?.invoke;

function homeView() {
  return h('section', { class: 'screen home', 'aria-labelledby': 'home-title' },
    h('h1', { id: 'home-title' }, t('home_title')),
    h('p', { class: 'lead' }, t('home_lead')),
    h('ul', { class: 'points' },
      h('li', {}, t('home_point_measure')),
      h('li', {}, t('home_point_order')),
      h('li', {}, t('home_point_timer'))),
    h('p', { class: 'prepare' }, t('home_prepare')));
}

async function showAppInfo() {
  const out = document.getElementById('app-info');
  if (!invoke) { out.textContent = t('app_info_error'); return; }
  try {
    const info = await invoke('app_info');
    out.textContent = t('app_info', info);
    out.dataset.version = info.version;
  } catch (err) {
    console.error('app_info failed', err);
    out.textContent = t('app_info_error');
  }
}

function markLanguageButtons() {
  for (const btn of document.querySelectorAll('.lang-btn')) {
    btn.setAttribute('aria-pressed', String(btn.dataset.lang === lang()));
  }
}

async function render() {
  translateStatic();
  markLanguageButtons();
  mount(document.getElementById('main'), homeView());
  await showAppInfo();
}

async function switchLanguage(next) {
  await loadLanguage(next);
  await render();
  document.getElementById('announcer').textContent = t('language_changed');
}

async function start() {
  for (const btn of document.querySelectorAll('.lang-btn')) {
    btn.addEventListener('click', () => switchLanguage(btn.dataset.lang));
  }
  await loadLanguage(savedLanguage());
  await render();
  document.body.dataset.ready = 'true';
}

start();
