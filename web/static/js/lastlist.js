// Which shopping list to open: the one used last on this device (kept per
// family in localStorage), else the family's default list (the one the
// assistant adds to), else the first. A list deleted meanwhile is passed
// over. The Shopping tab and a recipe's list picker both ask here.

const key = (app) => `familyhub.shopping.lastList.${app.me?.family?.id ?? ''}`;

/** Notes that the list id was opened (or added to) on this device. */
export function rememberList(app, id) {
  try { localStorage.setItem(key(app), id); } catch { /* this page only */ }
}

/** The id of the list to open among lists ([{id}]), or undefined for none. */
export function pickList(app, lists) {
  let last = null;
  try { last = localStorage.getItem(key(app)); } catch { /* none kept */ }
  const have = (id) => id && lists.some((l) => l.id === id);
  return [last, app.me?.family?.default_list_id].find(have) ?? lists[0]?.id;
}
