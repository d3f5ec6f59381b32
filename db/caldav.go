package db

import (
	"context"
	"crypto/rand"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

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
// it with the secret (shown once; only its hash is stored). A member has
// at most familyhub.MaxAppPasswordsPerUser (ELIMIT beyond).
func (tx *Tx) AppPasswordCreate(ctx context.Context, name string) (dbsqlc.DavAppPassword, string, error) {
	a, err := tx.caller()
	if err != nil {
		return dbsqlc.DavAppPassword{}, "", err
	}
	if name, err = TrimmedText("name", name, 1, 100); err != nil {
		return dbsqlc.DavAppPassword{}, "", err
	}
	if err := tx.underLimit(ctx, limitAppPasswords, a.UserID, familyhub.MaxAppPasswordsPerUser,
		func() (int32, error) { return tx.q.DAVAppPasswordCount(ctx, tx, a.UserID) },
		familyhub.Errorf(familyhub.ELIMIT, "You can have at most %d app passwords; revoke one first.", familyhub.MaxAppPasswordsPerUser)); err != nil {
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

// SubscriptionCreate stores a subscription of the caller's family (at most
// familyhub.MaxCalendarSubscriptions: ELIMIT beyond; the import job
// fetches every one from its outside URL every 15 minutes).
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
	if err := tx.underLimit(ctx, limitSubscriptions, family, MaxCalendarSubscriptions,
		func() (int32, error) { return tx.q.CalendarSubscriptionCount(ctx, tx, family) },
		familyhub.Errorf(familyhub.ELIMIT, "A family can subscribe to at most %d calendars; remove one first.", MaxCalendarSubscriptions)); err != nil {
		return dbsqlc.CalendarSubscription{}, err
	}
	sub, err := tx.q.CalendarSubscriptionInsert(ctx, tx, dbsqlc.CalendarSubscriptionInsertParams{
		ID: p.ID, FamilyID: family, Name: p.Name, Url: p.URL, Username: p.Username, PasswordEnc: p.PasswordEnc, CreatedBy: tx.user(),
	})
	return sub, Err(err, "subscription")
}

// Subscription is a calendar subscription as a member sees it.
type Subscription struct {
	dbsqlc.CalendarSubscription
	// HoldsSecret: it goes, with its events, when the member who added it
	// leaves or is removed (SubscriptionHoldsSecret).
	HoldsSecret bool
}

// SubscriptionList returns the family's subscriptions. A subscription's
// address and user name are how to reach someone's outside calendar (a
// private .ics address often carries a secret token), so only those who
// may manage subscriptions get them; the others (children) get each
// subscription's name and how its syncing goes, with URL and Username
// empty and the address taken out of LastError.
func (tx *Tx) SubscriptionList(ctx context.Context) ([]Subscription, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalendarSubscriptionList(ctx, tx, family)
	subs := make([]Subscription, len(rows))
	for i, r := range rows {
		subs[i] = Subscription{CalendarSubscription: r, HoldsSecret: SubscriptionHoldsSecret(r)}
	}
	if err == nil && tx.grant(familyhub.ActCalendarSubscriptionManage) == familyhub.GrantNone {
		for i := range subs {
			if e := subs[i].LastError; e != nil && subs[i].Url != "" && strings.Contains(*e, subs[i].Url) {
				// An error recorded before the import left the address
				// out of its messages (ical.readableImportError).
				hidden := strings.ReplaceAll(*e, subs[i].Url, "(the calendar's address)")
				subs[i].LastError = &hidden
			}
			subs[i].Url, subs[i].Username = "", ""
		}
	}
	return subs, Err(err, "")
}

// SubscriptionDelete ends a subscription and deletes its imported events
// in the same statement (the foreign key of migration 00030 cascades; each
// is announced as CALENDAR_EVENT_UPDATED by the trigger). An import of it
// still running writes no event after that (ErrSubscriptionGone).
func (tx *Tx) SubscriptionDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActCalendarSubscriptionManage); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	n, err := tx.q.CalendarSubscriptionDelete(ctx, tx, dbsqlc.CalendarSubscriptionDeleteParams{ID: id, FamilyID: family})
	return deleted(n, err, "subscription")
}

// CalDAV's view of the family calendar.

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

// The CalDAV collections: listings, objects by id, name and page, sync
// state. The calendar-interchange package serves them (ical/dav*.go).

