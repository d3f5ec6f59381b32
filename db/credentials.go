package db

import (
	"context"
	"crypto/sha256"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// CredentialOpts says what CheckCredentials accepts besides the password.
type CredentialOpts struct {
	// AppPasswords accepts the user's app passwords (CalDAV clients).
	AppPasswords bool
	// Cache remembers a successful argon2id check for a few minutes:
	// calendar apps send the password with every request, and argon2id is
	// slow on purpose. Keyed by the password and the stored hash, so a
	// password change ends it.
	Cache bool
}

// ErrBadCredentials is the answer to a wrong email or password.
var ErrBadCredentials = familyhub.Errorf(familyhub.EUNAUTHORIZED, "Wrong email or password.")

// passwordChecks counts argon2id verifications of sign-in passwords (see
// PasswordChecks).
var passwordChecks atomic.Int64

// PasswordChecks returns how many sign-in passwords (and PINs) this
// process verified with argon2id so far: what the sign-in limits bound.
func PasswordChecks() int64 { return passwordChecks.Load() }

func verifyCounted(password, hash string) (bool, error) {
	passwordChecks.Add(1)
	return VerifyPassword(password, hash)
}

// CheckCredentials is the one credential check (login, CalDAV Basic auth,
// a password change): it refuses with ERATELIMITED when the account or the
// client address is locked (see the limits in ratelimit.go), counts the
// attempt, verifies the password (against a dummy hash for unknown emails,
// so both take as long), forgets the attempt when it was right, and returns
// the user. Wrong credentials are ErrBadCredentials.
func (s *Store) CheckCredentials(ctx context.Context, email, password, clientAddr string, opts CredentialOpts) (dbsqlc.User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if len(email) > familyhub.MaxEmailLen || password == "" || len(password) > familyhub.MaxPasswordBytes {
		return dbsqlc.User{}, ErrBadCredentials
	}
	source := SourceKey(clientAddr)
	// A locked account is refused even with the right password: otherwise
	// the answer would confirm a guess.
	if err := s.allowed(ctx, loginLimits, email, source); err != nil {
		return dbsqlc.User{}, err
	}
	user, err := s.Q.UserGetByEmail(ctx, s.Pool, email)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return dbsqlc.User{}, Err(err, "")
	}
	hash := dummyHash
	if known {
		hash = user.PasswordHash
		if opts.AppPasswords {
			// App passwords are 120 random bits checked by SHA-256: no
			// guessing to bound, no attempt to count.
			if ok, err := s.checkAppPassword(ctx, user.ID, password); err != nil || ok {
				return user, err
			}
		}
		if opts.Cache && recentPasswords.hit(password, hash) {
			return user, nil
		}
	}
	if _, err := s.reserve(ctx, loginLimits, email, source); err != nil {
		return dbsqlc.User{}, Err(err, "")
	}
	ok, err := verifyCounted(password, hash)
	if err != nil {
		return dbsqlc.User{}, err
	}
	if !ok || !known {
		return dbsqlc.User{}, ErrBadCredentials
	}
	if opts.Cache {
		recentPasswords.remember(password, hash)
	}
	return user, s.succeeded(ctx, loginLimits, email, source)
}

// dummyHash is verified against when the email is unknown, so that a
// sign-in for an unknown account takes as long as one for a known account.
var dummyHash, _ = HashPassword("familyhub-dummy-password", DefaultPasswordParams)

// recentPasswords remembers recent successful argon2id checks (CredentialOpts.Cache).
var recentPasswords = &passwordCache{entries: map[[32]byte]time.Time{}}

type passwordCache struct {
	mu      sync.Mutex
	entries map[[32]byte]time.Time
}

const (
	passwordCacheTTL  = 5 * time.Minute
	passwordCacheSize = 10000
)

func passwordCacheKey(password, hash string) [32]byte {
	return sha256.Sum256([]byte(password + "\x00" + hash))
}

func (c *passwordCache) hit(password, hash string) bool {
	key := passwordCacheKey(password, hash)
	c.mu.Lock()
	exp, ok := c.entries[key]
	c.mu.Unlock()
	return ok && time.Now().Before(exp)
}

func (c *passwordCache) remember(password, hash string) {
	key := passwordCacheKey(password, hash)
	c.mu.Lock()
	if len(c.entries) >= passwordCacheSize {
		clear(c.entries)
	}
	c.entries[key] = time.Now().Add(passwordCacheTTL)
	c.mu.Unlock()
}
