// Strings live in i18n/{ja,en}.json; Japanese is the default. `t(key, vars)` fills {name}
// placeholders. A missing key shows the key itself, so it is visible in tests, never blank.

const LANGS = ['ja', 'en'];
const STORAGE_KEY = 'tebiki.lang';
let current = 'ja';
let table = {};

export async function loadLanguage(lang) {
  const chosen = LANGS.includes(lang) ? lang : 'ja';
  const response = await fetch(`i18n/${chosen}.json`);
  if (!response.ok) throw new Error(`missing strings for ${chosen}`);
  table = await response.json();
  current = chosen;
  document.documentElement.lang = chosen;
  try { localStorage.setItem(STORAGE_KEY, chosen); } catch { /* private mode: not remembered */ }
  return chosen;
}

export function savedLanguage() {
  try { return localStorage.getItem(STORAGE_KEY) || 'ja'; } catch { return 'ja'; }
}

export function lang() { return current; }

export function t(key, vars = {}) {
  const text = table[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Fills every element marked `data-i18n="key"` in `root`. */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
