// The helper's screens, behind the clearly marked entry on home: profiles (add, edit, use,
// delete), the saved account ID with its consent step, the keychain's availability, and the
// order card / session record. One primary action per screen. Rust owns every rule: these
// views only send commands and show the snapshot.
//
// Drafts (what is being typed) live in `state.drafts`, so a snapshot arriving while the
// helper types (the network, the clock) re-renders without losing the text. The typed
// account ID is dropped from the draft as soon as it is sent.
import { h } from '../dom.js';
import { t } from '../i18n.js';
import { tx } from '../text.js';

const PLATFORMS = ['iphone', 'android', 'unknown'];
const SIZES = ['standard', 'large', 'largest'];
const LANGS = ['ja', 'en'];

function go(state, screen) {
  // Leaving the helper's screens: their last message (e.g. where a file was saved) is not
  // for the family member.
  if (!screen) state.hiddenNotice = JSON.stringify(state.snapshot?.notice ?? null);
  state.helper = screen;
  state.confirm = null;
  state.rerender();
  document.getElementById('screen-title')?.focus();
}

function serviceName(snapshot, service) {
  const p = snapshot.playbooks.find((x) => x.id === service);
  return p ? tx(p.name) : service;
}

function savedIdText(p) {
  if (p.has_saved_id === true) return t('id_saved');
  if (p.has_saved_id === false) return t('id_not_saved');
  return t('id_unknown');
}

export function vaultBox(vault, send) {
  if (vault.state === 'checking') {
    return h('p', { class: 'vault vault-checking', id: 'vault-status', role: 'status' }, t('vault_checking'));
  }
  if (vault.state === 'available') {
    return h('p', { class: 'vault vault-ok', id: 'vault-status', role: 'status', 'data-state': 'available' },
      h('span', { 'aria-hidden': 'true' }, '✓ '), t('vault_available', { backend: vault.backend }));
  }
  return h('div', { class: 'vault vault-unavailable', id: 'vault-status', role: 'status', 'data-state': 'unavailable' },
    h('p', {}, h('span', { 'aria-hidden': 'true' }, '! '), tx(vault.message)),
    h('details', { 'data-key': 'vault-why' }, h('summary', { id: 'vault-why-summary' }, t('vault_why')),
      h('p', { lang: 'en' }, `${vault.reason}: ${vault.detail}`)),
    h('button', { type: 'button', id: 'vault-recheck', onclick: () => send({ type: 'check_vault' }) }, t('vault_recheck')));
}

function screen(titleKey, ...children) {
  return h('section', { class: 'screen helper', 'aria-labelledby': 'screen-title' },
    h('p', { class: 'helper-badge' }, t('helper_badge')),
    h('h1', { id: 'screen-title', tabindex: '-1' }, t(titleKey)),
    ...children);
}

function confirmBox(state, question, yesLabel, onYes) {
  return h('div', { class: 'confirm-box', role: 'alertdialog', 'aria-labelledby': 'confirm-q' },
    h('p', { id: 'confirm-q' }, question),
    h('button', { type: 'button', class: 'danger', id: 'confirm-yes', onclick: () => { state.confirm = null; onYes(); } }, yesLabel),
    h('button', { type: 'button', id: 'confirm-no', onclick: () => { state.confirm = null; state.rerender(); } }, t('cancel')));
}

function profileRow(snapshot, p, send, state) {
  const active = snapshot.active_profile === p.id;
  const asking = state.confirm?.kind === 'profile' && state.confirm.id === p.id;
  return h('li', { class: `profile${active ? ' active' : ''}`, 'data-profile': p.id },
    h('h2', { class: 'profile-name' }, p.display_name,
      active ? h('span', { class: 'in-use' }, ` — ${t('in_use')}`) : null),
    h('p', { class: 'profile-facts' },
      `${serviceName(snapshot, p.service)} · ${t(`platform_name_${p.phone_platform}`)} · ${t(`size_${p.text_size}`)} · ${t(`lang_${p.language}`)}`),
    h('p', { class: 'profile-id', 'data-saved': String(p.has_saved_id) }, savedIdText(p)),
    h('div', { class: 'row-actions' },
      active ? null : h('button', { type: 'button', class: 'use', onclick: () => send({ type: 'select_profile', profile: p.id }) }, t('use_profile')),
      h('button', { type: 'button', class: 'edit', onclick: () => go(state, { screen: 'edit', id: p.id }) }, t('edit')),
      h('button', { type: 'button', class: 'saved-id', onclick: () => go(state, { screen: 'id', id: p.id }) }, t('saved_id_button')),
      h('button', { type: 'button', class: 'delete', onclick: () => { state.confirm = { kind: 'profile', id: p.id }; state.rerender(); } }, t('delete'))),
    asking
      ? confirmBox(state, t('confirm_delete_profile', { name: p.display_name }), t('delete_yes'),
          () => send({ type: 'remove_profile', profile: p.id }))
      : null);
}

