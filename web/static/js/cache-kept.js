// Which kept copies the page shows because the server failed (a 500, a
// proxy's 502…) while the network works: the page says so (shell.js), as
// the offline line does offline. A read of the key from the server ends it.
// Re-exported by cache.js, which notes them as its reads fail (fresh).
const keptForError = new Set();
const keptListeners = new Set();
let keptPage = 0; // a read of the page just left, failing late, says nothing on this one
/** Calls fn(on) when the page starts or stops showing a kept copy for a server's failure. */
export function onKeptForError(fn) { keptListeners.add(fn); }
/** Whether a kept copy is shown because the server failed. */
export const showingKeptForError = () => keptForError.size > 0;
/** Notes whether key's kept copy is shown for a server's failure (on) or no longer. */
export function keptFor(key, on) {
  const was = keptForError.size > 0;
  if (on) keptForError.add(key); else keptForError.delete(key);
  if (was !== keptForError.size > 0) for (const fn of keptListeners) fn(!was);
}
/**
 * The page open now, for keptForServer: a read of a page just left that
 * fails late says nothing on the next one.
 */
export const keptPageNow = () => keptPage;
/**
 * keptForServer(key, page) notes that page (keptPageNow() when its read
 * began) shows key's kept copy because the server failed (serverDown, not
 * the network): the page's notice with Retry (shell.js). servedLive(key)
 * ends it: key was just read from the server. For a view that reads
 * through the server itself instead of fresh() (the calendar's ranges).
 */
export function keptForServer(key, page) { if (page === keptPage) keptFor(key, true); }
/** Key was just read from the server, or the page no longer shows its kept copy: the notice for it goes (keptForServer). */
export function keptForServerEnds(key) { keptFor(key, false); }
/** A new page: what the last one showed for a server's failure is no more. */
export function newPageKept() {
  keptPage++;
  if (!keptForError.size) return;
  keptForError.clear();
  for (const fn of keptListeners) fn(false);
}
