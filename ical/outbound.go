package ical

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
)

// Requests to addresses members give (calendar subscriptions here, push
// endpoints and ntfy URLs in notify) refuse non-public addresses unless the
// operator allows them, with PublicAddr deciding: on the address actually
// dialled (RefusePrivate, a dialer's Control), and, when the request goes
// through a proxy, on the target's addresses before it is sent
// (OutsideProxy), since the dialer then sees only the proxy's address.

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
// addresses: dialer (its Control replaced by RefusePrivate) for the
// connections, proxy (http.ProxyFromEnvironment in production) wrapped in
// OutsideProxy.
func PublicOnly(dialer *net.Dialer, proxy func(*http.Request) (*url.URL, error)) (dial func(ctx context.Context, network, address string) (net.Conn, error), viaProxy func(*http.Request) (*url.URL, error)) {
	d := *dialer
	d.Control = RefusePrivate
	return d.DialContext, OutsideProxy(proxy)
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
