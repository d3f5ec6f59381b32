// What the device reads to keep (cache.js) whatever page is open: every
// shopping list with its items, the categories and the tasks page, so a
// list opens in a shop even if it was never opened on this phone.
import { get } from './api.js';
import * as cache from './cache.js';

/**
 * The tasks page's data: the tasks of date (YYYY-MM-DD), the other open
 * ones and the chores, each task once. An open task due that day is in the
 * first two listings (read apart, perhaps at two versions): set side by
 * side they named it twice in the copy kept, and every layOver and merge
 * of it then carried both.
 */
export async function fetchTasks(date, opts) {
  const lists = await Promise.all([
    get(`/api/tasks?date=${date}`, opts), get('/api/tasks', opts), get('/api/tasks?templates=true', opts)]);
  const byId = new Map();
  for (const x of lists.flat()) {
    const had = byId.get(x.id);
    if (!had || x.version > had.version) byId.set(x.id, x);
  }
  return { date, tasks: [...byId.values()] };
}

let warming = null;
let warmed = 0;
/**
 * warm(date) reads everything the device keeps, whatever page is open:
 * every list with its items, the categories and the tasks page of date;
 * one request at a time, stopping at the first failure (the next time the
 * device is back online it tries again), at most every 30 s. A list gone
 * meanwhile (a 404: deleted since the lists were read) is forgotten, also
 * in the index of lists just kept (cache.forgetList; before, offline, the
 * shopping page named a list that did not open), and the others are read
 * still (before, the rest stayed unkept offline). It stops as soon as the device's data is no longer this tab's
 * person's (cache.owns: signed out, or someone else signed in, in another
 * tab), and what a read on its way brings then is not kept (cache.js
 * saves only for the owner). Its reads are background reads (api.js):
 * nobody asked for them, so their failure does not change the header.
 * It answers {done: true} when everything was read and kept (or was,
 * less than 30 s ago), {done: false, error} when it stopped at a failure
 * or because the data is no longer this person's: the app goes on the
 * same either way (the next time), but a test waiting for it can tell.
 */
export function warm(date) {
  if (!warming && Date.now() - warmed < 30000) return Promise.resolve({ done: true });
  warming ??= (async () => {
    try {
      const bg = { background: true };
      const mine = async () => { if (!(await cache.owns())) throw new Error('signed out'); };
      await mine();
      let read = new Date().toISOString();
      const lists = await get('/api/shopping/lists', bg);
      await cache.keep('lists', lists, { read });
      await mine();
      read = new Date().toISOString();
      await cache.keep('categories', await get('/api/shopping/categories', bg), { read });
      for (const l of lists) {
        await mine();
        try { await cache.refresh(`list:${l.id}`, () => get(`/api/shopping/lists/${l.id}`, bg)); } catch (e) {
          if (e.status !== 404) throw e;
          await cache.forgetList(l.id);
        }
      }
      await mine();
      await cache.refresh('tasks', () => fetchTasks(date, bg));
      warmed = Date.now();
      return { done: true };
    } catch (e) {
      return { done: false, error: String(e?.message || e) }; // the next time
    } finally {
      warming = null;
    }
  })();
  return warming;
}
