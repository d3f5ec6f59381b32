package http

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/assistant"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/ical"
	"github.com/familyhub/familyhub/llm"
	"github.com/familyhub/familyhub/notify"
)

// Signup modes.
const (
	SignupOpen   = "open"   // anyone may create a family or join one with an invite
	SignupInvite = "invite" // only with an invite code
	SignupClosed = "closed" // nobody signs up
)

// Config is what the HTTP layer needs to know about its deployment.
type Config struct {
	// AllowedOrigins are extra origins (scheme://host[:port]) trusted for
	// cookie-authenticated writes and WebSocket upgrades, besides the
	// request's own host.
	AllowedOrigins []string
	// PublicURL is where members open the app (FAMILYHUB_PUBLIC_URL, e.g.
	// https://family.example.org). When set, cookie-authenticated,
	// realtime and sign-in requests for any other host name (than it and
	// the allowed origins') are refused: DNS rebinding (http/host.go).
	// Empty: no Host check.
	PublicURL string
	// Signup is SignupOpen, SignupInvite or SignupClosed.
	Signup string
	// SecureCookies forces the Secure flag (and so the __Host- name) on
	// the session cookie even when the request did not arrive over TLS
	// (TLS ends at a proxy).
	SecureCookies bool
	// HSTSMaxAge is the max-age of the Strict-Transport-Security header
	// sent on answers to requests that are HTTPS to the app
	// (FAMILYHUB_HSTS_MAX_AGE; hsts, http/cookie.go). 0, as in a Config
	// built by hand: none.
	HSTSMaxAge time.Duration
	// TrustedProxies are the addresses whose X-Forwarded-For,
	// X-Forwarded-Proto and X-Forwarded-Host headers are believed.
	TrustedProxies []netip.Prefix
	// SessionTTL is how long a session lives without a refresh.
	SessionTTL time.Duration
	// Password are argon2id's cost parameters for new hashes.
	Password db.PasswordParams
	// RealtimePing and RealtimeWriteTimeout replace the realtime
	// heartbeat (25 s) and the bound on a write or a ping's answer (10 s)
	// when set; tests shorten them rather than wait for the real ones.
	RealtimePing         time.Duration
	RealtimeWriteTimeout time.Duration

	// Feature configuration: one field per feature, defined in the feature's file.
	Assistant llm.Config      // the assistant's optional model (http/assistant.go)
	Calendar  ical.Config     // CalDAV and calendar subscriptions
	Notify    *notify.Service // Web Push and ntfy (http/push.go); nil: off
}

// ReadyCheck reports whether a dependency is ready; /readyz runs them all.
type ReadyCheck func(ctx context.Context) error

// Server holds the REST API's dependencies and routes.
type Server struct {
	store       *db.Store
	logger      *slog.Logger
	cfg         Config
	readyChecks map[string]ReadyCheck
	readyLog    readyLog // see handleReady
	router      chi.Router
	api         chi.Router         // the /api subrouter: cross-origin protection + authentication
	rt          *realtimeState     // see MountRealtime
	assistant   *assistant.Service // see mountAssistant
	hosts       []string           // see hostCheck; empty: no Host check
	origins     []string           // see ownOrigins
	public      publicOrigin       // see isHTTPS, otherScheme
	// oldCookieLog rate-limits the warning of refuseOldCookie, per member
	// (members are bounded: an account costs a sign-up).
	oldCookieLog logThrottle[uuid.UUID]
	// revokedKeyLog rate-limits deviceKeyError's revokedKeyLine, per
	// address (db.SourceKey).
	revokedKeyLog logThrottle[string]
}

