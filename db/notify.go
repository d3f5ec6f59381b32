package db

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Notification settings and push subscriptions: the member-facing writes of
// notifications (package notify sends; docs/notifications.md). Each is
// scoped to the calling member.

// Limits of notification settings.
const (
	MaxNotifyLeadMinutes   = 1440 // a day
	MaxNotifyFollowedLists = 200
	MaxNtfyURLLen          = 2048
	MaxPushEndpointLen     = 2048
)

// NotifySettings are a member's notification settings with their family's.
type NotifySettings struct {
	Member dbsqlc.NotifyMemberSetting
	Family dbsqlc.NotifyFamilySetting
}

// QuietHours is a daily span, "HH:MM" to "HH:MM" in the family's time zone;
// it wraps past midnight when End is not after Start.
type QuietHours struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// NotifySettingsPatch changes the present fields of a member's settings
// (and of the family's: DigestHour). Null clears the nullable ones:
// Language (the device's language), FollowedLists (every list),
// QuietHours (none), NtfyURL (no ntfy; its token goes with it).
type NotifySettingsPatch struct {
	Language            familyhub.Optional[string]
	TaskReminders       familyhub.Optional[bool]
	TaskLeadMinutes     familyhub.Optional[int]
	CalendarReminders   familyhub.Optional[bool]
	CalendarLeadMinutes familyhub.Optional[int]
	Digest              familyhub.Optional[bool]
	ListChanges         familyhub.Optional[bool]
	FollowedLists       familyhub.Optional[[]uuid.UUID]
	QuietHours          familyhub.Optional[QuietHours]
	// NtfyURL must have been checked by the caller (an outside address:
	// notify.Config.CheckNtfyURL); NtfyToken is the sealed token (null or
	// absent with a new URL: none; absent: kept).
	NtfyURL   familyhub.Optional[string]
	NtfyToken familyhub.Optional[[]byte]
	// AppURL is where the member uses the app from (scheme://host), kept
	// for the click URLs of ntfy notices; nil keeps it.
	AppURL     *string
	DigestHour familyhub.Optional[int]
}

// NotifySettingsGet returns the caller's notification settings.
func (tx *Tx) NotifySettingsGet(ctx context.Context) (NotifySettings, error) {
	a, err := tx.member()
	if err != nil {
		return NotifySettings{}, err
	}
	var s NotifySettings
	if err := tx.q.NotifyMemberSettingsEnsure(ctx, tx, dbsqlc.NotifyMemberSettingsEnsureParams{UserID: a.UserID, FamilyID: a.FamilyID}); err != nil {
		return s, Err(err, "")
	}
	if err := tx.q.NotifyFamilySettingsEnsure(ctx, tx, a.FamilyID); err != nil {
		return s, Err(err, "")
	}
	if s.Member, err = tx.q.NotifyMemberSettingsGet(ctx, tx, dbsqlc.NotifyMemberSettingsGetParams{UserID: a.UserID, FamilyID: a.FamilyID}); err != nil {
		return s, Err(err, "notification settings")
	}
	s.Family, err = tx.q.NotifyFamilySettingsGet(ctx, tx, a.FamilyID)
	return s, Err(err, "notification settings")
}

// NotifySettingsUpdate applies p to the caller's settings and returns them.
// Invalid values are EINVALID naming the field.
func (tx *Tx) NotifySettingsUpdate(ctx context.Context, p NotifySettingsPatch) (NotifySettings, error) {
	cur, err := tx.NotifySettingsGet(ctx)
	if err != nil {
		return cur, err
	}
	u, err := p.apply(cur.Member)
	if err != nil {
		return cur, err
	}
	if len(u.FollowedLists) > 0 {
		n, err := tx.q.NotifyListsCount(ctx, tx, dbsqlc.NotifyListsCountParams{FamilyID: cur.Member.FamilyID, Ids: u.FollowedLists})
		if err != nil {
			return cur, Err(err, "")
		}
		if int(n) != len(u.FollowedLists) {
			return cur, familyhub.Invalid("followed_lists", "followed_lists must name shopping lists of your family.")
		}
	}
	if cur.Member, err = tx.q.NotifyMemberSettingsUpdate(ctx, tx, u); err != nil {
		return cur, Err(err, "notification settings")
	}
	if p.DigestHour.Set {
		// The hour is the family's: a family setting (owners, as the
		// family's name and time zone).
		if err := tx.authorize(familyhub.ActFamilyUpdate); err != nil {
			return cur, err
		}
		if p.DigestHour.Null || p.DigestHour.Value < 0 || p.DigestHour.Value > 23 {
			return cur, familyhub.Invalid("digest_hour", "digest_hour must be an hour from 0 to 23.")
		}
		cur.Family, err = tx.q.NotifyFamilySettingsUpdate(ctx, tx, dbsqlc.NotifyFamilySettingsUpdateParams{
			FamilyID: cur.Family.FamilyID, DigestHour: int16(p.DigestHour.Value),
		})
		if err != nil {
			return cur, Err(err, "notification settings")
		}
	}
	return cur, nil
}

