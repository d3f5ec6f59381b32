package db

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// App passwords: per-device secrets for calendar apps, so the account's
// password need not be typed into them.

// appPasswordAlphabet is lower-case Crockford base32: easy to read and to
// type on a phone; 24 characters carry 120 random bits.
const (
	appPasswordAlphabet = "0123456789abcdefghjkmnpqrstvwxyz"
	appPasswordLen      = 24
)

// newAppPassword returns a fresh secret shown as xxxx-xxxx-xxxx-xxxx-xxxx-xxxx.
func newAppPassword() string {
	b := make([]byte, appPasswordLen)
	_, _ = rand.Read(b)
	var out strings.Builder
	for i, c := range b {
		if i > 0 && i%4 == 0 {
			out.WriteByte('-')
		}
		out.WriteByte(appPasswordAlphabet[int(c)%len(appPasswordAlphabet)])
	}
	return out.String()
}

// normalizeAppPassword returns the secret of an app password as typed
// (dashes, spaces and case do not matter) and whether p looks like one.
func normalizeAppPassword(p string) (string, bool) {
	s := strings.ToLower(strings.NewReplacer("-", "", " ", "").Replace(p))
	if len(s) != appPasswordLen {
		return "", false
	}
	for _, c := range s {
		if !strings.ContainsRune(appPasswordAlphabet, c) {
			return "", false
		}
	}
	return s, true
}

// checkAppPassword reports whether password is one of the user's app
// passwords, and records its use.
func (s *Store) checkAppPassword(ctx context.Context, userID uuid.UUID, password string) (bool, error) {
	secret, ok := normalizeAppPassword(password)
	if !ok {
		return false, nil
	}
	ap, err := s.Q.DAVAppPasswordFind(ctx, s.Pool, dbsqlc.DAVAppPasswordFindParams{UserID: userID, SecretHash: HashToken(secret)})
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, Err(err, "")
	}
	// Best effort: a failure to note the last use does not refuse the client.
	_ = s.Q.DAVAppPasswordTouch(ctx, s.Pool, ap.ID)
	return true, nil
}

// AppPasswordCreate makes an app password for the calling user and returns
// it with the secret (shown once; only its hash is stored).
func (tx *Tx) AppPasswordCreate(ctx context.Context, name string) (dbsqlc.DavAppPassword, string, error) {
	a, err := tx.caller()
	if err != nil {
		return dbsqlc.DavAppPassword{}, "", err
	}
	if name, err = TrimmedText("name", name, 1, 100); err != nil {
		return dbsqlc.DavAppPassword{}, "", err
	}
	secret := newAppPassword()
	norm, _ := normalizeAppPassword(secret)
	p, err := tx.q.DAVAppPasswordInsert(ctx, tx, dbsqlc.DAVAppPasswordInsertParams{UserID: a.UserID, Name: name, SecretHash: HashToken(norm)})
	return p, secret, Err(err, "app password")
}

// AppPasswordList returns the calling user's app passwords.
func (tx *Tx) AppPasswordList(ctx context.Context) ([]dbsqlc.DavAppPassword, error) {
	a, err := tx.caller()
	if err != nil {
		return nil, err
	}
	return tx.q.DAVAppPasswordList(ctx, tx, a.UserID)
}

// AppPasswordDelete revokes one of the calling user's app passwords.
func (tx *Tx) AppPasswordDelete(ctx context.Context, id uuid.UUID) error {
	a, err := tx.caller()
	if err != nil {
		return err
	}
	n, err := tx.q.DAVAppPasswordDelete(ctx, tx, dbsqlc.DAVAppPasswordDeleteParams{ID: id, UserID: a.UserID})
	return deleted(n, err, "app password")
}

// Calendar subscriptions: external calendars imported into the family's.

// SubscriptionNew is a subscription to store. URL has been checked and the
// password sealed by the calendar-interchange package.
type SubscriptionNew struct {
	ID          uuid.UUID
	Name        string
	URL         string
	Username    string
	PasswordEnc []byte
}

// SubscriptionCreate stores a subscription of the caller's family.
func (tx *Tx) SubscriptionCreate(ctx context.Context, p SubscriptionNew) (dbsqlc.CalendarSubscription, error) {
	if err := tx.authorize(familyhub.ActCalendarSubscriptionManage); err != nil {
		return dbsqlc.CalendarSubscription{}, err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.CalendarSubscription{}, err
	}
	if p.Name, err = TrimmedText("name", p.Name, 1, 200); err != nil {
		return dbsqlc.CalendarSubscription{}, err
	}
	if err := ValidateText("username", p.Username, 0, 256); err != nil {
		return dbsqlc.CalendarSubscription{}, err
	}
	sub, err := tx.q.CalendarSubscriptionInsert(ctx, tx, dbsqlc.CalendarSubscriptionInsertParams{
		ID: p.ID, FamilyID: family, Name: p.Name, Url: p.URL, Username: p.Username, PasswordEnc: p.PasswordEnc, CreatedBy: tx.user(),
	})
	return sub, Err(err, "subscription")
}