// NewServer returns a Server with its routes mounted.
func NewServer(store *db.Store, logger *slog.Logger, cfg Config) *Server {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 30 * 24 * time.Hour
	}
	if cfg.Password == (db.PasswordParams{}) {
		cfg.Password = db.DefaultPasswordParams
	}
	if cfg.Signup == "" {
		cfg.Signup = SignupOpen
	}
	s := &Server{store: store, logger: logger, cfg: cfg, readyChecks: map[string]ReadyCheck{}, hosts: publicHosts(cfg), origins: ownOrigins(cfg), public: publicOriginOf(cfg)}
	s.readyChecks["database"] = func(ctx context.Context) error { return store.Pool.Ping(ctx) }
	s.router = s.routes()
	return s
}

// AddReadyCheck adds a named check to /readyz. Call it before serving.
func (s *Server) AddReadyCheck(name string, check ReadyCheck) { s.readyChecks[name] = check }

// Router returns the chi router, so other packages (realtime, CalDAV) can
// mount their handlers next to the REST API.
func (s *Server) Router() chi.Router { return s.router }

// APIRouter returns the /api subrouter, whose requests already passed
// cross-origin protection and carry the caller's Auth when signed in; wrap
// handlers that need a caller in RequireAuth.
func (s *Server) APIRouter() chi.Router { return s.api }

// OriginAllowed reports whether a browser request's Origin may act on this
// server: no Origin (not a browser), the host the client asked for
// (requestHost: behind a proxy that rewrites Host, its X-Forwarded-Host),
// the public URL's origin or one of the configured allowed origins; but
// never, unless it is one of the latter two, what the browser says comes
// from another origin (crossSite) or a host served over HTTPS only under
// plain HTTP (otherScheme). WebSocket upgrades and SSE use it; other
// writes go through CrossOriginProtection, which applies the same rule
// (TestOriginRulesAgree).
func (s *Server) OriginAllowed(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return !crossSite(r)
	}
	u, err := url.Parse(origin)
	if err != nil || u.Host == "" {
		return false
	}
	if s.ownOrigin(u) {
		return true
	}
	if s.otherScheme(u) || crossSite(r) {
		return false
	}
	// Without default ports: "https://a.example" is a.example:443 too.
	return normalHost(u.Host, u.Scheme) == normalHost(s.requestHost(r), u.Scheme)
}

// crossSite reports whether the browser says the request comes from
// another origin (Sec-Fetch-Site "same-site" or "cross-site", or a value
// it does not know), as Go's CrossOriginProtection reads it for writes:
// a page at http://family.example opening wss://family.example/ws has the
// right host in Origin but another scheme, and only the browser's word
// tells. Browsers send the header only to HTTPS and localhost; without it
// the Origin rule alone decides.
func crossSite(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return false
	}
	return true
}

// isSafeMethod: the methods CrossOriginProtection lets through from any
// origin (they change nothing).
func isSafeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

// otherScheme reports whether, with a public URL set, the origin u (a
// parsed Origin header) names, under plain HTTP, a host the app is served
// at over HTTPS only (httpsOnly): the host of an https public URL or of
// an https allowed origin (FAMILYHUB_ALLOWED_ORIGINS) not also listed
// under http. So http://family.example is refused when
// FAMILYHUB_PUBLIC_URL is https://family.example, and http://family.lan
// when https://family.lan is allowed, whatever Host the request names.
// The app is not served there, so a page there is someone else's (one
// put into a plain HTTP answer on the way, on a café's network), and it
// may neither open /ws or /sse nor write with the member's cookie;
// listed in FAMILYHUB_ALLOWED_ORIGINS under http (ownOrigin, asked
// first), it may. An https page is never refused for an http setting:
// nobody slips a page into an HTTPS answer without the name's
// certificate, and members whose operator put TLS in front before
// changing the public URL (or whose browser upgraded the page by HSTS)
// would lose every write.
func (s *Server) otherScheme(u *url.URL) bool {
	scheme := strings.ToLower(u.Scheme)
	return scheme != "https" && s.httpsOnly(normalHost(u.Host, scheme), scheme)
}