function listScreen(snapshot, send, state) {
  return screen('helper_title',
    h('p', { class: 'lead' }, t('helper_lead')),
    vaultBox(snapshot.helper.vault, send),
    snapshot.profiles.length
      ? h('ul', { class: 'profiles', id: 'profiles' }, snapshot.profiles.map((p) => profileRow(snapshot, p, send, state)))
      : h('p', { class: 'empty' }, t('no_profiles')),
    h('div', { class: 'nav' },
      h('button', { type: 'button', class: 'primary', id: 'add-profile', onclick: () => go(state, { screen: 'new' }) }, t('add_profile')),
      h('button', { type: 'button', id: 'open-card', onclick: () => go(state, { screen: 'card' }) }, t('order_card')),
      h('button', { type: 'button', id: 'open-record', onclick: () => go(state, { screen: 'record' }) }, t('session_record'))),
    h('p', { class: 'end-link' }, h('button', { type: 'button', class: 'link', id: 'helper-done', onclick: () => go(state, null) }, t('helper_done'))));
}

function radios(name, values, chosen, labelOf, onPick) {
  return h('fieldset', { class: 'radios' },
    h('legend', {}, t(`field_${name}`)),
    values.map((v) => h('label', { class: 'radio' },
      h('input', { type: 'radio', name, value: v, checked: v === chosen, onchange: () => onPick(v) }),
      ' ', labelOf(v))));
}

function formScreen(snapshot, send, state, existing) {
  const key = existing ? `edit:${existing.id}` : 'new';
  state.drafts[key] ??= existing
    ? { display_name: existing.display_name, service: existing.service, phone_platform: existing.phone_platform, text_size: existing.text_size, language: existing.language }
    : { display_name: '', service: snapshot.playbooks[0]?.id ?? 'au-id', phone_platform: 'unknown', text_size: 'large', language: 'ja' };
  const d = state.drafts[key];
  const save = (ev) => {
    ev.preventDefault();
    if (existing) send({ type: 'update_profile', profile: existing.id, changes: { ...d } });
    else send({ type: 'add_profile', profile: { ...d } });
    delete state.drafts[key];
    go(state, { screen: 'list' });
  };
  return screen(existing ? 'edit_profile_title' : 'new_profile_title',
    h('form', { class: 'profile-form', id: 'profile-form', onsubmit: save },
      h('label', { class: 'field', for: 'profile-name' }, t('field_name')),
      h('p', { class: 'hint', id: 'profile-name-hint' }, t('field_name_hint')),
      h('input', { id: 'profile-name', type: 'text', maxlength: '40', required: true, autocomplete: 'off',
        value: d.display_name, 'aria-describedby': 'profile-name-hint',
        oninput: (e) => { d.display_name = e.target.value; } }),
      h('label', { class: 'field', for: 'profile-service' }, t('field_service')),
      h('select', { id: 'profile-service', onchange: (e) => { d.service = e.target.value; } },
        snapshot.playbooks.map((p) => h('option', { value: p.id, selected: p.id === d.service }, tx(p.name)))),
      radios('platform', PLATFORMS, d.phone_platform, (v) => t(`platform_name_${v}`), (v) => { d.phone_platform = v; }),
      radios('size', SIZES, d.text_size, (v) => t(`size_${v}`), (v) => { d.text_size = v; }),
      radios('language', LANGS, d.language, (v) => t(`lang_${v}`), (v) => { d.language = v; }),
      h('div', { class: 'nav' },
        h('button', { type: 'button', id: 'form-back', onclick: () => { delete state.drafts[key]; go(state, { screen: 'list' }); } }, t('back')),
        h('button', { type: 'submit', class: 'primary', id: 'profile-save' }, t('save')))));
}