// apply returns the update of cur that p asks for, validated.
func (p *NotifySettingsPatch) apply(cur dbsqlc.NotifyMemberSetting) (dbsqlc.NotifyMemberSettingsUpdateParams, error) {
	u := dbsqlc.NotifyMemberSettingsUpdateParams{
		UserID: cur.UserID, FamilyID: cur.FamilyID, Language: cur.Language,
		TaskReminders: cur.TaskReminders, TaskLeadMinutes: cur.TaskLeadMinutes,
		CalendarReminders: cur.CalendarReminders, CalendarLeadMinutes: cur.CalendarLeadMinutes,
		Digest: cur.Digest, ListChanges: cur.ListChanges, FollowedLists: cur.FollowedLists,
		QuietStart: cur.QuietStart, QuietEnd: cur.QuietEnd,
		NtfyUrl: cur.NtfyUrl, NtfyTokenEnc: cur.NtfyTokenEnc, AppUrl: cur.AppUrl,
	}
	if p.Language.Set {
		u.Language = p.Language.Ptr()
		if u.Language != nil && *u.Language != "en" && *u.Language != "de" {
			return u, familyhub.Invalid("language", `language must be "en", "de" or null (the device's language).`)
		}
	}
	for _, b := range []struct {
		field string
		o     familyhub.Optional[bool]
		dst   *bool
	}{
		{"task_reminders", p.TaskReminders, &u.TaskReminders},
		{"calendar_reminders", p.CalendarReminders, &u.CalendarReminders},
		{"digest", p.Digest, &u.Digest},
		{"list_changes", p.ListChanges, &u.ListChanges},
	} {
		if b.o.Set {
			if b.o.Null {
				return u, familyhub.Invalid(b.field, "%s must be true or false.", b.field)
			}
			*b.dst = b.o.Value
		}
	}
	for _, l := range []struct {
		field string
		o     familyhub.Optional[int]
		dst   *int32
	}{
		{"task_lead_minutes", p.TaskLeadMinutes, &u.TaskLeadMinutes},
		{"calendar_lead_minutes", p.CalendarLeadMinutes, &u.CalendarLeadMinutes},
	} {
		if l.o.Set {
			if l.o.Null || l.o.Value < 0 || l.o.Value > MaxNotifyLeadMinutes {
				return u, familyhub.Invalid(l.field, "%s must be 0 to %d minutes.", l.field, MaxNotifyLeadMinutes)
			}
			*l.dst = int32(l.o.Value)
		}
	}
	if p.FollowedLists.Set {
		u.FollowedLists = nil
		if !p.FollowedLists.Null {
			if len(p.FollowedLists.Value) > MaxNotifyFollowedLists {
				return u, familyhub.Invalid("followed_lists", "followed_lists names at most %d lists.", MaxNotifyFollowedLists)
			}
			u.FollowedLists = dedupe(p.FollowedLists.Value)
		}
	}
	if p.QuietHours.Set {
		u.QuietStart, u.QuietEnd = pgtype.Time{}, pgtype.Time{}
		if !p.QuietHours.Null {
			var err error
			if u.QuietStart, err = ParseClock("quiet_hours.start", p.QuietHours.Value.Start); err != nil {
				return u, err
			}
			if u.QuietEnd, err = ParseClock("quiet_hours.end", p.QuietHours.Value.End); err != nil {
				return u, err
			}
			if u.QuietStart == u.QuietEnd {
				return u, familyhub.Invalid("quiet_hours", "quiet_hours must start and end at different times.")
			}
		}
	}
	if p.NtfyURL.Set {
		if p.NtfyURL.Null {
			u.NtfyUrl, u.NtfyTokenEnc = nil, nil
		} else {
			if err := ValidateText("ntfy.url", p.NtfyURL.Value, 1, MaxNtfyURLLen); err != nil {
				return u, err
			}
			u.NtfyUrl = &p.NtfyURL.Value
		}
	}
	if p.NtfyToken.Set {
		u.NtfyTokenEnc = nil
		if !p.NtfyToken.Null && len(p.NtfyToken.Value) > 0 {
			if u.NtfyUrl == nil {
				return u, familyhub.Invalid("ntfy.token", "An ntfy token needs an ntfy URL.")
			}
			u.NtfyTokenEnc = p.NtfyToken.Value
		}
	}
	if p.AppURL != nil && len(*p.AppURL) <= 512 {
		u.AppUrl = p.AppURL
	}
	return u, nil
}

