// Whether the person uses the keyboard now: <html data-keys> while the
// last key pressed came after the last tap or click. app.css shows a
// focus ring on what the app focuses by script (a page's heading after a
// move, tabindex=-1) only then. The browser's own :focus-visible shows it
// also when nothing was pressed yet (the app opened, a link followed by
// script): a green box round the heading, touching the card below.
const root = document.documentElement;
addEventListener('keydown', (e) => {
  if (!e.ctrlKey && !e.metaKey && !e.altKey) root.dataset.keys = '';
}, true);
addEventListener('pointerdown', () => { delete root.dataset.keys; }, true);
