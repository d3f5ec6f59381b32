// FamilyHub realtime client: one connection per tab that tells the app what
// changed, so it can re-fetch exactly that. No DOM, no app state: reusable by
// any FamilyHub web client. The protocol is docs/realtime.md; how to use this
// module (new RealtimeClient({deviceId, topics, view, onEvent, onResync,
// onState, onPresence, onSessionEnded}), start, setTopics, setView, stop)
// is docs/pwa.md.

const WS_NORMAL = 1000;
const WS_RESTART = 1012;
const WS_SESSION_ENDED = 4001;
const WS_TOO_SLOW = 4008;

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
    this.onSessionEnded = opts.onSessionEnded ?? (() => {});
    this.onMessage = opts.onMessage ?? (() => {}); // device messages without seq
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
    this.state = 'idle';
    this.transport = null; // the transport in use: 'ws', 'sse' or 'poll'
    this.attempt = 0; // failed attempts since the last hello
    this.conn = null;
    this.timer = null;
    this.running = false;
    this.adoptNext = false; // after a resync the next event starts a new chain
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

  /** Receive only these topics (shopping, shopping-list:<id>, tasks, calendar, recipes); [] means all. */
  setTopics(topics) {
    const next = normTopics(topics);
    const prev = this.topics;
    if (next.join(',') === prev.join(',')) return;
    this.topics = next;
    if (this.conn && this.conn.retopic) this.conn.retopic(next, prev);
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

  _closed(code) {
    if (!this.running) return;
    if (code === WS_NORMAL) {
      this.running = false;
      this._setState('closed');
      return;
    }
    if (code === WS_SESSION_ENDED) {
      this.running = false;
      this._setState('signed-out');
      this.onSessionEnded();
      return;
    }
    const offline = globalThis.navigator && navigator.onLine === false;
    this._setState(offline ? 'offline' : 'reconnecting');
    if (code === WS_RESTART || code === WS_TOO_SLOW) {
      // Another replica answers at once; a little jitter spreads the herd.
      this._schedule(Math.random() * 250);
      return;
    }
    this._schedule(this._backoff());
  }

  // --- messages ---

  _handle(msg) {
    if (!msg || typeof msg !== 'object') return;
    if (typeof msg.seq === 'number' && msg.type !== 'hello') {
      this._event(msg);
      return;
    }
    switch (msg.type) {
      case 'hello':
        this.attempt = 0;
        this._setState('live');
        if (this.lastSeq === null || msg.seq < this.lastSeq) {
          // First connection (views may have loaded before it), or the
          // server's history went back: everything may be stale.
          this.lastSeq = msg.seq;
          this.onResync('hello');
        }
        break;
      case 'resync':
        this.adoptNext = true;
        this.onResync('resync');
        break;
      case 'presence':
        this._presence(Array.isArray(msg.members) ? msg.members : []);
        break;
      case 'pong':
      case 'subscribed':
        break;
      case 'error':
        console.warn('realtime: server refused a message:', msg.code, msg.message);
        break;
      default:
        this.onMessage(msg);
    }
  }

  _event(ev) {
    if (this.lastSeq !== null && ev.seq <= this.lastSeq && !this.adoptNext) return; // seen already
    const gap = this.lastSeq !== null && !this.adoptNext && ev.prev_seq !== this.lastSeq;
    this.lastSeq = ev.seq;
    this.adoptNext = false;
    if (gap) {
      // Something was missed: the open views re-read everything they show
      // (which includes this event's change).
      this.onResync('gap');
      return;
    }
    this.onEvent(ev);
  }

  _presence(members) {
    this.members = members;
    this.onPresence(members);
  }

  _query(extra = {}) {
    const q = new URLSearchParams();
    if (this.deviceId) q.set('device_id', this.deviceId);
    if (this.lastSeq !== null) q.set('since', String(this.lastSeq));
    if (this.topics.length) q.set('topics', this.topics.join(','));
    // Opts in to presence at connect with the current view (ws and sse).
    q.set('view', this._shownView());
    for (const [k, v] of Object.entries(extra)) q.set(k, v);
    return q.toString();
  }
}

function normTopics(topics) {
  return [...new Set(topics)].sort();
}

// --- transports: each returns {close(code), retopic?, probe?} and reports
// through cb.opened(), cb.message(msg), cb.failed(code, reason) (once). ---

