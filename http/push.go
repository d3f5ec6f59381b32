package http

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
	"github.com/familyhub/familyhub/notify"
	"github.com/familyhub/familyhub/realtime"
)

// Notifications (docs/notifications.md): the VAPID key, a device's push
// subscription, a member's settings and a test notice. Sending is
// notify's; without a notifier (Config.Notify nil) these answer 404.

// mountPush adds the notification endpoints to the authenticated API router.
func (s *Server) mountPush(r chi.Router) {
	r.Get("/push/vapid-public-key", s.withNotify(s.handleVAPIDKey))
	r.Get("/push/subscriptions", s.withNotify(s.handlePushSubscriptionList))
	r.Post("/push/subscriptions", s.withNotify(s.handlePushSubscribe))
	r.Delete("/push/subscriptions/{id}", s.withNotify(s.deleteHandler("push subscription", (*db.Tx).PushSubscriptionDelete)))
	r.Get("/notifications/settings", s.withNotify(s.handleNotifySettingsGet))
	r.Patch("/notifications/settings", s.withNotify(s.handleNotifySettingsUpdate))
	r.Post("/notifications/test", s.withNotify(s.handleNotifyTest))
}

func (s *Server) withNotify(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s.cfg.Notify == nil {
			s.Error(w, r, familyhub.Errorf(familyhub.ENOTFOUND, "Notifications are not enabled on this server."))
			return
		}
		h(w, r)
	}
}

// pushTrack reports a realtime socket to notify's presence (nil without a
// notifier): that its device is live on its topics (and, once it closed,
// which events it was sent), so that no push repeats what it showed. The
// WebSocket and SSE transports call it once the connection's first
// messages are written, with what the client has then (realtime.Join.From:
// for a client resuming from behind its since, not the hello's seq, since
// the events between come after), then Seen per message written
// (shownSeq); a change of the socket's subscriptions is reported here.
// Long polls are not tracked: between two polls nothing is open. The
// transport calls the tracker's Close once it writes nothing more and
// has counted what it wrote, whoever closed the connection: not when the
// server asks for the close (session expired or revoked, too slow,
// shutdown), which ends the client's context while a batch it just wrote
// may still be uncounted.
func (s *Server) pushTrack(c *realtime.Client, from int64) *notify.Tracker {
	if s.cfg.Notify == nil {
		return nil
	}
	t := s.cfg.Notify.Presence().Track(c.FamilyID, c.UserID, c.DeviceID, from, c.Topics)
	if t != nil {
		c.OnTopics(t.TopicsChanged)
	}
	return t
}

// shownSeq is how far a message written to a socket brings what its
// device shows: an event's seq; a resync's seq (the client re-reads
// everything up to it: a resume whose since the log no longer holds, a
// topics message that could not go back), as a resync in the first
// messages counts from the hello; else 0 (nothing).
func shownSeq(m realtime.Message) int64 {
	if m.Seq != 0 {
		return m.Seq
	}
	seq, _ := m.ResyncSeq()
	return seq
}

func (s *Server) handleVAPIDKey(w http.ResponseWriter, r *http.Request) {
	key, err := s.cfg.Notify.VAPIDPublicKey(r.Context())
	s.respond(w, r, http.StatusOK, map[string]string{"key": key}, err)
}

// pushSubscriptionRequest is the browser's PushSubscription.toJSON().
type pushSubscriptionRequest struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"` // ignored: browsers renew by subscribing again
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

type pushSubscriptionJSON struct {
	ID            uuid.UUID  `json:"id"`
	DeviceID      string     `json:"device_id"`
	ThisDevice    bool       `json:"this_device"`
	Endpoint      string     `json:"endpoint"`
	UserAgent     string     `json:"user_agent"`
	CreatedAt     time.Time  `json:"created_at"`
	LastSuccessAt *time.Time `json:"last_success_at"`
	LastError     *string    `json:"last_error"`
}

func toPushSubscriptionJSON(p dbsqlc.PushSubscription, device string) pushSubscriptionJSON {
	return pushSubscriptionJSON{
		ID: p.ID, DeviceID: p.DeviceID, ThisDevice: device != "" && p.DeviceID == device, Endpoint: p.Endpoint,
		UserAgent: p.UserAgent, CreatedAt: p.CreatedAt.UTC(), LastSuccessAt: utcPtr(p.LastSuccessAt), LastError: p.LastError,
	}
}

func (s *Server) handlePushSubscribe(w http.ResponseWriter, r *http.Request) {
	var req pushSubscriptionRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var out pushSubscriptionJSON
	created := false
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		sub, isNew, err := s.cfg.Notify.Subscribe(r.Context(), tx, db.PushSubscriptionNew{
			Endpoint: req.Endpoint, P256dh: req.Keys.P256dh, Auth: req.Keys.Auth, UserAgent: r.UserAgent(),
		})
		out, created = toPushSubscriptionJSON(sub, authFrom(r).DeviceID), isNew
		return err
	})
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	s.respond(w, r, status, out, err)
}

