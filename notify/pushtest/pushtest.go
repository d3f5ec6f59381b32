// Package pushtest is a Web Push service for tests, written from the RFCs
// independently of the sending side: it takes messages as RFC 8030 says
// (POST to the subscription's endpoint, TTL required, 201 Created), checks
// the VAPID JWT of RFC 8292 (ES256 signature, aud, exp, sub; the key the
// subscription was made for), and decrypts the RFC 8291 aes128gcm payload
// with the subscription's private key and auth secret, which it holds as a
// browser would.
package pushtest

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Server is a push service on loopback.
type Server struct {
	*httptest.Server

	mu       sync.Mutex
	subs     map[string]*Subscription
	msgs     []Message
	rejected []error
	holdFrom int           // accept this many messages, then hold the rest (0: never)
	held     int           // requests held now
	release  chan struct{} // closed by Release
	once     sync.Once
}

// Subscription is what a browser holds for one push subscription: the
// endpoint, its ECDH key pair (p256dh) and auth secret, and the
// application server key (VAPID public key) it was made for.
type Subscription struct {
	ID       string
	Endpoint string
	priv     *ecdh.PrivateKey
	auth     []byte
	appKey   string
	fail     []int // statuses to answer before accepting
}

// Message is one message the service accepted, decrypted.
type Message struct {
	Sub     string // subscription id
	Payload []byte
	TTL     int
	Topic   string
	Urgency string
	Claims  map[string]any // the VAPID JWT's claims
	At      time.Time
}

// New starts a push service; it stops at the end of the test.
func New(tb interface {
	Helper()
	Cleanup(func())
}) *Server {
	tb.Helper()
	s := &Server{subs: map[string]*Subscription{}, release: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(s.handle))
	tb.Cleanup(func() {
		s.Release() // held requests must end before Close returns
		s.Close()
	})
	return s
}

// Subscribe makes a subscription for the application server key appKey
// (base64url, the server's VAPID public key), as PushManager.subscribe
// does.
func (s *Server) Subscribe(appKey string) *Subscription {
	priv, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	auth := make([]byte, 16)
	_, _ = rand.Read(auth)
	id := base64.RawURLEncoding.EncodeToString(auth[:9])
	sub := &Subscription{ID: id, Endpoint: s.URL + "/push/" + id, priv: priv, auth: auth, appKey: appKey}
	s.mu.Lock()
	s.subs[id] = sub
	s.mu.Unlock()
	return sub
}

// JSON is the subscription as PushSubscription.toJSON() gives it.
func (sub *Subscription) JSON() map[string]any {
	return map[string]any{
		"endpoint":       sub.Endpoint,
		"expirationTime": nil,
		"keys": map[string]string{
			"p256dh": base64.RawURLEncoding.EncodeToString(sub.priv.PublicKey().Bytes()),
			"auth":   base64.RawURLEncoding.EncodeToString(sub.auth),
		},
	}
}

// Fail makes the service answer the subscription's next messages with
// these statuses (e.g. 429, 503, 410), one per message, before accepting.
func (s *Server) Fail(sub *Subscription, statuses ...int) {
	s.mu.Lock()
	sub.fail = append(sub.fail, statuses...)
	s.mu.Unlock()
}

// Forget drops a subscription: later messages are answered 410 Gone, as a
// push service does after the browser unsubscribed.
func (s *Server) Forget(sub *Subscription) {
	s.mu.Lock()
	delete(s.subs, sub.ID)
	s.mu.Unlock()
}

// HoldAfter makes the service accept n more messages and then hold every
// further request without answering, until Release or until the sender
// goes away (then the message was not accepted: it is not recorded).
func (s *Server) HoldAfter(n int) {
	s.mu.Lock()
	s.holdFrom = len(s.msgs) + n
	s.mu.Unlock()
}

// Held returns how many requests are held now.
func (s *Server) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.held
}

// Release answers held requests and stops holding.
func (s *Server) Release() {
	s.mu.Lock()
	s.holdFrom = 0
	s.mu.Unlock()
	s.once.Do(func() { close(s.release) })
}

// Messages returns the accepted messages of a subscription (nil: all).
func (s *Server) Messages(sub *Subscription) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for _, m := range s.msgs {
		if sub == nil || m.Sub == sub.ID {
			out = append(out, m)
		}
	}
	return out
}