function openWS(rt, cb) {
  let base = rt.base || location.origin;
  base = base.replace(/^http/, 'ws');
  let ws;
  const view = rt._shownView();
  try {
    ws = new WebSocket(`${base}/ws?${rt._query()}`);
  } catch {
    queueMicrotask(() => cb.failed(1006, 'WebSocket unavailable'));
    return { close() {} };
  }
  let pingTimer = null;
  let pongTimer = null;
  let done = false;
  const finish = (code, reason) => {
    if (done) return;
    done = true;
    clearInterval(pingTimer);
    clearTimeout(pongTimer);
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    cb.failed(code, reason);
  };
  const send = (m) => { if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(m)); };
  const probe = () => {
    if (ws.readyState !== WebSocket.OPEN || pongTimer) return;
    send({ type: 'ping' });
    // A dead peer never answers (and a half-open TCP connection never
    // closes by itself): give up on it and reconnect.
    pongTimer = setTimeout(() => {
      try { ws.close(); } catch { /* already closing */ }
      finish(1006, 'no pong');
    }, rt.pongTimeout);
  };
  ws.onopen = () => {
    cb.opened();
    pingTimer = setInterval(probe, rt.pingInterval);
  };
  ws.onmessage = (e) => {
    clearTimeout(pongTimer);
    pongTimer = null;
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    cb.message(msg);
  };
  ws.onerror = () => {}; // onclose follows with the code
  ws.onclose = (e) => finish(e.code || 1006, e.reason);
  const conn = {
    view, // as the server has it (the URL said it; then presence messages)
    close(code) {
      done = true;
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
      try { ws.close(code === WS_NORMAL ? WS_NORMAL : undefined); } catch { /* not open yet */ }
    },
    retopic(next, prev) {
      const added = next.filter((t) => !prev.includes(t));
      const removed = prev.filter((t) => !next.includes(t));
      // Subscribe before unsubscribing, so the socket never falls back to
      // "everything" in between.
      if (added.length) send({ type: 'subscribe', topics: added });
      if (removed.length) send({ type: 'unsubscribe', topics: removed });
    },
    // Before the socket opens the URL carries the view; the server keeps
    // the last one either way.
    setView(v) { conn.view = v; send({ type: 'presence', view: v }); },
    probe,
  };
  return conn;
}

function openSSE(rt, cb) {
  if (typeof EventSource === 'undefined') {
    queueMicrotask(() => cb.failed(1006, 'EventSource unavailable'));
    return { close() {} };
  }
  const base = rt.base || '';
  let es;
  let done = false;
  let reopening = false;
  const start = () => {
    conn.view = rt._shownView();
    es = new EventSource(`${base}/sse?${rt._query()}`, { withCredentials: !!rt.base });
    es.onopen = () => cb.opened();
    es.onmessage = (e) => {
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      cb.message(msg);
    };
    es.addEventListener('close', (e) => {
      let code = 1006;
      try { code = JSON.parse(e.data).code; } catch { /* keep 1006 */ }
      stop();
      if (!done) { done = true; cb.failed(code); }
    });
    // EventSource would reconnect by itself; we take over so that backoff,
    // fallbacks and `since` work the same for every transport.
    es.onerror = () => {
      stop();
      if (!done) { done = true; cb.failed(1006, 'stream error'); }
    };
  };
  const stop = () => {
    if (!es) return;
    es.onopen = es.onmessage = es.onerror = null;
    es.close();
  };
  // A stream cannot change its topics or view: reopen it, resuming from
  // lastSeq (once, when a navigation changes both).
  const reopen = () => {
    if (done || reopening) return;
    reopening = true;
    queueMicrotask(() => { reopening = false; if (!done) { stop(); start(); } });
  };
  const conn = {
    view: '',
    close() { done = true; stop(); },
    retopic: reopen,
    setView(v) { conn.view = v; reopen(); },
  };
  start();
  return conn;
}

function openPoll(rt, cb) {
  const ctrl = new AbortController();
  const base = rt.base || '';
  let opened = false;
  const loop = async () => {
    for (;;) {
      const first = rt.lastSeq === null;
      const q = new URLSearchParams({ since: String(first ? 0 : rt.lastSeq), timeout: first ? '0' : '25' });
      let res;
      try {
        res = await fetch(`${base}/api/realtime/poll?${q}`, {
          headers: rt.deviceId ? { 'X-Device-ID': rt.deviceId } : {},
          credentials: rt.base ? 'include' : 'same-origin',
          signal: ctrl.signal,
          cache: 'no-store',
        });
      } catch {
        if (!ctrl.signal.aborted) cb.failed(1006, 'poll failed');
        return;
      }
      if (ctrl.signal.aborted) return;
      if (res.status === 401) { cb.failed(WS_SESSION_ENDED, 'unauthorized'); return; }
      let body;
      try {
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        body = await res.json();
      } catch {
        if (!ctrl.signal.aborted) cb.failed(1011, 'poll failed');
        return;
      }
      if (ctrl.signal.aborted) return;
      if (!opened) { opened = true; cb.opened(); }
      if (first) {
        cb.message({ type: 'hello', seq: body.seq });
        continue;
      }
      cb.message({ type: 'hello', seq: body.seq < rt.lastSeq ? body.seq : rt.lastSeq });
      if (body.resync) {
        cb.message({ type: 'resync' });
        rt.lastSeq = body.seq;
        rt.adoptNext = false;
        continue;
      }
      for (const ev of body.events) cb.message(ev);
    }
  };
  loop();
  return { close() { ctrl.abort(); } };
}