// httpsOnly reports whether, with a public URL set, the host name (as
// normalHost writes it) is one the app is served at over HTTPS only: one
// of ownOrigins under https and not under plain (the other scheme the
// question is about: "http", or an Origin's own). Two rules ask it, so
// they agree on which names those are: an Origin under plain HTTP for
// such a name may not write or open /ws and /sse (otherScheme), and a
// request for such a name is HTTPS (isHTTPS: the Secure cookie, https
// links), whatever X-Forwarded-Proto says. A page at http://that-name
// can neither sign in nor write, so a Secure cookie loses nobody there.
// A name listed under both schemes is neither: the request itself must
// say (TLS, a trusted proxy's X-Forwarded-Proto).
//
// Without a public URL no name is: the app cannot tell which scheme its
// members use (behind a TLS terminator that is not trusted, or sends no
// X-Forwarded-Proto, an https page's requests arrive as plain HTTP), and
// comparing Origin's scheme with the request's would refuse them all;
// Go's CrossOriginProtection compares only the host for the same reason.
// There an allowed origin only adds a page to trust besides the
// request's own host, served under either scheme, and says nothing about
// where the app is; with a public URL the allowed origins are also the
// other names the app answers at (the Host check, publicHosts), each
// with its scheme.
func (s *Server) httpsOnly(name, plain string) bool {
	return s.public.scheme != "" && slices.Contains(s.origins, "https://"+name) && !slices.Contains(s.origins, plain+"://"+name)
}

// ownOrigin reports whether the origin u (a parsed Origin header) is one
// of ownOrigins, in any case, without its scheme's default port or a
// name's trailing dot (normalHost).
func (s *Server) ownOrigin(u *url.URL) bool {
	scheme := strings.ToLower(u.Scheme)
	return slices.Contains(s.origins, scheme+"://"+normalHost(u.Host, scheme))
}

// ownOrigins returns the origins (scheme://host[:port], lower case, no
// default port) that are the app's own besides the request's host: the
// public URL's (FAMILYHUB_PUBLIC_URL: where members open the app) and the
// allowed origins (FAMILYHUB_ALLOWED_ORIGINS). One that does not parse is
// left out.
func ownOrigins(cfg Config) []string {
	var out []string
	add := func(o string) {
		u, err := url.Parse(strings.TrimSpace(o))
		if err != nil || u.Scheme == "" || u.Host == "" {
			return
		}
		scheme := strings.ToLower(u.Scheme)
		out = append(out, scheme+"://"+normalHost(u.Host, scheme))
	}
	if cfg.PublicURL != "" {
		add(cfg.PublicURL)
	}
	for _, o := range cfg.AllowedOrigins {
		add(o)
	}
	return out
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.router.ServeHTTP(w, r) }

func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(s.recoverer)
	r.Use(s.hsts)
	r.Use(s.hostCheck)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, familyhub.Errorf(familyhub.ENOTFOUND, "No route for %s %s.", r.Method, r.URL.Path))
	})
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		msg, lang := errorMessage(familyhub.Errorf("method_not_allowed", "%s is not allowed here.", r.Method), errorLanguage(w, r))
		w.Header().Set("Content-Language", lang)
		WriteJSON(w, http.StatusMethodNotAllowed, errorBody{Error: errorJSON{Code: "method_not_allowed", Message: msg}})
	})
	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) {
		WriteJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Get("/readyz", s.handleReady)

	r.Route("/api", func(r chi.Router) {
		s.api = r
		r.Use(s.crossOriginProtection())
		r.Use(s.authenticate)
		r.Use(s.ifMatch)
		r.Post("/auth/signup", s.handleSignup)
		r.Post("/auth/login", s.handleLogin)
		// Without RequireAuth: a logout clears the cookie of a dead session too.
		r.Post("/auth/logout", s.handleLogout)
		s.mountAccountPublic(r)
		r.Group(func(r chi.Router) {
			r.Use(RequireAuth)
			r.Post("/auth/refresh", s.handleRefresh)
			r.Get("/me", s.handleMe)
			s.mountAccount(r)
			s.mountFamily(r)
			s.mountShopping(r)
			s.mountRecipes(r)
			s.mountTasks(r)
			s.mountCalendar(r)
			s.mountAssistant(r)
			s.mountDAVAPI(r)
			s.mountPush(r)
		})
	})
	s.mountDAV(r)
	s.mountWeb(r)
	return r
}

