package ical

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
)

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
// metadata, fe80::/10), shared (100.64/10), unspecified or multicast.
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsGlobalUnicast() && !ip.IsPrivate() && !ip.IsLoopback() && !ip.IsLinkLocalUnicast() &&
		!sharedAddressSpace.Contains(ip)
}

var sharedAddressSpace = netip.MustParsePrefix("100.64.0.0/10")

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
