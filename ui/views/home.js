// Home: which account to log in to, and how this PC is connected (with the evidence).
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';

export function pcStrip(pc) {
  return h('section', { class: 'pc-strip', id: 'pc-status', 'aria-labelledby': 'pc-title' },
    h('h2', { id: 'pc-title', class: 'visually-hidden' }, t('pc_status')),
    h('p', { class: 'pc-summary', 'data-path': pc.path }, tx(pc.summary)),
    pc.advice ? h('p', { class: 'pc-advice', role: 'alert' }, tx(pc.advice)) : null,
    pc.evidence.length
      ? h('details', { class: 'why', 'data-key': 'pc-why' },
          h('summary', { id: 'pc-why-summary' }, t('why')),
          h('ul', {}, pc.evidence.map((line) => h('li', { lang: 'en' }, line))))
      : null);
}

// With an active profile (the helper set it up), home offers exactly one thing: start that
// person's service. Without one, every bundled service is offered.
function startChoices(snapshot, send) {
  const active = snapshot.profiles.find((p) => p.id === snapshot.active_profile);
  const playbook = active && snapshot.playbooks.find((p) => p.id === active.service);
  if (playbook) {
    return [
      h('h2', { id: 'for-whom' }, t('for_profile', { name: active.display_name })),
      h('div', { class: 'choices' },
        h('button', {
          type: 'button', class: 'primary choice big-start', 'data-playbook': playbook.id, 'aria-describedby': 'for-whom',
          onclick: () => send({ type: 'begin', playbook: playbook.id }),
        }, t('start_service', { name: tx(playbook.name) }))),
    ];
  }
  return [
    h('h2', {}, t('choose_account')),
    h('div', { class: 'choices many' },
      snapshot.playbooks.map((p) => h('button', {
        type: 'button', class: 'primary choice', 'data-playbook': p.id,
        onclick: () => send({ type: 'begin', playbook: p.id }),
      }, t('log_in_to', { name: tx(p.name) })))),
  ];
}

export function homeView(snapshot, send) {
  // The one thing to do (start) comes right after the title; how this PC is connected, for
  // the curious and the helper, after it.
  return h('section', { class: 'screen home', 'aria-labelledby': 'screen-title' },
    h('h1', { id: 'screen-title', tabindex: '-1' }, t('home_title')),
    h('p', { class: 'lead' }, t('home_lead')),
    startChoices(snapshot, send),
    h('p', { class: 'prepare' }, t('home_prepare')),
    pcStrip(snapshot.pc),
    snapshot.playbook_problems.length
      ? h('details', { class: 'problems' }, h('summary', {}, t('playbook_problems')),
          h('ul', {}, snapshot.playbook_problems.map((p) => h('li', { lang: 'en' }, p))))
      : null);
}