// Error writes err as the JSON error body with the status its code maps to.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	writeError(w, r, s.logger, err)
}

// handleReady answers 200 when every ready check passes, else 503; the body
// names each check "ok" or "error" and nothing more: /readyz answers anyone,
// and an error's text can name hosts, ports and database users. The text
// goes to the log instead, through readyLog.
func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	status, checks := http.StatusOK, map[string]string{}
	for name, check := range s.readyChecks {
		err := check(ctx)
		s.readyLog.note(s.logger, name, err)
		if err != nil {
			status, checks[name] = http.StatusServiceUnavailable, "error"
		} else {
			checks[name] = "ok"
		}
	}
	WriteJSON(w, status, map[string]any{"ready": status == http.StatusOK, "checks": checks})
}

// readyLog logs a ready check's failures where an operator reads them
// without flooding the log, since a load balancer may poll /readyz every
// second: once when a check starts failing (with the error), once when it
// passes again, and while it keeps failing only when the error says
// something new, at most once a minute.
type readyLog struct {
	mu     sync.Mutex
	checks map[string]*readyLogState
}

type readyLogState struct {
	failing  bool
	lastErr  string
	loggedAt time.Time
}

const readyLogEvery = time.Minute

func (l *readyLog) note(logger *slog.Logger, name string, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.checks == nil {
		l.checks = map[string]*readyLogState{}
	}
	st := l.checks[name]
	if st == nil {
		st = &readyLogState{}
		l.checks[name] = st
	}
	now := time.Now()
	switch {
	case err == nil && st.failing:
		st.failing, st.lastErr, st.loggedAt = false, "", now
		logger.Info("ready check ok again", "check", name)
	case err == nil:
	case !st.failing:
		st.failing, st.lastErr, st.loggedAt = true, err.Error(), now
		logger.Warn("ready check failing", "check", name, "err", err)
	case err.Error() != st.lastErr && now.Sub(st.loggedAt) >= readyLogEvery:
		st.lastErr, st.loggedAt = err.Error(), now
		logger.Warn("ready check still failing", "check", name, "err", err)
	}
}

// recoverer turns a panic in a handler into a logged 500 with the JSON error
// body, instead of a dropped connection. It also marks every answer
// nosniff: a browser must not read a JSON error or a calendar file as
// something else.
func (s *Server) recoverer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.logger.Error("panic in handler", "method", r.Method, "path", logPath(r), "panic", v, "stack", string(debug.Stack()))
				s.Error(w, r, familyhub.Errorf(familyhub.EINTERNAL, "internal error"))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// crossOriginProtection refuses cross-site browser requests that change