// DAVHead is what a listing or a sync needs of one calendar object: its
// id, the resource name it is served under, and what its ETag is made of.
type DAVHead struct {
	ID        uuid.UUID
	Name      string
	UpdatedAt time.Time
	Sequence  int32
}

// DAVName is the resource name of a row: the name a CalDAV client chose,
// or <id>.ics.
func DAVName(id uuid.UUID, davName *string) string {
	if davName != nil {
		return *davName
	}
	return id.String() + ".ics"
}

// CalDAVEventHeads lists every event of the family without its body.
func (tx *Tx) CalDAVEventHeads(ctx context.Context) ([]DAVHead, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVEventHeads(ctx, tx, family)
	out := make([]DAVHead, len(rows))
	for i, r := range rows {
		out[i] = DAVHead{ID: r.ID, Name: DAVName(r.ID, r.DavName), UpdatedAt: r.UpdatedAt, Sequence: r.Sequence}
	}
	return out, Err(err, "")
}

// CalDAVEventRangeHeads returns the events that may have occurrences in
// [from, to) (as CalendarEventListRange) with their changed occurrences,
// without the stored iCalendar (Ical is nil): enough to expand them.
func (tx *Tx) CalDAVEventRangeHeads(ctx context.Context, from, to time.Time) ([]dbsqlc.CalendarEvent, map[uuid.UUID][]dbsqlc.CalendarEventOverride, error) {
	family, err := tx.family()
	if err != nil {
		return nil, nil, err
	}
	rows, err := tx.q.CalDAVEventRangeHeads(ctx, tx, dbsqlc.CalDAVEventRangeHeadsParams{FamilyID: family, RangeFrom: from, RangeTo: to})
	if err != nil {
		return nil, nil, Err(err, "")
	}
	events := make([]dbsqlc.CalendarEvent, len(rows))
	var series []uuid.UUID
	for i, r := range rows {
		events[i] = dbsqlc.CalendarEvent{ID: r.ID, FamilyID: family, DavName: r.DavName, UpdatedAt: r.UpdatedAt, Sequence: r.Sequence,
			StartsAt: r.StartsAt, EndsAt: r.EndsAt, AllDay: r.AllDay, Rrule: r.Rrule, Exdates: r.Exdates}
		if r.Rrule != nil {
			series = append(series, r.ID)
		}
	}
	ovs, err := tx.CalendarOverrides(ctx, series)
	return events, ovs, err
}

// CalDAVEventsByIDs returns the family's events among ids.
func (tx *Tx) CalDAVEventsByIDs(ctx context.Context, ids []uuid.UUID) ([]dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVEventsByIDs(ctx, tx, dbsqlc.CalDAVEventsByIDsParams{FamilyID: family, Ids: ids})
	return rows, Err(err, "")
}

// CalDAVEventsByNames returns the family's events served under any of names.
func (tx *Tx) CalDAVEventsByNames(ctx context.Context, names []string) ([]dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVEventsByNames(ctx, tx, dbsqlc.CalDAVEventsByNamesParams{FamilyID: family, Names: names})
	return rows, Err(err, "")
}

// CalDAVEventPage returns up to n events after the id after, in id order.
func (tx *Tx) CalDAVEventPage(ctx context.Context, after uuid.UUID, n int) ([]dbsqlc.CalendarEvent, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVEventPage(ctx, tx, dbsqlc.CalDAVEventPageParams{FamilyID: family, AfterID: after, MaxRows: int32(n)})
	return rows, Err(err, "")
}

// The tasks collection: one-off tasks and chore instances, not templates.

// CalDAVTaskHeads lists every task of the collection without its body.
func (tx *Tx) CalDAVTaskHeads(ctx context.Context) ([]DAVHead, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVTaskHeads(ctx, tx, family)
	out := make([]DAVHead, len(rows))
	for i, r := range rows {
		out[i] = DAVHead{ID: r.ID, Name: DAVName(r.ID, r.DavName), UpdatedAt: r.UpdatedAt}
	}
	return out, Err(err, "")
}

// CalDAVTasksByIDs returns the collection's tasks among ids.
func (tx *Tx) CalDAVTasksByIDs(ctx context.Context, ids []uuid.UUID) ([]dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVTasksByIDs(ctx, tx, dbsqlc.CalDAVTasksByIDsParams{FamilyID: family, Ids: ids})
	return rows, Err(err, "")
}