// Rejected returns why requests were refused (a bad JWT, a payload that
// does not decrypt): a correct sender has none.
func (s *Server) Rejected() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.rejected...)
}

func (s *Server) handle(w http.ResponseWriter, r *http.Request) {
	id, ok := strings.CutPrefix(r.URL.Path, "/push/")
	if r.Method != http.MethodPost || !ok {
		http.NotFound(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 8192))
	if err != nil {
		return
	}
	s.mu.Lock()
	sub := s.subs[id]
	if sub == nil {
		s.mu.Unlock()
		http.Error(w, "no such subscription", http.StatusGone)
		return
	}
	if len(sub.fail) > 0 {
		code := sub.fail[0]
		sub.fail = sub.fail[1:]
		s.mu.Unlock()
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
		}
		http.Error(w, http.StatusText(code), code)
		return
	}
	s.mu.Unlock()
	m, status, err := s.accept(r, sub, body)
	if err != nil {
		s.mu.Lock()
		s.rejected = append(s.rejected, err)
		s.mu.Unlock()
		http.Error(w, err.Error(), status)
		return
	}
	s.mu.Lock()
	if s.holdFrom > 0 && len(s.msgs) >= s.holdFrom {
		s.held++
		release := s.release
		s.mu.Unlock()
		select {
		case <-r.Context().Done(): // the sender went away: not accepted
			s.mu.Lock()
			s.held--
			s.mu.Unlock()
			return
		case <-release:
		}
		s.mu.Lock()
		s.held--
	}
	s.msgs = append(s.msgs, m)
	n := len(s.msgs)
	s.mu.Unlock()
	w.Header().Set("Location", fmt.Sprintf("%s/message/%d", s.URL, n))
	w.WriteHeader(http.StatusCreated)
}

// accept checks and decrypts one message.
func (s *Server) accept(r *http.Request, sub *Subscription, body []byte) (Message, int, error) {
	m := Message{Sub: sub.ID, Topic: r.Header.Get("Topic"), Urgency: r.Header.Get("Urgency"), At: time.Now()}
	ttl, err := strconv.Atoi(r.Header.Get("TTL"))
	if err != nil || ttl < 0 {
		return m, http.StatusBadRequest, errors.New("RFC 8030 5.2: the TTL header is required")
	}
	m.TTL = ttl
	if len(m.Topic) > 32 || strings.Trim(m.Topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
		return m, http.StatusBadRequest, fmt.Errorf("RFC 8030 5.4: Topic %q is not up to 32 base64url characters", m.Topic)
	}
	if m.Claims, err = checkVAPID(r.Header.Get("Authorization"), sub, s.URL); err != nil {
		return m, http.StatusUnauthorized, err
	}
	if ce := r.Header.Get("Content-Encoding"); ce != "aes128gcm" {
		return m, http.StatusUnsupportedMediaType, fmt.Errorf("RFC 8291: Content-Encoding %q, want aes128gcm", ce)
	}
	if m.Payload, err = decrypt(sub, body); err != nil {
		return m, http.StatusBadRequest, err
	}
	return m, 0, nil
}

