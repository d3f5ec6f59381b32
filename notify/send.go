package notify

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/SherClockHolmes/webpush-go"

	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/ical"
)

// result is how a send ended: sent, gone (the subscription no longer
// exists), failed (refused for good), pending (try again: 429, 5xx, the
// network).
type result struct {
	status string
	err    error
	after  time.Duration // the service's Retry-After, if it gave one
}

// retryAfter is when to try a pending send again: the service's
// Retry-After, else exponential from 5 s up to 10 minutes.
func (r result) retryAfter(attempts int) time.Duration {
	if r.after > 0 {
		return min(r.after, time.Hour)
	}
	return min(5*time.Second<<min(attempts, 10), 10*time.Minute)
}

// classify turns a service's answer into a result.
func classify(resp *http.Response, err error) result {
	switch {
	case errors.Is(err, ical.ErrPrivateAddress):
		return result{status: "failed", err: err}
	case err != nil:
		return result{status: "pending", err: err}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	e := fmt.Errorf("HTTP %d %s", resp.StatusCode, strings.TrimSpace(string(body)))
	switch code := resp.StatusCode; {
	case code >= 200 && code < 300:
		return result{status: "sent"}
	case code == http.StatusNotFound || code == http.StatusGone:
		return result{status: "gone", err: e}
	case code == http.StatusTooManyRequests || code >= 500:
		return result{status: "pending", err: e, after: parseRetryAfter(resp.Header.Get("Retry-After"))}
	}
	return result{status: "failed", err: e}
}

func parseRetryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0)
	}
	return 0
}

// PushPayload is the JSON a push carries to the service worker
// (web/static/js/push-sw.js): the notice in both languages, the one to
// show (Lang: the member's choice, "" for the device's language), where a
// click leads and the tag that collapses repeats.
type PushPayload struct {
	V     int             `json:"v"`
	ID    string          `json:"id"`
	Kind  string          `json:"kind"`
	URL   string          `json:"url"`
	Tag   string          `json:"tag"`
	Lang  string          `json:"lang"`
	Title string          `json:"title"`
	Body  string          `json:"body"`
	Texts map[string]Text `json:"texts"`
}

func pushPayload(n dbsqlc.NotifyNotice, msg Message, lang string) PushPayload {
	t := msg.In(lang)
	return PushPayload{
		V: 1, ID: n.ID.String(), Kind: msg.Kind, URL: msg.URL, Tag: msg.Tag, Lang: lang,
		Title: t.Title, Body: t.Body, Texts: map[string]Text{"en": msg.EN, "de": msg.DE},
	}
}

func language(m dbsqlc.NotifyMemberSetting) string {
	if m.Language != nil {
		return *m.Language
	}
	return ""
}

// pushTTL is how long a push service keeps a message for a device that is
// offline: a reminder is worth little after its event began.
func pushTTL(n dbsqlc.NotifyNotice, now time.Time) int {
	if n.Kind == "event" && n.OccursAt != nil {
		return int(max(n.OccursAt.Sub(now)+5*time.Minute, time.Minute).Seconds())
	}
	return int((12 * time.Hour).Seconds())
}