// CalDAVTasksByNames returns the collection's tasks served under any of names.
func (tx *Tx) CalDAVTasksByNames(ctx context.Context, names []string) ([]dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVTasksByNames(ctx, tx, dbsqlc.CalDAVTasksByNamesParams{FamilyID: family, Names: names})
	return rows, Err(err, "")
}

// CalDAVTaskLock locks the task served as name for a CalDAV write.
func (tx *Tx) CalDAVTaskLock(ctx context.Context, name string) (dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Task{}, err
	}
	t, err := tx.q.CalDAVTaskGetByNameForUpdate(ctx, tx, dbsqlc.CalDAVTaskGetByNameForUpdateParams{FamilyID: family, Name: &name})
	return t, Err(err, "calendar object")
}

// CalDAVTaskUIDTaken reports whether a task of the family has uid.
func (tx *Tx) CalDAVTaskUIDTaken(ctx context.Context, uid string) (bool, error) {
	family, err := tx.family()
	if err != nil {
		return false, err
	}
	ok, err := tx.q.CalDAVTaskUIDTaken(ctx, tx, dbsqlc.CalDAVTaskUIDTakenParams{FamilyID: family, Uid: &uid})
	return ok, Err(err, "")
}

// TaskInterchange is what a CalDAV client gives a task beside its modelled
// fields: its UID, the resource name it chose, and the VTODO as received.
type TaskInterchange struct {
	UID     string
	DavName string
	ICal    string
}

// CalDAVTaskInterchangeSet stores x on the task id (the task operations
// write its modelled fields). An ICal over familyhub.MaxICalBytes is
// ETOOLARGE.
func (tx *Tx) CalDAVTaskInterchangeSet(ctx context.Context, id uuid.UUID, x TaskInterchange) (dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return dbsqlc.Task{}, err
	}
	if len(x.ICal) > familyhub.MaxICalBytes {
		return dbsqlc.Task{}, familyhub.Errorf(familyhub.ETOOLARGE, "The task is larger than %d KiB.", familyhub.MaxICalBytes>>10)
	}
	t, err := tx.q.CalDAVTaskInterchangeSet(ctx, tx, dbsqlc.CalDAVTaskInterchangeSetParams{
		ID: id, FamilyID: family, Uid: &x.UID, DavName: &x.DavName, Ical: &x.ICal,
	})
	return t, Err(err, "task")
}

// CalDAVTasksDue returns up to n tasks of the collection due in [from, to)
// (chores without a time: on a day in it), of assignee when not nil.
func (tx *Tx) CalDAVTasksDue(ctx context.Context, assignee *uuid.UUID, from, to time.Time, n int) ([]dbsqlc.Task, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	loc, err := tx.FamilyLocation(ctx, family)
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVTasksDue(ctx, tx, dbsqlc.CalDAVTasksDueParams{
		FamilyID: family, AssigneeID: assignee, DueFrom: &from, DueTo: &to, MaxRows: int32(n),
		DayFrom: pgtype.Date{Time: familyhub.CivilDate(from, loc), Valid: true},
		DayTo:   pgtype.Date{Time: familyhub.CivilDate(to, loc), Valid: true},
	})
	return rows, Err(err, "")
}

// CalDAVFamilyMembers returns the family's members (id, name, email).
func (tx *Tx) CalDAVFamilyMembers(ctx context.Context) ([]dbsqlc.CalDAVFamilyMembersRow, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVFamilyMembers(ctx, tx, family)
	return rows, Err(err, "")
}

// Sync (RFC 6578): tokens are numbers of the family's event log.

// DAVSyncState is where the family's event log stands for one event type:
// Current is the family's last seq, Oldest the oldest seq the log still
// holds and Last the last seq of the type (-1 when the log holds none).
type DAVSyncState struct {
	Current, Oldest, Last int64
}

// CalDAVSyncState returns the family's event log state for eventType.
func (tx *Tx) CalDAVSyncState(ctx context.Context, eventType string) (DAVSyncState, error) {
	family, err := tx.family()
	if err != nil {
		return DAVSyncState{}, err
	}
	r, err := tx.q.CalDAVSyncState(ctx, tx, dbsqlc.CalDAVSyncStateParams{FamilyID: family, Type: eventType})
	return DAVSyncState{Current: r.CurrentSeq, Oldest: r.OldestSeq, Last: r.LastSeq}, Err(err, "family")
}

