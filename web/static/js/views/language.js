// The language picker (sign-in pages and the Family page).
import { field, h } from '../dom.js';
import { currentLang, LANGUAGES, setLang, t } from '../i18n.js';

export function languagePicker() {
  const select = h('select#lang-select', { name: 'lang', onchange: (e) => setLang(e.target.value) },
    LANGUAGES.map(([code, name]) => h('option', { value: code, selected: code === currentLang(), lang: code }, name)));
  return field(t('settings.language'), select);
}
