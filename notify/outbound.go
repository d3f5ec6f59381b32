package notify

import (
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/ical"
)

// Push endpoints and ntfy URLs are addresses a member gives: outside URLs
// the server sends requests to. As with calendar subscriptions, non-public
// addresses are refused unless the operator allows them (AllowPrivate): by
// name or literal when they are given, and on the address actually dialled
// when sending (DNS may change; through a proxy, the target's resolved
// addresses before each request), with ical.PublicAddr deciding
// (ical/outbound.go).

// newClient returns the outbound client: a timeout per request, no
// redirects (a push service answers, it does not redirect), and unless
// allowPrivate a refusal of non-public addresses (ical.ErrPrivateAddress).
func newClient(timeout time.Duration, allowPrivate bool) *http.Client {
	dialer := &net.Dialer{Timeout: timeout}
	dial, proxy := dialer.DialContext, http.ProxyFromEnvironment
	if !allowPrivate {
		dial, proxy = ical.PublicOnly(dialer, proxy)
	}
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 proxy,
			DialContext:           dial,
			TLSHandshakeTimeout:   timeout,
			ResponseHeaderTimeout: timeout,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// checkOutsideURL checks a URL the server will send to: https (http too
// when private addresses are allowed), a host, no credentials or fragment,
// and unless allowPrivate a host that is not local by name or literal.
func checkOutsideURL(field, raw string, allowPrivate bool) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 || u.Host == "" {
		return nil, familyhub.Invalid(field, "%s is not a valid URL (at most 2048 characters).", field)
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && allowPrivate:
	default:
		return nil, familyhub.Invalid(field, "%s must start with https://.", field)
	}
	if u.User != nil || u.Fragment != "" {
		return nil, familyhub.Invalid(field, "%s may not hold credentials or a fragment.", field)
	}
	if !allowPrivate {
		host := strings.ToLower(u.Hostname())
		ip, err := netip.ParseAddr(host)
		if host == "localhost" || strings.HasSuffix(host, ".localhost") || (err == nil && !ical.PublicAddr(ip)) {
			return nil, familyhub.Invalid(field, "%s points at a local or private address, which this server does not send to unless its operator allows it (FAMILYHUB_PUSH_ALLOW_PRIVATE).", field)
		}
	}
	return u, nil
}

// CheckEndpoint checks a push subscription's endpoint (an outside URL).
func (c Config) CheckEndpoint(raw string) (string, error) {
	u, err := checkOutsideURL("endpoint", raw, c.AllowPrivate)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

// CheckNtfyURL checks an ntfy topic URL: an outside URL whose last path
// segment is the topic (https://ntfy.sh/my-family-topic).
func (c Config) CheckNtfyURL(raw string) (string, error) {
	u, err := checkOutsideURL("ntfy.url", raw, c.AllowPrivate)
	if err != nil {
		return "", err
	}
	if u.RawQuery != "" {
		return "", familyhub.Invalid("ntfy.url", "ntfy.url is the topic's URL, without a query.")
	}
	if _, topic := ntfySplit(u); topic == "" {
		return "", familyhub.Invalid("ntfy.url", "ntfy.url must name a topic, e.g. https://ntfy.sh/my-family-reminders.")
	}
	return u.String(), nil
}

// ntfySplit returns the server's base URL and the topic.
func ntfySplit(u *url.URL) (base, topic string) {
	p := strings.TrimRight(u.Path, "/")
	i := strings.LastIndex(p, "/")
	if i < 0 {
		return "", ""
	}
	topic = p[i+1:]
	b := *u
	b.Path, b.RawPath = p[:i], ""
	return strings.TrimRight(b.String(), "/"), topic
}

// sealToken encrypts an ntfy token for user under the secret key.
func (c Config) sealToken(user uuid.UUID, token string) ([]byte, error) {
	if len(token) > 512 {
		return nil, familyhub.Invalid("ntfy.token", "ntfy.token must be at most 512 bytes.")
	}
	key, _ := ical.DeriveSecretKey(c.SecretKey)
	if key == nil {
		return nil, familyhub.Invalid("ntfy.token", "This server cannot store ntfy tokens: its operator has not set FAMILYHUB_SECRET_KEY. Use a topic without a token, or ask them to set it.")
	}
	return ical.SealSecret(key, []byte(token), append([]byte("ntfy:"), user[:]...))
}

// openToken reverses sealToken ("" when there is none or it cannot be
// opened, e.g. after the secret key changed).
func (c Config) openToken(user uuid.UUID, sealed []byte) (string, error) {
	if len(sealed) == 0 {
		return "", nil
	}
	key, _ := ical.DeriveSecretKey(c.SecretKey)
	b, err := ical.OpenSecret(key, sealed, append([]byte("ntfy:"), user[:]...))
	return string(b), err
}
