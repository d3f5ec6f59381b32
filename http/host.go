package http

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"

	"github.com/familyhub/familyhub"
)

// The Host check against DNS rebinding. A page on a name its author
// controls can point that name at this server's address (or at a proxy in
// front of it) and then talk to the server as "its own origin": the
// browser sends Origin and Host of the attacker's name, so the same-origin
// rules (CrossOriginProtection, the WebSocket upgrade's Origin check) see
// nothing wrong. Knowing its own public address (FAMILYHUB_PUBLIC_URL),
// the server refuses what a browser could do with a signed-in session or a
// live connection under any other name:
//
//   - requests that carry the session cookie (and no Authorization
//     header, which goes before the cookie),
//   - /ws and /sse (whatever their credentials: a cookie or a ticket).
//
// A sign-in under another name still answers, but the cookie it sets is
// refused on its first use. Requests with an Authorization header (native
// apps' bearer tokens, CalDAV's app passwords) carry a secret no
// rebinding page has, and pass; so do /healthz, /readyz and /metrics (a
// load balancer or Prometheus asks by address), the PWA's static files
// and the secret calendar feed URLs. A Host that is an IP address or
// "localhost" passes too: rebinding makes a browser send the attacker's
// name, never an address (a page can only be at an address by being
// served from it), so opening the app at http://192.168.1.5:8080 on the
// home network, and the tests' loopback servers, keep working. Without a
// public URL nothing is checked, as before (docs/operations.md).
//
// The host checked is the one the client asked for (requestHost): behind
// a reverse proxy that rewrites Host, its X-Forwarded-Host.

// requestHost returns the host (host[:port]) the client asked for: r.Host,
// or, when the peer is a trusted proxy (FAMILYHUB_TRUSTED_PROXIES) that
// sends X-Forwarded-Host, that. A proxy that rewrites Host (nginx's
// default sends its upstream's name, "familyhub:8080") says there what
// the client asked for. Nobody else is believed: any client can send the
// header, naming the host the checks want to see.
//
// A list ("a.example, b.example", from proxies that append, as Apache's
// mod_proxy does) yields its last entry: the one the nearest proxy, the
// trusted peer, wrote about the request it received. The entries before
// it came from farther hops or from the client itself, and a host name,
// unlike X-Forwarded-For's addresses (clientAddr), does not say whether
// the hop that wrote it is a trusted one. A proxy behind another one
// should pass on the Host it got (nginx: $http_host), as deploy/nginx.conf
// does. Forwarded (RFC 7239) is not read, as for the client's address and
// scheme: one set of headers, X-Forwarded-*, which every common proxy can
// send (docs/operations.md).
func (s *Server) requestHost(r *http.Request) string {
	if !s.peerTrusted(r) {
		return r.Host
	}
	v := r.Header.Values("X-Forwarded-Host")
	if len(v) == 0 {
		return r.Host
	}
	hops := strings.Split(v[len(v)-1], ",")
	if h := strings.TrimSpace(hops[len(hops)-1]); wellFormedHost.MatchString(h) {
		return h
	}
	return r.Host
}

// wellFormedHost is a host[:port] as a browser sends it in Host: a name
// or IPv4 address, or an IPv6 address in brackets, and a port of digits.
// net/http checks a direct client's Host before any handler runs; an
// X-Forwarded-Host is only a header, and a proxy that passes a client's
// own on would let it put anything (a path, "user@", quotes, spaces) into
// the feed URLs, the ntfy links' origin and the logs. One that does not
// match is ignored, as an empty one is.
var wellFormedHost = regexp.MustCompile(`^[A-Za-z0-9._\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$`)

// publicHosts returns the host names (host[:port], lower case, without a
// default port) this server answers to: the public URL's and the allowed
// origins'. Empty: no Host check.
func publicHosts(cfg Config) []string {
	if cfg.PublicURL == "" {
		return nil
	}
	var out []string
	for _, o := range append([]string{cfg.PublicURL}, cfg.AllowedOrigins...) {
		u, err := url.Parse(strings.TrimSpace(o))
		if err != nil || u.Host == "" {
			continue
		}
		out = append(out, normalHost(u.Host, u.Scheme))
	}
	return out
}

// normalHost lower-cases host, drops the trailing dot of a fully
// qualified name ("example.com." is example.com, as DNS and browsers
// treat it: a browser opened at http://example.com.:8080 sends that as
// Host and Origin) and a port that is its scheme's default (":443" for
// https, ":80" for http; scheme "" drops either).
func normalHost(host, scheme string) string {
	host = strings.ToLower(host)
	h, port, err := net.SplitHostPort(host)
	if err != nil {
		return strings.TrimSuffix(host, ".")
	}
	if strings.Contains(h, ":") {
		h = "[" + h + "]"
	} else {
		h = strings.TrimSuffix(h, ".")
	}
	if (port == "443" && scheme != "http") || (port == "80" && scheme != "https") {
		return h
	}
	return h + ":" + port
}

// hostCheck refuses, when a public URL is configured, the requests listed
// above that name another host.
func (s *Server) hostCheck(next http.Handler) http.Handler {
	if len(s.hosts) == 0 {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.hostAllowed(r) || !hostChecked(r) {
			next.ServeHTTP(w, r)
			return
		}
		host := s.requestHost(r)
		args := []any{"host", host, "path", logPath(r), "client_addr", s.clientAddr(r)}
		if host != r.Host {
			// A proxy's X-Forwarded-Host, and the Host it sent: an
			// operator sees which one names the wrong host.
			args = append(args, "host_header", r.Host)
		}
		s.logger.Warn("refused a request for another host name", args...)
		s.Error(w, r, familyhub.Errorf(familyhub.EFORBIDDEN, "This server answers at its public address only (FAMILYHUB_PUBLIC_URL): open the app there."))
	})
}

func (s *Server) hostAllowed(r *http.Request) bool {
	host := normalHost(s.requestHost(r), "")
	name := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		name = h
	}
	name = strings.TrimSuffix(strings.TrimPrefix(name, "["), "]")
	if _, err := netip.ParseAddr(name); err == nil || name == "localhost" {
		return true
	}
	for _, h := range s.hosts {
		if host == h || normalHost(h, "") == host {
			return true
		}
	}
	return false
}

// hostChecked reports whether r is one a rebinding page could abuse.
func hostChecked(r *http.Request) bool {
	switch p := r.URL.Path; {
	case p == "/healthz" || p == "/readyz" || p == "/metrics":
		return false
	case p == "/ws" || p == "/sse":
		return true
	case r.Header.Get("Authorization") != "":
		return false
	default:
		return hasSessionCookie(r)
	}
}
