package ical

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

// Config configures CalDAV and calendar subscriptions (docs/caldav.md).
type Config struct {
	// SecretKey is FAMILYHUB_SECRET_KEY: the secret that subscription
	// credentials are encrypted under (see DeriveSecretKey). Empty means
	// subscriptions that need a password cannot be stored.
	SecretKey string
	// AllowPrivateSubscriptions lets calendar subscriptions reach loopback,
	// private, link-local and other non-public addresses. Off by default:
	// otherwise any family member could make the server fetch from the
	// operator's internal network (cloud metadata, admin pages).
	AllowPrivateSubscriptions bool
}

// Key returns the AES key derived from SecretKey, or nil when it is unset
// or too short (Validate reports that).
func (c Config) Key() []byte {
	k, _ := DeriveSecretKey(c.SecretKey)
	return k
}

// Validate reports a SecretKey that is set but unusable.
func (c Config) Validate() error {
	_, err := DeriveSecretKey(c.SecretKey)
	return err
}

// NormalizeSubscriptionURL checks a subscription URL: http or https (webcal
// and webcals are read as http and https), with a host, no fragment, at
// most 2048 bytes. Credentials go in username/password, not the URL.
func NormalizeSubscriptionURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	if err != nil || len(raw) > 2048 {
		return "", familyhub.Invalid("url", "url is not a valid URL (at most 2048 characters).")
	}
	switch strings.ToLower(u.Scheme) {
	case "webcal":
		u.Scheme = "http"
	case "webcals":
		u.Scheme = "https"
	case "http", "https":
		u.Scheme = strings.ToLower(u.Scheme)
	default:
		return "", familyhub.Invalid("url", "url must start with https:// (or http://, webcal://).")
	}
	if u.Host == "" {
		return "", familyhub.Invalid("url", "url has no host.")
	}
	if u.User != nil {
		return "", familyhub.Invalid("url", "Give the user name and password in username and password, not in the URL.")
	}
	u.Fragment = ""
	return u.String(), nil
}

// PublicAddr reports whether ip is a public unicast address, one that a
// calendar subscription may reach without AllowPrivateSubscriptions: not
// loopback, private (RFC 1918, fc00::/7), link-local (169.254/16 with cloud
// metadata, fe80::/10), shared (100.64/10), "this network" (0/8),
// benchmarking (198.18/15), reserved (240/4), unspecified or multicast. An
// IPv6 address that carries an IPv4 one (IPv4-mapped ::ffff:0:0/96,
// IPv4-compatible ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) is judged by
// that IPv4 address, since a gateway on the way may deliver it there;
// local-use NAT64 (64:ff9b:1::/48) and Teredo (2001::/32, whose IPv4 is
// obscured) are never public.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if v4, ok := embeddedIPv4(ip); ok {
		return PublicAddr(v4)
	}
	if localNAT64.Contains(ip) || teredo.Contains(ip) {
		return false
	}
	for _, p := range specialIPv4 {
		if p.Contains(ip) {
			return false
		}
	}
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast()
}

var (
	// specialIPv4 are ranges Go counts as global unicast that are not:
	// "this network" (0/8, which ::1 carries), shared address space
	// (carrier-grade NAT), benchmarking, reserved.
	specialIPv4 = []netip.Prefix{
		netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("198.18.0.0/15"), netip.MustParsePrefix("240.0.0.0/4"),
	}
	nat64          = netip.MustParsePrefix("64:ff9b::/96")
	localNAT64     = netip.MustParsePrefix("64:ff9b:1::/48")
	sixToFour      = netip.MustParsePrefix("2002::/16")
	ipv4Compatible = netip.MustParsePrefix("::/96")
	teredo         = netip.MustParsePrefix("2001::/32")
)

// embeddedIPv4 returns the IPv4 address an IPv6 address of NAT64, 6to4 or
// the IPv4-compatible form carries.
func embeddedIPv4(ip netip.Addr) (netip.Addr, bool) {
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip), ipv4Compatible.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// CheckSubscriptionURL normalises a subscription URL (NormalizeSubscriptionURL)
// and, unless private addresses are allowed, refuses one whose host is, by
// name or literally, a non-public address. Other names are checked again
// when the import connects (the address a name resolves to can change).
func (c Config) CheckSubscriptionURL(raw string) (string, error) {
	u, err := NormalizeSubscriptionURL(raw)
	if err != nil || c.AllowPrivateSubscriptions {
		return u, err
	}
	return u, checkSubscriptionHost(u)
}

func checkSubscriptionHost(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return familyhub.Invalid("url", "url is not a valid URL.")
	}
	host := strings.ToLower(u.Hostname())
	ip, err := netip.ParseAddr(host)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || (err == nil && !PublicAddr(ip)) {
		return familyhub.Invalid("url", "url points at a local or private address, which subscriptions may not reach unless the server allows it (FAMILYHUB_SUBSCRIPTIONS_ALLOW_PRIVATE).")
	}
	return nil
}

// SealPassword encrypts a subscription's password under the configured
// secret, bound to the subscription's id; "" is no password (nil). Without
// a secret key, a password is refused (EINVALID), never stored in clear.
func (c Config) SealPassword(id uuid.UUID, password string) ([]byte, error) {
	if password == "" {
		return nil, nil
	}
	if len(password) > familyhub.MaxPasswordBytes {
		return nil, familyhub.Invalid("password", "password must be at most %d bytes.", familyhub.MaxPasswordBytes)
	}
	key := c.Key()
	if key == nil {
		return nil, familyhub.Invalid("password", "This server cannot store calendar passwords: its operator has not set FAMILYHUB_SECRET_KEY. Subscribe without a password, or ask them to set it.")
	}
	return SealSecret(key, []byte(password), id[:])
}