func (s *Server) handlePushSubscriptionList(w http.ResponseWriter, r *http.Request) {
	var out []pushSubscriptionJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		subs, err := tx.PushSubscriptionList(r.Context())
		out = make([]pushSubscriptionJSON, len(subs))
		for i, p := range subs {
			out[i] = toPushSubscriptionJSON(p, authFrom(r).DeviceID)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, map[string]any{"subscriptions": out}, err)
}

// Settings.

type notifySettingsJSON struct {
	Member notifyMemberJSON `json:"member"`
	Family notifyFamilyJSON `json:"family"`
}

type notifyMemberJSON struct {
	Language            *string        `json:"language"`
	TaskReminders       bool           `json:"task_reminders"`
	TaskLeadMinutes     int32          `json:"task_lead_minutes"`
	CalendarReminders   bool           `json:"calendar_reminders"`
	CalendarLeadMinutes int32          `json:"calendar_lead_minutes"`
	Digest              bool           `json:"digest"`
	ListChanges         bool           `json:"list_changes"`
	FollowedLists       []uuid.UUID    `json:"followed_lists"`
	QuietHours          *db.QuietHours `json:"quiet_hours"`
	Ntfy                *ntfyJSON      `json:"ntfy"`
}

type ntfyJSON struct {
	URL      string `json:"url"`
	HasToken bool   `json:"has_token"`
}

type notifyFamilyJSON struct {
	DigestHour int16 `json:"digest_hour"`
}

func toNotifySettingsJSON(st db.NotifySettings) notifySettingsJSON {
	m := st.Member
	j := notifySettingsJSON{
		Member: notifyMemberJSON{
			Language: m.Language, TaskReminders: m.TaskReminders, TaskLeadMinutes: m.TaskLeadMinutes,
			CalendarReminders: m.CalendarReminders, CalendarLeadMinutes: m.CalendarLeadMinutes,
			Digest: m.Digest, ListChanges: m.ListChanges, FollowedLists: m.FollowedLists,
		},
		Family: notifyFamilyJSON{DigestHour: st.Family.DigestHour},
	}
	if m.QuietStart.Valid && m.QuietEnd.Valid {
		j.Member.QuietHours = &db.QuietHours{Start: db.FormatClock(m.QuietStart), End: db.FormatClock(m.QuietEnd)}
	}
	if m.NtfyUrl != nil {
		j.Member.Ntfy = &ntfyJSON{URL: *m.NtfyUrl, HasToken: len(m.NtfyTokenEnc) > 0}
	}
	return j
}

// notifySettingsPatch is a PATCH body: any subset of the GET's fields.
type notifySettingsPatch struct {
	Member struct {
		Language            familyhub.Optional[string]           `json:"language"`
		TaskReminders       familyhub.Optional[bool]             `json:"task_reminders"`
		TaskLeadMinutes     familyhub.Optional[int]              `json:"task_lead_minutes"`
		CalendarReminders   familyhub.Optional[bool]             `json:"calendar_reminders"`
		CalendarLeadMinutes familyhub.Optional[int]              `json:"calendar_lead_minutes"`
		Digest              familyhub.Optional[bool]             `json:"digest"`
		ListChanges         familyhub.Optional[bool]             `json:"list_changes"`
		FollowedLists       familyhub.Optional[[]uuid.UUID]      `json:"followed_lists"`
		QuietHours          familyhub.Optional[db.QuietHours]    `json:"quiet_hours"`
		Ntfy                familyhub.Optional[notify.NtfyPatch] `json:"ntfy"`
	} `json:"member"`
	Family struct {
		DigestHour familyhub.Optional[int] `json:"digest_hour"`
	} `json:"family"`
}

func (s *Server) handleNotifySettingsGet(w http.ResponseWriter, r *http.Request) {
	var out notifySettingsJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		st, err := tx.NotifySettingsGet(r.Context())
		out = toNotifySettingsJSON(st)
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleNotifySettingsUpdate(w http.ResponseWriter, r *http.Request) {
	var req notifySettingsPatch
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	m := req.Member
	p := db.NotifySettingsPatch{
		Language: m.Language, TaskReminders: m.TaskReminders, TaskLeadMinutes: m.TaskLeadMinutes,
		CalendarReminders: m.CalendarReminders, CalendarLeadMinutes: m.CalendarLeadMinutes, Digest: m.Digest,
		ListChanges: m.ListChanges, FollowedLists: m.FollowedLists, QuietHours: m.QuietHours,
		DigestHour: req.Family.DigestHour,
	}
	origin := "http://" + s.requestHost(r)
	if s.isHTTPS(r) {
		origin = "https://" + s.requestHost(r)
	}
	var out notifySettingsJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		st, err := s.cfg.Notify.UpdateSettings(r.Context(), tx, p, m.Ntfy, origin)
		out = toNotifySettingsJSON(st)
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleNotifyTest(w http.ResponseWriter, r *http.Request) {
	var id uuid.UUID
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		var err error
		id, err = s.cfg.Notify.SendTest(r.Context(), tx)
		return err
	})
	s.respond(w, r, http.StatusAccepted, map[string]any{"notice_id": id}, err)
}
