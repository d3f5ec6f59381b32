// FamilyHub realtime client: one connection per tab that tells the app what
// changed, so it can re-fetch exactly that. No DOM, no app state: reusable by
// any FamilyHub web client. The protocol is docs/realtime.md; how to use this
// module (new RealtimeClient({deviceId, topics, view, onEvent, onResync,
// onState, onPresence, onRefused, onSessionEnded, onRoleChanged}), start, setTopics,
// setView, stop) is docs/pwa.md.
// Event type names (SHOPPING_ITEM_UPDATED, …) are the list in events.go.

import { openPoll, openSSE, openWS, WS_NORMAL, WS_RESTART, WS_ROLE_CHANGED, WS_SESSION_ENDED, WS_TOO_SLOW } from './realtime-transports.js';

/** Transports in the order they are tried. */
export const TRANSPORTS = ['ws', 'sse', 'poll'];

export class RealtimeClient {
  constructor(opts = {}) {
    this.base = opts.base ?? '';
    this.deviceId = opts.deviceId;
    this.topics = normTopics(opts.topics ?? []);
    this.transports = opts.transports ?? TRANSPORTS;
    this.onEvent = opts.onEvent ?? (() => {});
    this.onResync = opts.onResync ?? (() => {});
    this.onState = opts.onState ?? (() => {});
    // onSessionEnded(reason): signed out, expired or removed from the
    // family (reason 'removed from the family', REASON_REMOVED).
    this.onSessionEnded = opts.onSessionEnded ?? (() => {});
    // onRoleChanged: the member's role changed (4003); the client
    // reconnects under the new role by itself; the app re-reads /api/me.
    this.onRoleChanged = opts.onRoleChanged ?? (() => {});
    // onSeq(seq, mark): a pong or subscribed answer moved the position (or
    // named its event) without an event: the app keeps it as for events.
    this.onSeq = opts.onSeq ?? (() => {});
    this.onMessage = opts.onMessage ?? (() => {}); // device messages without seq
    // The server refused a message this client sent ({type: 'error', code}):
    // the connection carries on, but a subscription or view may not be what
    // the app asked for. The app tells the person (by code, in their language).
    this.onRefused = opts.onRefused ?? (() => {});
    // Family presence (docs/realtime.md "Presence"): the view this device
    // reports, and the family's devices as the server last said (empty
    // while not live, and on the long-poll transport, which cannot carry it).
    this.view = opts.view ?? '';
    this.onPresence = opts.onPresence ?? (() => {});
    this.members = [];
    this.minDelay = opts.minDelay ?? 1000;
    this.maxDelay = opts.maxDelay ?? 30000;
    this.pingInterval = opts.pingInterval ?? 25000;
    this.pongTimeout = opts.pongTimeout ?? 10000;
    this.beforeConnect = opts.beforeConnect ?? null; // awaited (≤ gateTimeout) before connecting: the app's waiting writes go first
    this.gateTimeout = opts.gateTimeout ?? 10000;

    this.lastSeq = opts.since ?? null; // seq of the last event applied (null: none yet; since: kept from an earlier session)
    // The event at lastSeq, {id, at} as it said them (null: not known, as
    // after a resync): a reconnect names it with since, and the server
    // resyncs when its log has another event there (a database that went
    // back and wrote new events under the lost seqs: docs/realtime.md).
    // Whatever sets lastSeq sets it: a stale one costs a needless resync.
    this.lastMark = opts.since != null ? opts.sinceMark ?? null : null;
    this.state = 'idle';
    this.transport = null; // the transport in use: 'ws', 'sse' or 'poll'
    this.attempt = 0; // failed attempts since the last hello
    this.conn = null;
    this.timer = null;
    this.running = false;
    this.adoptNext = false; // after a resync that named no seq the next event starts a new chain
    // While the server may not have the page's topics yet (a topic change
    // it has not confirmed): lastSeq when the page changed. The server
    // skips the new page's events until it has its topics, and the page
    // was read when it changed: nothing after this may be passed over, so
    // a reconnect resumes from here (see _query), and the topics message
    // asks for what the socket skipped after it (docs/realtime.md).
    this.pendingSince = null;
    this.pendingMark = null; // lastMark when pendingSince was taken
    this.resyncDue = false; // a hello went back: the resync that follows re-reads (once)
    this.helloSeq = null; // the seq of the current connection's hello
    this.gen = 0; // connection generation: callbacks of old ones are ignored

    this._wake = () => {
      if (this.running && this.state !== 'live' && this.state !== 'connecting') this._connectNow();
      else if (this.running && this.conn && this.conn.probe) this.conn.probe();
    };
    this._onVisible = () => {
      if (document.visibilityState === 'visible') this._wake();
      this._reportView(); // a hidden tab is online but looks at nothing
    };
    this._onOffline = () => {
      if (!this.running) return;
      this._teardown();
      this._setState('offline');
      this._schedule(this._backoff());
    };
  }