// pushTopic is the RFC 8030 Topic of a notice: a message sent twice
// replaces its first copy at the push service while undelivered.
func pushTopic(n dbsqlc.NotifyNotice) string {
	sum := sha256.Sum256(n.ID[:])
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// sendPush encrypts the notice for one subscription (RFC 8291) and posts
// it with the server's VAPID signature (RFC 8292).
func (s *Service) sendPush(ctx context.Context, row dbsqlc.NotifySendLockRow, m dbsqlc.NotifyMemberSetting, n dbsqlc.NotifyNotice, msg Message) result {
	if _, err := checkOutsideURL("endpoint", row.Endpoint, s.cfg.AllowPrivate); err != nil {
		return result{status: "failed", err: err}
	}
	keys, err := s.vapidKeys(ctx)
	if err != nil {
		return result{status: "pending", err: err}
	}
	payload, err := json.Marshal(pushPayload(n, msg, language(m)))
	if err != nil {
		return result{status: "failed", err: err}
	}
	urgency := webpush.UrgencyNormal
	if n.Kind == "task" || n.Kind == "event" || n.Kind == "test" {
		urgency = webpush.UrgencyHigh
	}
	resp, err := webpush.SendNotificationWithContext(ctx, payload,
		&webpush.Subscription{Endpoint: row.Endpoint, Keys: webpush.Keys{P256dh: row.P256dh, Auth: row.Auth}},
		&webpush.Options{
			HTTPClient:      s.client,
			Subscriber:      strings.TrimPrefix(s.cfg.Subject, "mailto:"), // webpush-go adds mailto: itself
			Topic:           pushTopic(n),
			TTL:             pushTTL(n, s.now()),
			Urgency:         urgency,
			VAPIDPublicKey:  keys.public,
			VAPIDPrivateKey: keys.private,
		})
	return classify(resp, err)
}

// ntfyMessage is ntfy's JSON publishing format (POST to the server's root).
type ntfyMessage struct {
	Topic    string   `json:"topic"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	Click    string   `json:"click,omitempty"`
	Tags     []string `json:"tags,omitempty"`
	Priority int      `json:"priority,omitempty"`
}

// sendNtfy publishes the notice to the member's ntfy topic, in their
// language (English when they chose none), with the app's URL as click
// action when the server knows where the app is.
func (s *Service) sendNtfy(ctx context.Context, m dbsqlc.NotifyMemberSetting, n dbsqlc.NotifyNotice, msg Message) result {
	if m.NtfyUrl == nil {
		return result{status: "failed", err: errors.New("ntfy is no longer set up")}
	}
	u, err := checkOutsideURL("ntfy.url", *m.NtfyUrl, s.cfg.AllowPrivate)
	if err != nil {
		return result{status: "failed", err: err}
	}
	base, topic := ntfySplit(u)
	token, err := s.cfg.openToken(m.UserID, m.NtfyTokenEnc)
	if err != nil {
		return result{status: "failed", err: fmt.Errorf("the ntfy token cannot be opened (was FAMILYHUB_SECRET_KEY changed?): %w", err)}
	}
	t := msg.In(language(m))
	nm := ntfyMessage{Topic: topic, Title: t.Title, Message: t.Body, Click: s.clickURL(m, msg.URL), Tags: []string{ntfyTag(n.Kind)}}
	if n.Kind == "task" || n.Kind == "event" {
		nm.Priority = 4
	}
	body, err := json.Marshal(nm)
	if err != nil {
		return result{status: "failed", err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base, bytes.NewReader(body))
	if err != nil {
		return result{status: "failed", err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "FamilyHub notifications")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return classify(s.client.Do(req))
}

func ntfyTag(kind string) string {
	switch kind {
	case "task":
		return "white_check_mark"
	case "event":
		return "calendar"
	case "list":
		return "shopping_cart"
	case "digest":
		return "sunrise"
	}
	return "bell"
}

// clickURL is the absolute URL of an app path: under FAMILYHUB_PUBLIC_URL,
// else the origin the member saved their settings from; "" when neither
// is known.
func (s *Service) clickURL(m dbsqlc.NotifyMemberSetting, path string) string {
	base := s.cfg.PublicURL
	if base == "" && m.AppUrl != nil {
		base = *m.AppUrl
	}
	if base == "" {
		return ""
	}
	b, err := url.Parse(strings.TrimRight(base, "/"))
	if err != nil {
		return ""
	}
	p, err := url.Parse(path)
	if err != nil {
		return ""
	}
	return b.ResolveReference(&url.URL{Path: b.Path + p.Path, RawQuery: p.RawQuery}).String()
}
