package ical

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"sync"
	"syscall"
)

// Requests to addresses members give (calendar subscriptions here, push
// endpoints and ntfy URLs in notify) refuse non-public addresses unless the
// operator allows them, with PublicAddr deciding: on the address actually
// dialled (RefusePrivate, a dialer's Control), and, when the request goes
// through a proxy, on the target's addresses before it is sent
// (OutsideProxy), since the dialer then sees only the proxy's address. The
// connection to the operator's proxy itself is allowed wherever it is
// (PublicOnly puts the two together).

// ErrPrivateAddress is the refusal to reach a non-public address.
var ErrPrivateAddress = errors.New("address is not public")

// RefusePrivate is a net.Dialer Control that refuses to connect to a
// non-public address: the one actually dialled, after DNS, so a name
// cannot lead inside. It returns an error wrapping ErrPrivateAddress.
func RefusePrivate(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil || !PublicAddr(ap.Addr()) {
		return fmt.Errorf("%w (%s)", ErrPrivateAddress, address)
	}
	return nil
}

// OutsideProxy wraps proxy, an http.Transport's Proxy
// (http.ProxyFromEnvironment in production), for a transport whose dialer
// refuses private addresses: when proxy sends a request through a proxy,
// the request's host is resolved first and the request refused, with an
// error wrapping ErrPrivateAddress as a direct connection's, when any of
// its addresses is not public (a name that does not resolve here is
// refused with the resolver's error). A request that goes direct is left
// to the dialer. The proxy resolves the name again: a name whose answers
// change between the two lookups could still lead it inside, which only
// the proxy's own rules can prevent.
func OutsideProxy(proxy func(*http.Request) (*url.URL, error)) func(*http.Request) (*url.URL, error) {
	if proxy == nil {
		return nil
	}
	return func(req *http.Request) (*url.URL, error) {
		u, err := proxy(req)
		if err != nil || u == nil {
			return u, err
		}
		if err := checkTarget(req.Context(), req.URL); err != nil {
			return nil, err
		}
		return u, nil
	}
}

// PublicOnly returns the DialContext and the Proxy of an http.Transport for
// requests to addresses members give, which must reach only public
// addresses. proxy is the operator's proxy setting
// (http.ProxyFromEnvironment in production), wrapped in OutsideProxy: a
// request it sends through a proxy has its target checked first. dial
// connects with dialer, refusing a non-public address (RefusePrivate), but
// for the proxies proxy chose: the operator configured those, and one on
// loopback or the LAN (a sidecar, an egress proxy) is normal. A proxy is
// known by the host:port the transport dials (the host as the setting
// spells it, ASCII, with the scheme's default port), so a different name
// for the same address is still refused; a request the setting sends
// direct (NO_PROXY) to a proxy's own host:port has its target checked as
// through a proxy. The proxy resolves the target's name again: see
// OutsideProxy.
func PublicOnly(dialer *net.Dialer, proxy func(*http.Request) (*url.URL, error)) (dial func(ctx context.Context, network, address string) (net.Conn, error), viaProxy func(*http.Request) (*url.URL, error)) {
	if proxy == nil {
		proxy = func(*http.Request) (*url.URL, error) { return nil, nil }
	}
	guarded := *dialer
	guarded.Control = RefusePrivate
	p := &publicOnly{direct: &guarded, toProxy: dialer, proxies: map[string]bool{}}
	outside := OutsideProxy(proxy)
	viaProxy = func(req *http.Request) (*url.URL, error) {
		u, err := outside(req)
		if err != nil {
			return nil, err
		}
		if u == nil {
			if p.isProxy(dialAddr(req.URL)) {
				return nil, checkTarget(req.Context(), req.URL)
			}
			return nil, nil
		}
		p.remember(dialAddr(u))
		return u, nil
	}
	return p.dial, viaProxy
}

type publicOnly struct {
	direct, toProxy *net.Dialer
	mu              sync.Mutex
	proxies         map[string]bool // host:port of the proxies the setting chose
}

func (p *publicOnly) remember(addr string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.proxies[addr] = true
}

func (p *publicOnly) isProxy(addr string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.proxies[addr]
}

func (p *publicOnly) dial(ctx context.Context, network, address string) (net.Conn, error) {
	if p.isProxy(address) {
		return p.toProxy.DialContext(ctx, network, address)
	}
	return p.direct.DialContext(ctx, network, address)
}

// dialAddr is the host:port an http.Transport dials for u (its
// canonicalAddr): the host as written, the scheme's port when u has none.
// A host that is not ASCII yields an address the transport never dials (it
// dials the punycode), so such a proxy is not let through: it fails closed.
func dialAddr(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443", "socks5": "1080", "socks5h": "1080"}[u.Scheme]
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// checkTarget resolves target's host and refuses it when any address is
// not public.
func checkTarget(ctx context.Context, target *url.URL) error {
	host, port := target.Hostname(), target.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[target.Scheme]
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip}
	} else if addrs, err = net.DefaultResolver.LookupNetIP(ctx, "ip", host); err != nil {
		return err
	}
	for _, a := range addrs {
		if !PublicAddr(a) {
			return fmt.Errorf("%w (%s)", ErrPrivateAddress, net.JoinHostPort(a.String(), port))
		}
	}
	return nil
}