  /** Opens the connection; it then stays open (reconnecting as needed) until stop(). */
  start() {
    if (this.running) return;
    this.running = true;
    globalThis.addEventListener?.('online', this._wake);
    globalThis.addEventListener?.('offline', this._onOffline);
    globalThis.document?.addEventListener('visibilitychange', this._onVisible);
    this._connectNow();
  }

  /** Closes the connection normally (1000) and does not reconnect. */
  stop() {
    this.running = false;
    globalThis.removeEventListener?.('online', this._wake);
    globalThis.removeEventListener?.('offline', this._onOffline);
    globalThis.document?.removeEventListener('visibilitychange', this._onVisible);
    clearTimeout(this.timer);
    this._teardown(WS_NORMAL);
    this._setState('closed');
  }

  /** Receive only these topics (family, shopping, shopping-list:<id>, tasks, calendar, recipes); [] means all. */
  setTopics(topics) {
    const next = normTopics(topics);
    const prev = this.topics;
    if (next.join(',') === prev.join(',')) return;
    this.topics = next;
    if (this.conn && this.conn.retopic) {
      this.pendingSince = this.lastSeq;
      this.pendingMark = this.lastMark;
      this.conn.retopic(next);
    }
  }

  /** Report this view to the family's presence: shopping, shopping-list:<id>, tasks, calendar, recipes, recipe:<id>, or '' (none). */
  setView(view) {
    if (view === this.view) return;
    this.view = view;
    this._reportView();
  }

  /** The view as reported: none while the page is hidden. */
  _shownView() {
    return globalThis.document?.visibilityState === 'hidden' ? '' : this.view;
  }

  _reportView() {
    const v = this._shownView();
    if (this.conn && this.conn.setView && this.conn.view !== v) this.conn.setView(v);
  }

  // --- connection management ---

  _setState(state) {
    if (this.state === state) return;
    this.state = state;
    // Presence is only true while connected: the list goes until the next one comes.
    if (state !== 'live' && this.members.length) this._presence([]);
    this.onState(state, this.transport);
  }

  _backoff() {
    const base = Math.min(this.maxDelay, this.minDelay * 2 ** this.attempt);
    this.attempt++;
    // ±20% jitter so the devices of a family do not come back in lockstep.
    return Math.min(this.maxDelay, base * (0.8 + 0.4 * Math.random()));
  }

