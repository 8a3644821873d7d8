// Text that comes from Rust as { ja, en } pairs, shown in the chosen language.
import { lang } from './i18n.js';

export function tx(text) {
  if (!text) return '';
  return lang() === 'en' ? text.en : text.ja;
}