// checkVAPID verifies "vapid t=<JWT>, k=<key>" (RFC 8292 3).
func checkVAPID(h string, sub *Subscription, origin string) (map[string]any, error) {
	rest, ok := strings.CutPrefix(h, "vapid ")
	if !ok {
		return nil, fmt.Errorf("RFC 8292: Authorization %q is not the vapid scheme", h)
	}
	params := map[string]string{}
	for _, p := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		params[k] = v
	}
	if params["k"] != sub.appKey {
		return nil, fmt.Errorf("RFC 8292 4: k=%q is not the key the subscription was made for", params["k"])
	}
	keyBytes, err := base64.RawURLEncoding.DecodeString(params["k"])
	if err != nil {
		return nil, fmt.Errorf("RFC 8292: k is not base64url: %w", err)
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), keyBytes)
	if err != nil {
		return nil, fmt.Errorf("RFC 8292: k is not a P-256 point: %w", err)
	}
	parts := strings.Split(params["t"], ".")
	if len(parts) != 3 {
		return nil, errors.New("RFC 8292: t is not a JWS")
	}
	var header struct{ Typ, Alg string }
	if err := decodeSegment(parts[0], &header); err != nil || header.Alg != "ES256" {
		return nil, fmt.Errorf("RFC 8292 2: the JWT must be signed with ES256 (header %+v, %v)", header, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || len(sig) != 64 {
		return nil, errors.New("RFC 7518 3.4: an ES256 signature is 64 bytes R||S")
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if !ecdsa.Verify(pub, digest[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])) {
		return nil, errors.New("RFC 8292: the JWT's signature does not verify with k")
	}
	var claims map[string]any
	if err := decodeSegment(parts[1], &claims); err != nil {
		return nil, fmt.Errorf("RFC 8292: claims: %w", err)
	}
	if claims["aud"] != origin {
		return nil, fmt.Errorf("RFC 8292 2: aud %v is not the push resource's origin %s", claims["aud"], origin)
	}
	exp, _ := claims["exp"].(float64)
	if until := time.Until(time.Unix(int64(exp), 0)); until <= 0 || until > 24*time.Hour {
		return nil, fmt.Errorf("RFC 8292 2: exp must lie within the next 24 hours (in %s)", until)
	}
	if sub, _ := claims["sub"].(string); !strings.HasPrefix(sub, "mailto:") && !strings.HasPrefix(sub, "https:") {
		return nil, fmt.Errorf("RFC 8292 2.1: sub %q is not a mailto: or https: URI", sub)
	}
	return claims, nil
}

func decodeSegment(seg string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

// decrypt opens an aes128gcm body (RFC 8188) with the keys of RFC 8291 3.4.
func decrypt(sub *Subscription, body []byte) ([]byte, error) {
	if len(body) < 21 {
		return nil, errors.New("RFC 8188 2.1: body shorter than its header")
	}
	salt, rs, idlen := body[:16], binary.BigEndian.Uint32(body[16:20]), int(body[20])
	if idlen != 65 || len(body) < 21+idlen {
		return nil, fmt.Errorf("RFC 8291 4: keyid must be the sender's 65-byte public key, not %d bytes", idlen)
	}
	asPublic, ciphertext := body[21:21+idlen], body[21+idlen:]
	if len(ciphertext) > int(rs) || len(ciphertext) < 17 {
		return nil, fmt.Errorf("RFC 8291 4: a single record of at most rs=%d bytes is expected, got %d", rs, len(ciphertext))
	}
	peer, err := ecdh.P256().NewPublicKey(asPublic)
	if err != nil {
		return nil, fmt.Errorf("RFC 8291: keyid is not a P-256 point: %w", err)
	}
	secret, err := sub.priv.ECDH(peer)
	if err != nil {
		return nil, err
	}
	// PRK_key = HMAC(auth_secret, ecdh_secret);
	// IKM = HMAC(PRK_key, "WebPush: info" || 0x00 || ua_public || as_public || 0x01)
	keyInfo := "WebPush: info\x00" + string(sub.priv.PublicKey().Bytes()) + string(asPublic)
	ikm, err := hkdf.Key(sha256.New, secret, sub.auth, keyInfo, 32)
	if err != nil {
		return nil, err
	}
	prk, err := hkdf.Extract(sha256.New, ikm, salt)
	if err != nil {
		return nil, err
	}
	cek, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: aes128gcm\x00", 16)
	if err != nil {
		return nil, err
	}
	nonce, err := hkdf.Expand(sha256.New, prk, "Content-Encoding: nonce\x00", 12)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(cek)
	if err != nil {
		return nil, err
	}
	gcm, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	plain, err := gcm.Open(nil, nonce, ciphertext, nil)
	if err != nil {
		return nil, fmt.Errorf("RFC 8291: the payload does not decrypt with the subscription's keys: %w", err)
	}
	// The last record's data ends with 0x02, then zero padding (RFC 8188 2).
	plain = bytes.TrimRight(plain, "\x00")
	if len(plain) == 0 || plain[len(plain)-1] != 2 {
		return nil, errors.New("RFC 8188 2: the last record's padding delimiter 0x02 is missing")
	}
	return plain[:len(plain)-1], nil
}