// CalDAVChangesSince returns up to n entities with events of eventType
// after seq since, each once with its last seq, in that seq's order.
func (tx *Tx) CalDAVChangesSince(ctx context.Context, eventType string, since int64, n int) ([]dbsqlc.CalDAVChangesSinceRow, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.CalDAVChangesSince(ctx, tx, dbsqlc.CalDAVChangesSinceParams{FamilyID: family, Since: since, Type: eventType, MaxRows: int32(n)})
	return rows, Err(err, "")
}

// DAVTombstones returns the resource names deleted objects of collection
// ("family" or "tasks") among ids were served under.
func (tx *Tx) DAVTombstones(ctx context.Context, collection string, ids []uuid.UUID) (map[uuid.UUID]string, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.DAVTombstoneList(ctx, tx, dbsqlc.DAVTombstoneListParams{FamilyID: family, Collection: collection, Ids: ids})
	out := make(map[uuid.UUID]string, len(rows))
	for _, r := range rows {
		out[r.EntityID] = r.Name
	}
	return out, Err(err, "")
}

// Read-only iCalendar feeds: secret URLs for apps that only subscribe.

// ICalFeedCreate makes a feed of the family (member nil) or of one of its
// members, and returns it with its secret token (shown once; only a hash
// is stored). A family has at most familyhub.MaxCalendarFeeds feeds that
// are not revoked, its members' included (ELIMIT beyond).
func (tx *Tx) ICalFeedCreate(ctx context.Context, name string, member *uuid.UUID) (dbsqlc.IcalFeed, string, error) {
	if err := tx.authorize(familyhub.ActCalendarFeedManage); err != nil {
		return dbsqlc.IcalFeed{}, "", err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.IcalFeed{}, "", err
	}
	if name, err = TrimmedText("name", name, 1, 100); err != nil {
		return dbsqlc.IcalFeed{}, "", err
	}
	if member != nil {
		ok, err := tx.q.TaskAssigneeIsMember(ctx, tx, dbsqlc.TaskAssigneeIsMemberParams{FamilyID: family, UserID: *member})
		if err != nil {
			return dbsqlc.IcalFeed{}, "", Err(err, "")
		}
		if !ok {
			return dbsqlc.IcalFeed{}, "", familyhub.Invalid("member_id", "member_id must be the id of a member of your family.")
		}
	}
	if err := tx.underLimit(ctx, limitFeeds, family, familyhub.MaxCalendarFeeds,
		func() (int32, error) { return tx.q.ICalFeedCountLive(ctx, tx, family) },
		familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d calendar feeds; revoke one first.", familyhub.MaxCalendarFeeds)); err != nil {
		return dbsqlc.IcalFeed{}, "", err
	}
	token := NewToken()
	f, err := tx.q.ICalFeedInsert(ctx, tx, dbsqlc.ICalFeedInsertParams{FamilyID: family, MemberID: member, Name: name, TokenHash: HashToken(token), CreatedBy: tx.user()})
	return f, token, Err(err, "feed")
}

// ICalFeedList returns the family's feeds that are not revoked.
func (tx *Tx) ICalFeedList(ctx context.Context) ([]dbsqlc.IcalFeed, error) {
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	rows, err := tx.q.ICalFeedList(ctx, tx, family)
	return rows, Err(err, "")
}

// ICalFeedRevoke revokes a feed of the family: its URL answers 410 from now on.
func (tx *Tx) ICalFeedRevoke(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActCalendarFeedManage); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	n, err := tx.q.ICalFeedRevoke(ctx, tx, dbsqlc.ICalFeedRevokeParams{ID: id, FamilyID: family})
	return deleted(n, err, "feed")
}

// ICalFeedByToken returns the feed whose secret is token, revoked or not,
// and notes its use (at most every 5 minutes); an unknown token is not
// found. A revoked feed's use is noted too: the prune job keeps a revoked
// feed while an app still asks for it, so that the app keeps hearing 410
// Gone (stop asking) rather than 404 (jobs.md, prune-events).
func (s *Store) ICalFeedByToken(ctx context.Context, token string) (dbsqlc.IcalFeed, error) {
	f, err := s.Q.ICalFeedByToken(ctx, s.Pool, HashToken(token))
	if err != nil {
		return f, Err(err, "feed")
	}
	// Best effort: a failure to note the use does not refuse the poller.
	_ = s.Q.ICalFeedTouch(ctx, s.Pool, f.ID)
	return f, nil
}