  _schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this._connectNow(), delay);
  }

  _connectNow() {
    clearTimeout(this.timer);
    if (!this.running) return;
    this._teardown();
    this._setState(this.lastSeq === null && this.attempt === 0 ? 'connecting' : 'reconnecting');
    const gate = this.beforeConnect?.();
    const gen = this.gen;
    if (!gate?.then) { this._open(0); return; }
    Promise.race([gate, new Promise((resolve) => setTimeout(resolve, this.gateTimeout))]).catch(() => {})
      .then(() => { if (this.running && gen === this.gen && !this.conn) this._open(0); });
  }

  _teardown(code) {
    const c = this.conn;
    this.conn = null;
    this.gen++;
    if (c) c.close(code);
  }

  // _open tries transport i; one that cannot be opened at all hands over to the next.
  _open(i) {
    const gen = ++this.gen;
    const name = this.transports[i];
    const open = { ws: openWS, sse: openSSE, poll: openPoll }[name];
    let opened = false;
    const cb = {
      opened: () => {
        if (gen !== this.gen) return;
        opened = true;
        this.transport = name;
      },
      message: (msg) => { if (gen === this.gen) this._handle(msg); },
      // The server has the page's topics (it answered the topics message).
      topicsApplied: () => { if (gen === this.gen) this.pendingSince = null; },
      // It refused a change: the topics it has are the client's (a reconnect names them).
      topicsRefused: (topics) => { if (gen === this.gen) this.topics = topics; },
      stale: (reason) => { if (gen === this.gen) this.onResync(reason); },
      failed: (code, reason) => {
        if (gen !== this.gen) return;
        this.conn = null;
        this.gen++;
        if (!opened && code !== WS_SESSION_ENDED && i + 1 < this.transports.length) {
          this._open(i + 1);
          return;
        }
        this._closed(code, reason);
      },
    };
    this.conn = open(this, cb);
  }

  _closed(code, reason) {
    if (!this.running) return;
    if (code === WS_NORMAL) {
      this.running = false;
      this._setState('closed');
      return;
    }
    if (code === WS_SESSION_ENDED) {
      this.running = false;
      this._setState('signed-out');
      this.onSessionEnded(reason ?? '');
      return;
    }
    if (code === WS_ROLE_CHANGED) this.onRoleChanged();
    const offline = globalThis.navigator && navigator.onLine === false;
    this._setState(offline ? 'offline' : 'reconnecting');
    if (code === WS_RESTART || code === WS_TOO_SLOW || code === WS_ROLE_CHANGED) {
      // Another replica answers at once; a little jitter spreads the herd.
      this._schedule(Math.random() * 250);
      return;
    }
    this._schedule(this._backoff());
  }

  // --- messages ---

  _handle(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (this.resyncDue && msg.type !== 'resync' && msg.type !== 'hello') {
      // A hello that went back was not followed by a resync (no server
      // does that): re-read now.
      this.resyncDue = false;
      this.onResync('hello');
    }
    if (typeof msg.seq === 'number' && !CONTROL.has(msg.type)) {
      this._event(msg);
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.attempt = 0;
        this.helloSeq = msg.seq;
        this._setState('live');
        if (this.resyncDue) {
          // The last connection ended between a hello that went back and
          // its resync; this one starts from the hello's seq.
          this.resyncDue = false;
          this.onResync('hello');
        }
        if (this.lastSeq === null) {
          // First connection: views may have loaded before it.
          this.setSeq(msg.seq);
          this.onResync('hello');
        } else if (msg.seq < this.lastSeq) {
          // The server's history went back (a database restored from a
          // backup): everything may be stale. The server says resync
          // right after this hello, and that re-reads; re-reading here
          // too read everything twice.
          this.setSeq(msg.seq);
          this.resyncDue = true;
        }
        break;
      case 'resync':
        // Everything is re-read, from now on: so resume from the server's
        // position, or the next reconnect sends the same old since, is told
        // to resync again and re-reads everything again. msg.seq is where
        // the events that follow continue (their prev_seq); a server that
        // does not send it sent a hello at or before that point, which
        // skips nothing (what came between is replayed once), and the
        // next event starts a new chain.
        // The event there is not known: the history may have been written
        // anew under it, and a reconnect naming what the client saw there
        // would be told to resync again.
        if (typeof msg.seq === 'number') {
          this.setSeq(msg.seq);
          this.adoptNext = false;
        } else {
          this.setSeq(typeof this.helloSeq === 'number' ? this.helloSeq : this.lastSeq);
          this.adoptNext = true;
        }
        this.pendingMark = null; // a reconnect back to pendingSince names no event of the old history
        this.resyncDue = false;
        this.onResync('resync');
        break;
      case 'presence':
        this._presence(Array.isArray(msg.members) ? msg.members : []);
        break;
      case 'subscribed':
        // The answer to a topics message that said since: the socket's
        // events continue from seq (lower than lastSeq when the server
        // sends again what it skipped of the new topics; higher when it
        // skipped other topics' events meanwhile).
        if (typeof msg.seq === 'number') {
          this._answerSeq(msg);
        }
        break;
      case 'pong':
        // Once the client sent topics with since, pongs say where the
        // socket's events continue: past what it skipped of other topics,
        // so the next page change asks for as little as can be again.
        if (typeof msg.seq === 'number') {
          this._answerSeq(msg);
        }
        break;
      case 'error':
        console.warn('realtime: server refused a message:', msg.code, msg.message);
        this.onRefused(String(msg.code ?? ''), msg.message);
        break;
      default:
        this.onMessage(msg);
    }
  }

  _event(ev) {
    if (this.lastSeq !== null && ev.seq <= this.lastSeq && !this.adoptNext) return; // seen already
    const gap = this.lastSeq !== null && !this.adoptNext && ev.prev_seq !== this.lastSeq;
    this.setSeq(ev.seq, typeof ev.id === 'string' && typeof ev.at === 'string' ? { id: ev.id, at: ev.at } : null);
    this.adoptNext = false;
    if (gap) {
      // Something was missed: the open views re-read everything they show
      // (which includes this event's change).
      this.onResync('gap');
      return;
    }
    this.onEvent(ev);
  }

  /**
   * A pong's or subscribed answer's seq: taken with the event the server
   * says is under it (since_id, since_at; sent only when it applies to
   * that seq), else with the one already known there. Forgotten, the next
   * resume named no event and missed a restore (docs/realtime.md).
   */
  _answerSeq(msg) {
    const named = typeof msg.since_id === 'string' && typeof msg.since_at === 'string';
    const mark = named ? { id: msg.since_id, at: msg.since_at } : msg.seq === this.lastSeq ? this.lastMark : null;
    const moved = msg.seq !== this.lastSeq || mark?.id !== this.lastMark?.id;
    this.setSeq(msg.seq, mark);
    this.adoptNext = false;
    if (moved) this.onSeq(this.lastSeq, this.lastMark);
  }

  /** Takes seq as the last seen, with the event seen there ({id, at}; null: not known). */
  setSeq(seq, mark = null) {
    this.lastSeq = seq;
    this.lastMark = mark;
  }

  _presence(members) {
    this.members = members;
    this.onPresence(members);
  }

  _query(extra = {}) {
    const q = new URLSearchParams();
    if (this.deviceId) q.set('device_id', this.deviceId);
    if (this.pendingSince !== null) {
      // A topic change the server did not confirm: the new connection
      // (which names the topics in its URL) resumes from before it, so
      // that what the old one skipped of the new topics is replayed,
      // also when it delivered later events of the old ones.
      if (this.lastSeq === null || this.pendingSince < this.lastSeq) this.setSeq(this.pendingSince, this.pendingMark);
      this.pendingSince = null;
    }
    for (const [k, v] of this._since()) q.set(k, v);
    if (this.topics.length) q.set('topics', this.topics.join(','));
    // Opts in to presence at connect with the current view (ws and sse).
    q.set('view', this._shownView());
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q.toString();
  }

  /** since, and the event seen there: the server resyncs when its log has another one under since (the database went back). */
  _since() {
    if (this.lastSeq === null) return [];
    const q = [['since', String(this.lastSeq)]];
    if (this.lastMark) q.push(['since_id', this.lastMark.id], ['since_at', this.lastMark.at]);
    return q;
  }
}

// Messages with a seq that are not events.
const CONTROL = new Set(['hello', 'resync', 'subscribed', 'pong', 'presence', 'error']);

function normTopics(topics) {
  return [...new Set(topics)].sort();
}