function idScreen(snapshot, send, state, p) {
  const key = `id:${p.id}`;
  state.drafts[key] ??= { text: '', consent: false };
  const d = state.drafts[key];
  const unavailable = snapshot.helper.vault.state === 'unavailable';
  const asking = state.confirm?.kind === 'id' && state.confirm.id === p.id;
  const save = (ev) => {
    ev.preventDefault();
    const consent = document.getElementById('id-consent').checked;
    send({ type: 'save_account_id', profile: p.id, account_id: d.text, consent });
    // The typed ID leaves the page's memory as soon as it is sent.
    delete state.drafts[key];
  };
  const saved = p.has_saved_id === true;
  return screen('saved_id_title',
    h('p', { class: 'lead' }, t('saved_id_for', { name: p.display_name })),
    vaultBox(snapshot.helper.vault, send),
    h('p', { class: 'profile-id', id: 'id-state', 'data-saved': String(p.has_saved_id) }, savedIdText(p)),
    snapshot.helper.vault_busy ? h('p', { class: 'busy', role: 'status' }, t('vault_busy')) : null,
    saved
      ? h('div', { class: 'id-delete' },
          h('button', { type: 'button', class: 'danger', id: 'id-delete', onclick: () => { state.confirm = { kind: 'id', id: p.id }; state.rerender(); } }, t('delete_id')),
          asking ? confirmBox(state, t('confirm_delete_id', { name: p.display_name }), t('delete_yes'),
            () => send({ type: 'delete_account_id', profile: p.id })) : null)
      : null,
    unavailable ? null : h('form', { class: 'id-form', id: 'id-form', onsubmit: save },
      h('h2', {}, saved ? t('replace_id') : t('save_id_heading')),
      h('label', { class: 'field', for: 'id-input' }, t('field_account_id', { service: serviceName(snapshot, p.service) })),
      h('input', { id: 'id-input', type: 'text', autocomplete: 'off', spellcheck: 'false', maxlength: '254',
        value: d.text, oninput: (e) => { d.text = e.target.value; } }),
      h('div', { class: 'consent', id: 'consent-text' },
        h('p', {}, t('consent_what')),
        h('ul', {},
          h('li', {}, t('consent_where')),
          h('li', {}, t('consent_no_password')),
          h('li', {}, t('consent_copy')),
          h('li', {}, t('consent_delete')))),
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', id: 'id-consent', checked: d.consent, 'aria-describedby': 'consent-text',
          onchange: (e) => { d.consent = e.target.checked; state.rerender(); } }),
        ' ', t('consent_check')),
      h('button', { type: 'submit', class: 'primary', id: 'id-save', disabled: !d.consent || snapshot.helper.vault_busy }, t('save_id'))),
    h('div', { class: 'nav' },
      h('button', { type: 'button', id: 'id-back', onclick: () => { delete state.drafts[key]; go(state, { screen: 'list' }); } }, t('back'))));
}

export function helperView(snapshot, send, state, extra = {}) {
  const s = state.helper;
  const find = (id) => snapshot.profiles.find((p) => p.id === id);
  if (s.screen === 'new') return formScreen(snapshot, send, state, null);
  if (s.screen === 'edit' && find(s.id)) return formScreen(snapshot, send, state, find(s.id));
  if (s.screen === 'id' && find(s.id)) return idScreen(snapshot, send, state, find(s.id));
  if (s.screen === 'card' && extra.card) return extra.card(snapshot, send, state, screen, go);
  if (s.screen === 'record' && extra.record) return extra.record(snapshot, send, state, screen, go);
  return listScreen(snapshot, send, state);
}

/** The clearly marked way in: a button in the footer of the home screen (main.js puts it there). */
export function helperEntry(state) {
  return h('button', { type: 'button', id: 'helper-entry', class: 'helper-entry', onclick: () => go(state, { screen: 'list' }) },
    t('helper_entry'));
}
