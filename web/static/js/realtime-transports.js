// The realtime client's transports (realtime.js): WebSocket, Server-Sent
// Events and long polling. Each open function takes the client (for its
// query, lastSeq and timings) and returns {close(code), retopic?,
// setView?, probe?}, reporting through cb.opened(), cb.message(msg),
// cb.stale(reason) (what is shown may have missed events: re-read it),
// cb.topicsApplied() (the server has the client's topics),
// cb.topicsRefused(topics) (it refused a change: topics is what it has) and
// cb.failed(code, reason) (once).

export const WS_NORMAL = 1000;
export const WS_RESTART = 1012;
export const WS_SESSION_ENDED = 4001;
export const WS_ROLE_CHANGED = 4003; // the member's role changed: reconnect, re-read /api/me
// The reason of a 4001 for a member removed from the family (docs/realtime.md).
export const REASON_REMOVED = 'removed from the family';
// A long poll's 401 for the same (docs/api.md): its error code.
const CODE_REMOVED = 'removed_from_family';
export const WS_TOO_SLOW = 4008;

export function openWS(rt, cb) {
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
  // An older server (its hello offers no "topics" feature) is sent
  // subscribe and unsubscribe, and cannot send again what it skipped:
  // `skipped` is set while it may have skipped events the page wants (the
  // topics changed while the socket was connecting, and the server used
  // the URL's until the first subscribed answer), and the page is re-read.
  let skipped = false;
  let hello = null; // the server's hello: until it came, nothing is sent about topics
  let waiting = 0; // topic messages not answered yet
  let refusedSome = false; // one of them was refused
  ws.onopen = () => {
    cb.opened();
    // The view changed while the socket was connecting (a page opened
    // before the connection was): the URL's is old.
    if (conn.view !== view) send({ type: 'presence', view: conn.view });
    pingTimer = setInterval(probe, rt.pingInterval);
  };
  ws.onmessage = (e) => {
    clearTimeout(pongTimer);
    pongTimer = null;
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    cb.message(msg);
    if (msg.type === 'hello' && !hello) {
      hello = msg;
      // The topics changed while the socket was connecting: the URL's
      // are old.
      skipped = conn.retopic(rt.topics);
      if (!waiting) cb.topicsApplied();
      return;
    }
    // A refused topics message (or subscribe): the error names it ("for");
    // an older server's does not, and then its code tells. A message
    // refused as malformed or too large is one of this client's topic
    // messages too: its pings and views are small, well-formed JSON. Missed,
    // the page's position stayed pending for the rest of the connection
    // and every later page change asked the server to go back to it.
    const refused = msg.type === 'error' && (msg.for ? ['topics', 'subscribe', 'unsubscribe'].includes(msg.for)
      : ['too_many_topics', 'invalid', 'malformed_request', 'too_large'].includes(msg.code));
    if (waiting && (msg.type === 'subscribed' || refused)) {
      // The client's idea of its topics follows the server's answers: a
      // refused change changed nothing there.
      if (msg.type === 'subscribed') {
        conn.confirmed = conn.confirmed.filter((t) => !msg.removed?.includes(t)).concat(msg.added ?? []).sort();
      } else refusedSome = true;
      if (--waiting === 0) {
        conn.topics = conn.confirmed;
        // Refused: the client's topics are what the server has, so a
        // reconnect does not name the refused ones in its URL again.
        if (refusedSome) cb.topicsRefused(conn.confirmed);
        refusedSome = false;
        cb.topicsApplied();
      }
    }
    // The server has the page's topics now. What it skipped before (since
    // it joined the socket, or since a resume's `since`) is read again:
    // replayed events alone would miss it.
    if (skipped && msg.type === 'subscribed') { skipped = false; cb.stale('topics'); }
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
    // What the server has (confirmed: the URL's topics, then its
    // answers) and what it will have once it answered what was sent
    // (topics). Until the hello came nothing is sent; the hello catches
    // up. Answers whether an older server had fewer events for the socket
    // than next wants (its first subscribed answer says it has them now).
    topics: rt.topics,
    confirmed: rt.topics,
    retopic(next) {
      if (ws.readyState !== WebSocket.OPEN || !hello) return false;
      const prev = conn.topics;
      const added = next.filter((t) => !prev.includes(t));
      const removed = prev.filter((t) => !next.includes(t));
      if (!added.length && !removed.length) {
        if (!waiting) cb.topicsApplied(); // the server has them already
        return false;
      }
      conn.topics = next;
      if (hello.features?.includes('topics')) {
        // All or nothing, and with the seq the page was read after: the
        // server sends again what it skipped of the new topics since.
        const since = rt.pendingSince ?? rt.lastSeq;
        send(since === null ? { type: 'topics', topics: next } : { type: 'topics', topics: next, since });
        waiting++;
        return false;
      }
      // Subscribe before unsubscribing, so the socket never falls back to
      // "everything" in between.
      if (added.length) { send({ type: 'subscribe', topics: added }); waiting++; }
      if (removed.length) { send({ type: 'unsubscribe', topics: removed }); waiting++; }
      return prev.length > 0 && (added.length > 0 || next.length === 0);
    },
    // Before the socket opens the URL's view stands, and onopen sends a
    // newer one.
    setView(v) { conn.view = v; send({ type: 'presence', view: v }); },
    probe,
  };
  return conn;
}