// state (Go's CrossOriginProtection: Sec-Fetch-Site, then Origin against
// Host). Requests without those headers, i.e. non-browser clients, pass.
// The Host it compares with is the one the client asked for (requestHost):
// browsers send no Sec-Fetch-Site over plain HTTP to a name (only to
// HTTPS and localhost) nor when they are old, and behind a proxy that
// rewrites Host every such write would be refused. The app's own origins
// always pass; with a public URL, a host the app is served at over HTTPS
// only, under plain HTTP, never does (otherScheme).
func (s *Server) crossOriginProtection() func(http.Handler) http.Handler {
	// The app's own origins are let through below, as OriginAllowed lets
	// them (Go's trusted origins compare byte for byte).
	cop := http.NewCrossOriginProtection()
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			o, err := url.Parse(r.Header.Get("Origin"))
			if err != nil || o.Host == "" {
				o = nil
			}
			if o != nil && s.ownOrigin(o) {
				next.ServeHTTP(w, r)
				return
			}
			if o != nil && s.otherScheme(o) && !isSafeMethod(r.Method) {
				s.Error(w, r, familyhub.Errorf(familyhub.EFORBIDDEN, "Cross-origin request refused; add the origin to FAMILYHUB_ALLOWED_ORIGINS if it is yours."))
				return
			}
			checked := r
			host := s.requestHost(r)
			if o != nil && normalHost(o.Host, o.Scheme) == normalHost(host, o.Scheme) {
				// OriginAllowed's rule (any case, the scheme's default
				// port or none, a trailing dot or none); Go's check
				// compares byte for byte.
				host = o.Host
			}
			if host != r.Host {
				checked = r.WithContext(r.Context()) // a shallow copy
				checked.Host = host
			}
			if err := cop.Check(checked); err != nil {
				s.Error(w, r, familyhub.Errorf(familyhub.EFORBIDDEN, "Cross-origin request refused; add the origin to FAMILYHUB_ALLOWED_ORIGINS if it is yours."))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// clientAddr returns the client's IP address: the connection's peer, or,
// when the peer is a trusted proxy, the last address in X-Forwarded-For that
// is not itself a trusted proxy.
func (s *Server) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.peerTrusted(r) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		if !s.trusted(a) {
			return a.String()
		}
	}
	return host
}

// peerTrusted reports whether the connection's peer is a trusted proxy
// (Config.TrustedProxies), whose X-Forwarded-* headers are believed.
func (s *Server) peerTrusted(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	return err == nil && s.trusted(peer)
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			// "::ffff:10.0.0.1": the peer is unmapped, so the prefix is too
			// (netip finds no IPv4 address in an IPv6 prefix).
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// isHTTPS reports whether the client reached us over TLS: directly, at
// the host of an https public URL or at a name served over HTTPS only
// (httpsOnly: an allowed origin listed under https and not http), or
// through a trusted proxy that says so. Those settings say how members
// reach the app under those names, whatever X-Forwarded-Proto says:
// behind a TLS terminator in front of nginx, nginx only knows it was
// spoken to in plain HTTP and says so ($scheme, deploy/nginx.conf), and
// the session cookie must be Secure and the links https all the same.
// The public URL's host is HTTPS even when it is also allowed under
// http: members open the app there over HTTPS, and a cookie without
// Secure would go out in plain text to any http:// request for the name
// (the http origin's page gets no cookie, as before). Under another host
// (an address on the home network, http://192.168.1.5:8080, or a name
// allowed under both schemes) the settings say nothing, and a Secure
// cookie there would never be sent back over plain HTTP.
func (s *Server) isHTTPS(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host := normalHost(s.requestHost(r), "https")
	if (s.public.scheme == "https" && host == s.public.host) || s.httpsOnly(host, "http") {
		return true
	}
	return s.peerTrusted(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

// publicOrigin is FAMILYHUB_PUBLIC_URL's scheme (lower case) and host (as
// normalHost writes it); both "" without one.
type publicOrigin struct{ scheme, host string }

func publicOriginOf(cfg Config) publicOrigin {
	u, err := url.Parse(strings.TrimSpace(cfg.PublicURL))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return publicOrigin{}
	}
	scheme := strings.ToLower(u.Scheme)
	return publicOrigin{scheme, normalHost(u.Host, scheme)}
}

// logPath is the request's path as log lines show it: a read-only
// calendar feed's path is its secret (ical.FeedPrefix + token), so that
// part is left out.
func logPath(r *http.Request) string {
	if strings.HasPrefix(r.URL.Path, ical.FeedPrefix) {
		return ical.FeedPrefix + "…"
	}
	return r.URL.Path
}