func dedupe(ids []uuid.UUID) []uuid.UUID {
	seen := map[uuid.UUID]bool{}
	out := make([]uuid.UUID, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// ParseClock parses a time of day "HH:MM" (00:00 to 23:59).
func ParseClock(field, v string) (pgtype.Time, error) {
	t, err := time.Parse("15:04", v)
	if err != nil || len(v) != 5 {
		return pgtype.Time{}, familyhub.Invalid(field, "%s must be a time of day HH:MM, e.g. 22:00.", field)
	}
	return pgtype.Time{Microseconds: int64(t.Hour()*60+t.Minute()) * 60e6, Valid: true}, nil
}

// FormatClock returns t as "HH:MM" ("" when not valid).
func FormatClock(t pgtype.Time) string {
	if !t.Valid {
		return ""
	}
	m := t.Microseconds / 60e6
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// member returns the calling person: notification settings and push
// subscriptions are a member's own, not the system's.
func (tx *Tx) member() (*familyhub.Auth, error) {
	a, err := tx.caller()
	if err != nil {
		return nil, err
	}
	if a.UserID == uuid.Nil {
		return nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first.")
	}
	return a, nil
}

// PushSubscriptionNew is a browser's PushSubscription (its toJSON()), whose
// endpoint the caller has checked (notify.Config.CheckEndpoint).
type PushSubscriptionNew struct {
	Endpoint  string
	P256dh    string
	Auth      string
	UserAgent string
}

// Normalize checks the keys: keys.p256dh an uncompressed P-256 point and
// keys.auth a 16-byte secret, both base64url (padding and the standard
// alphabet are accepted and normalised away).
func (p *PushSubscriptionNew) Normalize() error {
	if err := ValidateText("endpoint", p.Endpoint, 1, MaxPushEndpointLen); err != nil {
		return err
	}
	var err error
	if p.P256dh, err = normalizeKey("keys.p256dh", p.P256dh, 65); err != nil {
		return err
	}
	if p.Auth, err = normalizeKey("keys.auth", p.Auth, 16); err != nil {
		return err
	}
	if len(p.UserAgent) > 512 {
		p.UserAgent = p.UserAgent[:512]
	}
	return nil
}

func normalizeKey(field, v string, n int) (string, error) {
	v = strings.TrimRight(strings.NewReplacer("+", "-", "/", "_").Replace(strings.TrimSpace(v)), "=")
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) != n || (n == 65 && b[0] != 4) {
		return "", familyhub.Invalid(field, "%s is not a valid key of a push subscription.", field)
	}
	return v, nil
}

// PushSubscriptionSave stores a subscription for the caller's device (the
// request's X-Device-ID; without one, "session:<session id>") and session,
// and returns it; created is
// false when the browser had subscribed this endpoint before. A device
// keeps one subscription: its older ones are deleted; and a member keeps
// MaxPushSubscriptionsPerMember: beyond, the least recently saved go.
func (tx *Tx) PushSubscriptionSave(ctx context.Context, p PushSubscriptionNew) (sub dbsqlc.PushSubscription, created bool, err error) {
	a, err := tx.member()
	if err != nil {
		return sub, false, err
	}
	device := a.DeviceID
	if device == "" && a.SessionID != uuid.Nil {
		device = "session:" + a.SessionID.String() // a client without device ids: its session is its device
	}
	if device == "" {
		return sub, false, familyhub.Invalid("X-Device-ID", "Send the device's id in the X-Device-ID header: a subscription belongs to one device.")
	}
	if err := p.Normalize(); err != nil {
		return sub, false, err
	}
	var session *uuid.UUID
	if a.SessionID != uuid.Nil {
		session = &a.SessionID
	}
	// Saves of one member run one at a time, so that each trim sees the
	// others' rows: two at once would each keep the other's and leave
	// one more than the bound.
	if err := tx.limitLock(ctx, limitPush, a.UserID); err != nil {
		return sub, false, err
	}
	row, err := tx.q.PushSubscriptionUpsert(ctx, tx, dbsqlc.PushSubscriptionUpsertParams{
		FamilyID: a.FamilyID, UserID: a.UserID, SessionID: session, DeviceID: device,
		Endpoint: p.Endpoint, P256dh: p.P256dh, Auth: p.Auth, UserAgent: p.UserAgent,
	})
	if err != nil {
		return sub, false, Err(err, "push subscription")
	}
	if _, err := tx.q.PushSubscriptionDeleteOthersOfDevice(ctx, tx, dbsqlc.PushSubscriptionDeleteOthersOfDeviceParams{
		UserID: a.UserID, DeviceID: device, KeepID: row.ID,
	}); err != nil {
		return sub, false, Err(err, "")
	}
	if _, err := tx.q.PushSubscriptionTrim(ctx, tx, dbsqlc.PushSubscriptionTrimParams{
		FamilyID: a.FamilyID, UserID: a.UserID, KeepID: row.ID, OthersKept: MaxPushSubscriptionsPerMember - 1,
	}); err != nil {
		return sub, false, Err(err, "")
	}
	sub = dbsqlc.PushSubscription{
		ID: row.ID, FamilyID: row.FamilyID, UserID: row.UserID, SessionID: row.SessionID, DeviceID: row.DeviceID,
		Endpoint: row.Endpoint, P256dh: row.P256dh, Auth: row.Auth, UserAgent: row.UserAgent,
		LastSuccessAt: row.LastSuccessAt, LastError: row.LastError, LastErrorAt: row.LastErrorAt,
		CreatedAt: row.CreatedAt, UpdatedAt: row.UpdatedAt,
	}
	return sub, row.Inserted, nil
}

// PushSubscriptionList returns the caller's subscriptions (all devices).
func (tx *Tx) PushSubscriptionList(ctx context.Context) ([]dbsqlc.PushSubscription, error) {
	a, err := tx.member()
	if err != nil {
		return nil, err
	}
	subs, err := tx.q.PushSubscriptionList(ctx, tx, dbsqlc.PushSubscriptionListParams{FamilyID: a.FamilyID, UserID: a.UserID})
	return subs, Err(err, "")
}

// PushSubscriptionDelete deletes one of the caller's subscriptions; anyone
// else's is not found.
func (tx *Tx) PushSubscriptionDelete(ctx context.Context, id uuid.UUID) error {
	a, err := tx.member()
	if err != nil {
		return err
	}
	n, err := tx.q.PushSubscriptionDelete(ctx, tx, dbsqlc.PushSubscriptionDeleteParams{ID: id, FamilyID: a.FamilyID, UserID: a.UserID})
	return deleted(n, err, "push subscription")
}

// PushVAPIDKeys returns the server's VAPID key pair (base64url public
// point, private scalar), making it with generate when there is none yet.
// Replicas starting together race safely: every one stores its own pair
// only if the table is empty, then all read the one that won.
func (s *Store) PushVAPIDKeys(ctx context.Context, generate func() (public, private string, err error)) (public, private string, err error) {
	k, err := s.Q.PushVAPIDKeyGet(ctx, s.Pool)
	if err == nil {
		return k.PublicKey, k.PrivateKey, nil
	}
	if !isNoRows(err) {
		return "", "", Err(err, "")
	}
	pub, priv, err := generate()
	if err != nil {
		return "", "", err
	}
	if err := s.Q.PushVAPIDKeyInsert(ctx, s.Pool, dbsqlc.PushVAPIDKeyInsertParams{PublicKey: pub, PrivateKey: priv}); err != nil {
		return "", "", Err(err, "")
	}
	k, err = s.Q.PushVAPIDKeyGet(ctx, s.Pool)
	if err != nil {
		return "", "", Err(err, "VAPID key")
	}
	return k.PublicKey, k.PrivateKey, nil
}

// DeviceSeen is what one device's realtime sockets on one replica were
// sent: the highest event seq, the topics they listen to (nil: every
// event) and until when the device counts as live there (now, when its
// last socket closed).
type DeviceSeen struct {
	FamilyID, UserID uuid.UUID
	DeviceID         string
	Seq              int64
	Topics           []string
	LiveUntil        time.Time
}

// DevicesRewound lowers the seq recorded for every device of each family
// (families[i], every replica's row) to at most seqs[i], in one statement:
// the family's database went back and writes new events under the seqs
// the devices were sent (notify.Presence.Rewound).
func (s *Store) DevicesRewound(ctx context.Context, families []uuid.UUID, seqs []int64) error {
	return Err(s.Q.NotifyPresenceRewind(ctx, s.Pool, dbsqlc.NotifyPresenceRewindParams{FamilyIds: families, Seqs: seqs}), "")
}

// DevicesLive returns the keys of the replica's rows of the families that
// are live at now, of all its families when families is nil (notify.Presence
// puts back those a restore lost).
func (s *Store) DevicesLive(ctx context.Context, replica uuid.UUID, now time.Time, families []uuid.UUID) ([]DevicePresenceKey, error) {
	var keys []DevicePresenceKey
	if families == nil {
		rows, err := s.Q.NotifyPresenceLiveRowsAll(ctx, s.Pool, dbsqlc.NotifyPresenceLiveRowsAllParams{Replica: replica, Now: now})
		for _, r := range rows {
			keys = append(keys, DevicePresenceKey{UserID: r.UserID, DeviceID: r.DeviceID})
		}
		return keys, Err(err, "")
	}
	rows, err := s.Q.NotifyPresenceLiveRows(ctx, s.Pool, dbsqlc.NotifyPresenceLiveRowsParams{Replica: replica, Now: now, FamilyIds: families})
	for _, r := range rows {
		keys = append(keys, DevicePresenceKey{UserID: r.UserID, DeviceID: r.DeviceID})
	}
	return keys, Err(err, "")
}

// DeviceLiveUntil returns the live_until of the replica's row of a device,
// whether there is one, and whether its member is still in the family
// (notify.Presence's canary: a row gone with its family or account ended,
// the database did not go back).
func (s *Store) DeviceLiveUntil(ctx context.Context, replica, familyID uuid.UUID, k DevicePresenceKey) (until time.Time, found, member bool, err error) {
	r, err := s.Q.NotifyPresenceRowLiveUntil(ctx, s.Pool, dbsqlc.NotifyPresenceRowLiveUntilParams{UserID: k.UserID, DeviceID: k.DeviceID, Replica: replica, FamilyID: familyID})
	if err != nil {
		return time.Time{}, false, false, Err(err, "")
	}
	if r.LiveUntil == nil {
		return time.Time{}, false, r.Member, nil
	}
	return *r.LiveUntil, true, r.Member, nil
}

// DevicePresenceKey names a device's presence row of a replica.
type DevicePresenceKey struct {
	UserID   uuid.UUID
	DeviceID string
}

// DevicesRefresh keeps the replica's rows that are live at now and would
// stop being live before due live until liveUntil, in one statement, and
// returns how many it refreshed. A replica refreshes so its devices that
// have nothing new to write (docs/notifications.md, "Presence"). The rows
// of such devices whose member left the family are ended instead (not
// live from now), and named in former: not a row lost.
func (s *Store) DevicesRefresh(ctx context.Context, replica uuid.UUID, now, due, liveUntil time.Time) (refreshed int64, former []DevicePresenceKey, err error) {
	r, err := s.Q.NotifyPresenceRefresh(ctx, s.Pool, dbsqlc.NotifyPresenceRefreshParams{Replica: replica, Now: now, Due: due, LiveUntil: liveUntil})
	if err != nil {
		return 0, nil, Err(err, "")
	}
	for i := range min(len(r.FormerUserIds), len(r.FormerDeviceIds)) {
		former = append(former, DevicePresenceKey{UserID: r.FormerUserIds[i], DeviceID: r.FormerDeviceIds[i]})
	}
	return r.Refreshed, former, nil
}

// DevicesSeen records a batch of DeviceSeen of one replica (its own row
// per device) in one statement; the seq of a device only grows, but never
// past the family's seq in the database (after a restore or failover that
// lost events, queries/notify.sql). Devices of people no longer in the
// family are skipped, and returned in skipped (so are those of a family
// deleted). Notifications read it to send nothing to a member who saw a
// change live (docs/notifications.md, "Presence").
func (s *Store) DevicesSeen(ctx context.Context, replica uuid.UUID, seen []DeviceSeen) (skipped []DevicePresenceKey, err error) {
	if len(seen) == 0 {
		return nil, nil
	}
	// One row per device (an upsert may not touch a row twice), in key
	// order (replicas writing the same devices lock them in one order):
	// sorted (stable: a device's rows keep their order) and merged, in
	// one slice sized once. A map and its keys, grown entry by entry,
	// were most of an idle replica's garbage (its presence refreshes).
	rows := make([]DeviceSeen, 0, len(seen))
	for _, d := range seen {
		if d.UserID != uuid.Nil && d.DeviceID != "" {
			rows = append(rows, d)
		}
	}
	slices.SortStableFunc(rows, func(a, b DeviceSeen) int {
		if c := bytes.Compare(a.UserID[:], b.UserID[:]); c != 0 {
			return c
		}
		return strings.Compare(a.DeviceID, b.DeviceID)
	})
	keys := rows[:0]
	for _, d := range rows {
		if n := len(keys); n > 0 && keys[n-1].UserID == d.UserID && keys[n-1].DeviceID == d.DeviceID {
			prev := keys[n-1]
			d.Seq = max(d.Seq, prev.Seq)
			if prev.LiveUntil.After(d.LiveUntil) {
				d.LiveUntil, d.Topics = prev.LiveUntil, prev.Topics
			}
			keys[n-1] = d
			continue
		}
		keys = append(keys, d)
	}
	n := len(keys)
	p := dbsqlc.NotifyPresenceUpsertParams{Replica: replica,
		UserIds: make([]uuid.UUID, 0, n), DeviceIds: make([]string, 0, n), FamilyIds: make([]uuid.UUID, 0, n),
		Seqs: make([]int64, 0, n), Topics: make([]string, 0, n), LiveUntil: make([]time.Time, 0, n)}
	for _, d := range keys {
		p.UserIds = append(p.UserIds, d.UserID)
		p.DeviceIds = append(p.DeviceIds, d.DeviceID)
		p.FamilyIds = append(p.FamilyIds, d.FamilyID)
		p.Seqs = append(p.Seqs, d.Seq)
		p.Topics = append(p.Topics, strings.Join(d.Topics, ","))
		p.LiveUntil = append(p.LiveUntil, d.LiveUntil)
	}
	if len(p.UserIds) == 0 {
		return nil, nil
	}
	written, err := s.Q.NotifyPresenceUpsert(ctx, s.Pool, p)
	if err != nil {
		return nil, Err(err, "")
	}
	if len(written) == len(keys) {
		return nil, nil
	}
	// Some were not written (rare: a removed member's open socket): only
	// then is a set made.
	done := make(map[DevicePresenceKey]struct{}, len(written))
	for _, w := range written {
		done[DevicePresenceKey{UserID: w.UserID, DeviceID: w.DeviceID}] = struct{}{}
	}
	for _, d := range keys {
		k := DevicePresenceKey{UserID: d.UserID, DeviceID: d.DeviceID}
		if _, ok := done[k]; !ok {
			skipped = append(skipped, k)
		}
	}
	return skipped, nil
}