// SSE_PING: how often the server pings an SSE stream (an "event: ping"
// whose data says the interval: {"type":"ping","interval_ms":25000}), as
// assumed until a stream's first ping says it; a Go test
// (http/realtime_sse_tick_test.go) keeps it equal to the server's default.
// A stream that hears nothing, no message and no ping, for SSE_SILENT
// intervals is taken for dead (a proxy that holds it open and forwards
// nothing more, a connection gone half-dead): it is closed, and the client
// connects again as after any failure, resuming from `since`. Before,
// EventSource noticed such a stream late or never, live in the header and
// deaf. The server opens every stream with a ping event, before its hello:
// the timer runs from the stream's start, and a stream held silent from its
// first byte is given up too. A hello with no ping event before it on its
// stream comes from a replica of a version before the opening ping, whose
// pings are comments the page never sees (a rolling upgrade): that stream
// is not timed, or it would be dropped every 62.5 s. Before, the timer ran
// only once a ping event was heard, an interval after the stream opened.
export const SSE_PING = 25000;
const SSE_SILENT = 2.5;

export function openSSE(rt, cb) {
  if (typeof EventSource === 'undefined') {
    queueMicrotask(() => cb.failed(1006, 'EventSource unavailable'));
    return { close() {} };
  }
  const base = rt.base || '';
  let es;
  let done = false;
  let reopening = false;
  let every = SSE_PING;
  let silence = null; // the timer that ends a silent stream
  let heardAt = 0; // counts what was heard: a timer of an older count does nothing
  let pinged = false; // this stream heard a ping event
  let timed = true; // false: this stream's replica sends no ping events
  let spoke = false; // this stream brought an event
  const fail = (code, reason) => {
    stop();
    if (!done) { done = true; cb.failed(code, reason); }
  };
  // heard (re)arms the silence timer: something came, or the stream starts.
  const heard = () => {
    const n = ++heardAt;
    clearTimeout(silence);
    if (!timed) return;
    silence = setTimeout(() => { if (n === heardAt) fail(1006, 'stream silent'); }, Math.round(every * SSE_SILENT));
  };
  // The stream works once it brings an event (the server's first bytes
  // are its opening ping), not at its headers: a stream held silent from
  // its first byte (a proxy that buffers it, as some antivirus and company
  // proxies do) fails as one that never opened, and the client falls back
  // to long polling, which such a proxy passes. Before, the headers said
  // opened, and the client opened a stream through that proxy again after
  // each 62.5 s of silence, never live.
  const spoken = () => { if (!spoke) { spoke = true; cb.opened(); } };
  const start = () => {
    conn.view = rt._shownView();
    pinged = spoke = false;
    timed = true;
    es = new EventSource(`${base}/sse?${rt._query()}`, { withCredentials: !!rt.base });
    heard(); // a stream that never opens nor fails is silent too
    es.onopen = heard;
    es.onmessage = (e) => {
      if (!pinged) timed = false; // no opening ping: an older replica
      spoken();
      heard();
      let msg;
      try { msg = JSON.parse(e.data); } catch { return; }
      cb.message(msg);
    };
    es.addEventListener('ping', (e) => {
      try {
        const ms = JSON.parse(e.data).interval_ms;
        if (ms > 0) every = ms;
      } catch { /* keep the interval assumed */ }
      pinged = timed = true; // a ping event: this replica pings
      spoken();
      heard();
    });
    es.addEventListener('close', (e) => {
      let code = 1006;
      let reason = '';
      try { ({ code, reason = '' } = JSON.parse(e.data)); } catch { /* keep 1006 */ }
      fail(code, reason);
    });
    // EventSource would reconnect by itself; we take over so that backoff,
    // fallbacks and `since` work the same for every transport.
    es.onerror = () => fail(1006, 'stream error');
  };
  const stop = () => {
    heardAt++;
    clearTimeout(silence);
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

// POLL_TIMEOUT: how long a poll waits for its whole answer. The server
// answers within the 25 s it asks for (at most 30); a poll with no answer
// long after that (a connection gone dead as the phone changed networks,
// a proxy that holds it) ends as a failed one, and the client connects
// again. Before, it waited forever, live in the header and deaf.
const POLL_TIMEOUT = 40000;

export function openPoll(rt, cb) {
  const ctrl = new AbortController();
  const base = rt.base || '';
  let opened = false;
  let late = null; // this poll's own controller: POLL_TIMEOUT aborts it
  ctrl.signal.addEventListener('abort', () => late?.abort());
  const loop = async () => {
    for (;;) {
      late = new AbortController();
      const timer = setTimeout(() => late.abort(), POLL_TIMEOUT);
      try {
        if (!await pollOnce()) return;
      } finally {
        clearTimeout(timer);
      }
    }
  };
  // pollOnce sends one poll and hands on what it answers; false: stop.
  const pollOnce = async () => {
    // The first poll only learns the family's seq: seq_only=1 asks for
    // nothing else, so the server reads no log for it. since=0 is for a
    // server that does not know seq_only: it answers the log's events
    // too, which are thrown away here.
    const first = rt.lastSeq === null;
    const q = new URLSearchParams(first ? { since: '0', timeout: '0', seq_only: '1' } : [...rt._since(), ['timeout', '25']]);
    let res;
    try {
      res = await fetch(`${base}/api/realtime/poll?${q}`, {
        headers: rt.deviceId ? { 'X-Device-ID': rt.deviceId } : {},
        credentials: rt.base ? 'include' : 'same-origin',
        signal: late.signal,
        cache: 'no-store',
      });
    } catch {
      if (!ctrl.signal.aborted) cb.failed(1006, 'poll failed');
      return false;
    }
    if (ctrl.signal.aborted) return false;
    if (res.status === 401) {
      // As a socket's 4001: a removal says so (the error's code).
      let code = '';
      try { code = (await res.json())?.error?.code ?? ''; } catch { /* an older server, a proxy's page */ }
      if (!ctrl.signal.aborted) cb.failed(WS_SESSION_ENDED, code === CODE_REMOVED ? REASON_REMOVED : 'unauthorized');
      return false;
    }
    let body;
    try {
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      body = await res.json();
    } catch {
      if (!ctrl.signal.aborted) cb.failed(1011, 'poll failed');
      return false;
    }
    if (ctrl.signal.aborted) return false;
    if (!opened) { opened = true; cb.opened(); }
    if (first) {
      cb.message({ type: 'hello', seq: body.seq });
      return true;
    }
    cb.message({ type: 'hello', seq: body.seq < rt.lastSeq ? body.seq : rt.lastSeq });
    if (body.resync) {
      // The next poll resumes from the family's seq, as a socket's
      // resync says.
      cb.message({ type: 'resync', seq: body.seq });
      return true;
    }
    for (const ev of body.events) cb.message(ev);
    // The server would have closed a socket here (the role changed).
    if (body.closed) { cb.failed(body.closed.code, body.closed.reason); return false; }
    return true;
  };
  loop();
  return { close() { ctrl.abort(); } };
}
