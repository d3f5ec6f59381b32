package notify

import (
	"context"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// What members do through the API: subscribe a device, change settings,
// ask for a test notice. Each runs in the request's transaction.

// Subscribe stores the browser's subscription for the caller's device
// (X-Device-ID) after checking that its endpoint is an outside URL. created
// is false when it was stored before.
func (s *Service) Subscribe(ctx context.Context, tx *db.Tx, p db.PushSubscriptionNew) (dbsqlc.PushSubscription, bool, error) {
	endpoint, err := s.cfg.CheckEndpoint(p.Endpoint)
	if err != nil {
		return dbsqlc.PushSubscription{}, false, err
	}
	p.Endpoint = endpoint
	return tx.PushSubscriptionSave(ctx, p)
}

// NtfyPatch sets the member's ntfy topic: URL, and Token (absent: keep the
// stored one; null or "": none).
type NtfyPatch struct {
	URL   string                     `json:"url"`
	Token familyhub.Optional[string] `json:"token"`
}

// UpdateSettings applies a PATCH of the caller's settings: p, and ntfy
// (null: off), whose URL is checked as an outside URL and whose token is
// sealed under the secret key. appURL is where the request came from
// (scheme://host), kept for ntfy's click URLs. Reminders due within the
// horizon are scheduled again at once (a new lead time takes effect).
//
// Scheduling them takes the family's cursor (ScheduleFamily), which a
// pass over the family or the schedule's scan of it may hold: the change
// waits for it, and for any other lock, at most SettingsLockWait
// (lock_timeout, for the rest of tx), and is then refused with
// errSettingsBusy, nothing saved, rather than keeping the member's request
// (and a connection of the pool) waiting for as long as the holder takes.
// Before, it waited without a bound.
func (s *Service) UpdateSettings(ctx context.Context, tx *db.Tx, p db.NotifySettingsPatch, ntfy familyhub.Optional[NtfyPatch], appURL string) (db.NotifySettings, error) {
	st, err := s.updateSettings(ctx, tx, p, ntfy, appURL)
	if db.LockTimedOut(err) {
		return st, errSettingsBusy
	}
	return st, err
}

// errSettingsBusy refuses a settings change that waited SettingsLockWait
// for a lock (UpdateSettings): nothing was saved, and saving again in a
// moment works.
var errSettingsBusy = familyhub.Errorf(familyhub.ECONFLICT, "Your family's reminders are being updated right now; nothing was saved. Save again in a moment.")

func (s *Service) updateSettings(ctx context.Context, tx *db.Tx, p db.NotifySettingsPatch, ntfy familyhub.Optional[NtfyPatch], appURL string) (db.NotifySettings, error) {
	a := tx.Auth()
	if a == nil || a.UserID == uuid.Nil {
		return db.NotifySettings{}, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first.")
	}
	// Before anything is locked: every wait of this change is bounded.
	if err := s.store.Q.NotifyLockTimeoutSet(ctx, tx, strconv.FormatInt(max(s.cfg.SettingsLockWait.Milliseconds(), 1), 10)); err != nil {
		return db.NotifySettings{}, db.Err(err, "")
	}
	if ntfy.Set {
		p.NtfyURL = familyhub.Optional[string]{Set: true, Null: ntfy.Null}
		if !ntfy.Null {
			u, err := s.cfg.CheckNtfyURL(ntfy.Value.URL)
			if err != nil {
				return db.NotifySettings{}, err
			}
			p.NtfyURL.Value = u
			if tok := ntfy.Value.Token; tok.Set {
				p.NtfyToken = familyhub.Optional[[]byte]{Set: true, Null: tok.Null || tok.Value == ""}
				if !p.NtfyToken.Null {
					if p.NtfyToken.Value, err = s.cfg.sealToken(a.UserID, tok.Value); err != nil {
						return db.NotifySettings{}, err
					}
				}
			}
		}
	}
	if appURL != "" {
		p.AppURL = &appURL
	}
	st, err := tx.NotifySettingsUpdate(ctx, p)
	if err != nil {
		return st, err
	}
	return st, s.ScheduleFamily(ctx, tx)
}

// Test notices a member may ask for in TestNoticeWindow (429 beyond).
const (
	MaxTestNotices   = 5
	TestNoticeWindow = 10 * time.Minute
)

// SendTest makes a test notice for the caller, to go out at once to all
// their channels, and returns its id. A member gets MaxTestNotices per
// TestNoticeWindow (ERATELIMITED beyond): each is a request to every one
// of their endpoints, which are outside URLs.
func (s *Service) SendTest(ctx context.Context, tx *db.Tx) (uuid.UUID, error) {
	a := tx.Auth()
	if a == nil || a.UserID == uuid.Nil {
		return uuid.Nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first.")
	}
	lock := dbsqlc.NotifyMemberLockParams{FamilyID: a.FamilyID, UserID: a.UserID}
	if _, err := s.store.Q.NotifyMemberLock(ctx, tx, lock); err != nil {
		return uuid.Nil, db.Err(err, "")
	}
	n, err := s.store.Q.NotifyTestNoticeCount(ctx, tx, dbsqlc.NotifyTestNoticeCountParams{
		FamilyID: a.FamilyID, UserID: a.UserID, Since: time.Now().Add(-TestNoticeWindow),
	})
	if err != nil {
		return uuid.Nil, db.Err(err, "")
	}
	if n >= MaxTestNotices {
		return uuid.Nil, familyhub.Errorf(familyhub.ERATELIMITED, "You sent %d test notifications in the last %d minutes; try again later.", MaxTestNotices, int(TestNoticeWindow.Minutes()))
	}
	return s.addNoticeID(ctx, tx, a.FamilyID, noticeNew{user: a.UserID, key: "test:" + uuid.NewString(), kind: "test", fire: s.now()})
}

// NoticeState is a notice as tests and operators look at it.
type NoticeState struct {
	Notice dbsqlc.NotifyNotice
	Sends  []dbsqlc.NotifySend
}

// Notice returns a notice and its sends.
func (s *Service) Notice(ctx context.Context, id uuid.UUID) (NoticeState, error) {
	var st NoticeState
	var err error
	if st.Notice, err = s.store.Q.NotifyNoticeGet(ctx, s.store.Pool, id); err != nil {
		return st, db.Err(err, "notice")
	}
	st.Sends, err = s.store.Q.NotifySendsOfNotice(ctx, s.store.Pool, id)
	return st, db.Err(err, "")
}
