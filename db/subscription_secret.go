package db

import (
	"net/url"
	"strings"

	"github.com/familyhub/familyhub/db/dbsqlc"
)

// A calendar subscription "holds a secret" of the member who added it when
// it has a user name or a password, or when its address carries one. Such
// a subscription is deleted, with its events, when that member leaves the
// family or is removed (endAccess): the family's server must not go on
// reading a departed member's private calendar. Subscriptions that hold no
// secret (a public holiday or club calendar) stay the family's.
//
// An address carries a secret (URLCarriesSecret) when it has
//   - user information (https://user:pass@host/...; the app refuses these
//     when subscribing, but older or hand-written rows may have them);
//   - any query string (?token=..., Nextcloud's ?export, Proton's
//     ?CacheKey=...&PassphraseKey=...): a query of a calendar address is
//     almost always an access key, and a wrong guess only removes a
//     calendar the app named before asking;
//   - a path segment that looks like a random token: at least 16 letters
//     and digits, with at least 4 changes between a letter and a digit
//     (Google's private-<32 hex>/basic.ics, iCloud's published/2/<token>,
//     Outlook's and Fastmail's long tokens, a UUID). Words and dates
//     ("school-holidays-2026-2027", "en.german#holiday@group...") are not
//     tokens: they change between letters and digits rarely.
// A secret without those marks (a token made only of letters, a short
// one) cannot be told from a public address: an owner removes it.

// minTokenChars and minTokenSwitches: see above.
const (
	minTokenChars    = 16
	minTokenSwitches = 4
)

// SubscriptionHoldsSecret reports whether sub goes with the member who
// added it (see above).
func SubscriptionHoldsSecret(sub dbsqlc.CalendarSubscription) bool {
	return sub.Username != "" || sub.PasswordEnc != nil || URLCarriesSecret(sub.Url)
}

// URLCarriesSecret reports whether a subscription address carries an
// access secret by the rule above. An address that does not parse counts
// as carrying one.
func URLCarriesSecret(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return true
	}
	if u.User != nil || u.RawQuery != "" || u.ForceQuery {
		return true
	}
	for _, seg := range strings.Split(u.EscapedPath(), "/") {
		if s, err := url.PathUnescape(seg); err == nil {
			seg = s
		}
		if looksLikeToken(seg) {
			return true
		}
	}
	return false
}

// looksLikeToken: at least minTokenChars letters and digits, with at least
// minTokenSwitches changes from a letter to a digit or back (other
// characters neither count nor break a run).
func looksLikeToken(seg string) bool {
	chars, switches := 0, 0
	last := byte(0) // 'a' letter, '0' digit
	for i := 0; i < len(seg); i++ {
		c := seg[i]
		var class byte
		switch {
		case c >= '0' && c <= '9':
			class = '0'
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
			class = 'a'
		default:
			continue
		}
		chars++
		if last != 0 && class != last {
			switches++
		}
		last = class
	}
	return chars >= minTokenChars && switches >= minTokenSwitches
}