// SubscriptionList returns the family's subscriptions.
func (tx *Tx) SubscriptionList(ctx context.Context) ([]dbsqlc.CalendarSubscription, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.CalendarSubscriptionList(ctx, tx, family)
}

// SubscriptionDelete ends a subscription and deletes its imported events
// (each announced as CALENDAR_EVENT_UPDATED by the trigger).
func (tx *Tx) SubscriptionDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActCalendarSubscriptionManage); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	if _, err := tx.q.CalendarSubscriptionEventsDelete(ctx, tx, dbsqlc.CalendarSubscriptionEventsDeleteParams{SubscriptionID: &id, FamilyID: family}); err != nil {
		return err
	}
	n, err := tx.q.CalendarSubscriptionDelete(ctx, tx, dbsqlc.CalendarSubscriptionDeleteParams{ID: id, FamilyID: family})
	return deleted(n, err, "subscription")
}

// CalDAV's view of the family calendar.

// CalDAVEventList returns every event of the family, for a collection listing.
func (tx *Tx) CalDAVEventList(ctx context.Context) ([]dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.CalDAVEventList(ctx, tx, family)
}

// CalDAVEventByName returns the event served under a resource name (its
// dav_name, or <id>.ics); forUpdate locks it.
func (tx *Tx) CalDAVEventByName(ctx context.Context, name string, forUpdate bool) (dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	var e dbsqlc.CalendarEvent
	if forUpdate {
		e, err = tx.q.CalDAVEventGetByNameForUpdate(ctx, tx, dbsqlc.CalDAVEventGetByNameForUpdateParams{FamilyID: family, Name: &name})
	} else {
		e, err = tx.q.CalDAVEventGetByName(ctx, tx, dbsqlc.CalDAVEventGetByNameParams{FamilyID: family, Name: &name})
	}
	return e, Err(err, "calendar object")
}

// The subscription import (package ical) runs as the system, for every
// family: these operations take the subscription's id.

// SubscriptionsDue returns the subscriptions whose next attempt has come,
// the longest-waiting first.
func (s *Store) SubscriptionsDue(ctx context.Context) ([]uuid.UUID, error) {
	ids, err := s.Q.CalendarSubscriptionListDue(ctx, s.Pool)
	return ids, Err(err, "")
}

// SubscriptionGet returns a subscription of any family.
func (s *Store) SubscriptionGet(ctx context.Context, id uuid.UUID) (dbsqlc.CalendarSubscription, error) {
	sub, err := s.Q.CalendarSubscriptionGet(ctx, s.Pool, id)
	return sub, Err(err, "subscription")
}

// SubscriptionFailed records a sync that failed as a whole and when to try again.
func (s *Store) SubscriptionFailed(ctx context.Context, id uuid.UUID, msg string, next time.Time) error {
	return Err(s.Q.CalendarSubscriptionFailed(ctx, s.Pool, dbsqlc.CalendarSubscriptionFailedParams{
		ID: id, LastError: &msg, NextAttemptAt: next,
	}), "")
}

// SubscriptionSynced records a sync that reached the source; lastError
// summarises events that could not be imported (nil when all were).
func (s *Store) SubscriptionSynced(ctx context.Context, id uuid.UUID, kind string, ctag, lastError *string) error {
	return Err(s.Q.CalendarSubscriptionSynced(ctx, s.Pool, dbsqlc.CalendarSubscriptionSyncedParams{
		ID: id, Kind: &kind, Ctag: ctag, LastError: lastError,
	}), "")
}

// SubscriptionImported lists the family's copies of a subscription's events.
func (s *Store) SubscriptionImported(ctx context.Context, id uuid.UUID) ([]dbsqlc.CalendarSubscriptionImportedListRow, error) {
	rows, err := s.Q.CalendarSubscriptionImportedList(ctx, s.Pool, &id)
	return rows, Err(err, "")
}

// SubscriptionImportedDelete deletes one imported copy (read-only to
// everyone else).
func (tx *Tx) SubscriptionImportedDelete(ctx context.Context, subscriptionID, eventID uuid.UUID) error {
	_, err := tx.q.CalendarSubscriptionImportedDelete(ctx, tx, dbsqlc.CalendarSubscriptionImportedDeleteParams{ID: eventID, SubscriptionID: &subscriptionID})
	return Err(err, "calendar event")
}

// CalendarEventGetForImport locks an event for the import to replace; the
// import owns its read-only copies.
func (tx *Tx) CalendarEventGetForImport(ctx context.Context, id uuid.UUID) (dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.CalendarEvent{}, err
	}
	e, err := tx.q.CalendarEventGetForUpdate(ctx, tx, dbsqlc.CalendarEventGetForUpdateParams{ID: id, FamilyID: family})
	return e, Err(err, "calendar event")
}
