package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Delivery, in two steps, each safe to repeat:
//
//  1. Decide (one transaction, the notice row locked): is it still true
//     (the task still open and due then, the member still wanting it), is
//     the member in quiet hours (then wait: DeferError), did one of their
//     devices see it live (list changes: then nothing is sent)? If it goes
//     out, its texts are fixed and one pending send per channel target
//     (each push subscription of the member, their ntfy topic) is written.
//  2. Send each pending target in its own transaction that holds the send
//     row locked during the request and records the answer: a replica that
//     dies mid-send leaves the row pending (its transaction rolls back) and
//     the rescued job sends it once; a send that was recorded is never
//     repeated.
//
// The one window left is a push service that accepted a message just
// before the replica died, before the commit: that message is sent again.
// It carries the same Topic (RFC 8030 §5.4: a push service replaces a
// pending message with the same topic) and tag (the device replaces the
// shown notification), so even then the member sees one notice.

// Deliver decides and sends notice id. It returns a *DeferError when the
// notice waits for the end of quiet hours, a *RetryError when a push
// service asked to retry later, nil when done (sent, or nothing to send).
func (s *Service) Deliver(ctx context.Context, id uuid.UUID) error {
	n, err := s.store.Q.NotifyNoticeGet(ctx, s.store.Pool, id)
	if noRow(err) {
		return nil // pruned, or its member or family deleted
	} else if err != nil {
		return db.Err(err, "")
	}
	if n.DecidedAt == nil {
		var until time.Time
		err := s.store.TxRetry(system(ctx, n.FamilyID), func(tx *db.Tx) error {
			until = time.Time{}
			cur, err := s.store.Q.NotifyNoticeLock(ctx, tx, id)
			if err != nil {
				return db.Err(err, "notice")
			}
			if cur.DecidedAt != nil {
				return nil
			}
			until, err = s.decide(ctx, tx, cur)
			return err
		})
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			return nil
		} else if err != nil {
			return err
		}
		if !until.IsZero() {
			return &DeferError{Until: until}
		}
	}
	return s.sendAll(ctx, id)
}

// decide settles a notice's fate; a non-zero time means it waits until then.
func (s *Service) decide(ctx context.Context, tx *db.Tx, n dbsqlc.NotifyNotice) (time.Time, error) {
	f, err := s.loadFamily(ctx, tx, n.FamilyID, true)
	if err != nil {
		return time.Time{}, err
	}
	now := s.now()
	m := f.byID[n.UserID]
	if m == nil {
		return time.Time{}, s.settle(ctx, tx, n.ID, "cancelled", nil) // no longer in the family
	}
	if n.SendAfter.After(now.Add(time.Second)) {
		return n.SendAfter, nil // woken early
	}
	if until, quiet := quietUntil(m, now.In(f.loc)); quiet {
		return until, db.Err(s.store.Q.NotifyNoticeDefer(ctx, tx, dbsqlc.NotifyNoticeDeferParams{ID: n.ID, SendAfter: until}), "")
	}
	msg, decision, err := s.compose(ctx, tx, f, m, n, now)
	if err != nil || decision != "send" {
		if err == nil {
			err = s.settle(ctx, tx, n.ID, decision, nil)
		}
		return time.Time{}, err
	}
	subs, err := s.store.Q.PushSubscriptionsOfMember(ctx, tx, dbsqlc.PushSubscriptionsOfMemberParams{FamilyID: f.id, UserID: m.UserID})
	if err != nil {
		return time.Time{}, db.Err(err, "")
	}
	if len(subs) == 0 && m.NtfyUrl == nil {
		return time.Time{}, s.settle(ctx, tx, n.ID, "no_channel", &msg)
	}
	if err := s.settle(ctx, tx, n.ID, "send", &msg); err != nil {
		return time.Time{}, err
	}
	for _, sub := range subs {
		err := s.store.Q.NotifySendInsert(ctx, tx, dbsqlc.NotifySendInsertParams{NoticeID: n.ID, Target: "push:" + sub.ID.String(), SubscriptionID: &sub.ID})
		if err != nil {
			return time.Time{}, db.Err(err, "")
		}
	}
	if m.NtfyUrl != nil {
		if err := s.store.Q.NotifySendInsert(ctx, tx, dbsqlc.NotifySendInsertParams{NoticeID: n.ID, Target: "ntfy"}); err != nil {
			return time.Time{}, db.Err(err, "")
		}
	}
	return time.Time{}, nil
}

func (s *Service) settle(ctx context.Context, tx *db.Tx, id uuid.UUID, decision string, msg *Message) error {
	var b []byte
	if msg != nil {
		var err error
		if b, err = json.Marshal(msg.clipped()); err != nil {
			return err
		}
	}
	return db.Err(s.store.Q.NotifyNoticeDecide(ctx, tx, dbsqlc.NotifyNoticeDecideParams{ID: id, Decision: &decision, Message: b}), "")
}

// quietUntil reports whether local time now lies in m's quiet hours, and
// when they end.
func quietUntil(m *dbsqlc.NotifyMemberSettingsListRow, now time.Time) (time.Time, bool) {
	if !m.QuietStart.Valid || !m.QuietEnd.Valid {
		return time.Time{}, false
	}
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
	at := func(d time.Time, us int64) time.Time {
		return time.Date(d.Year(), d.Month(), d.Day(), int(us/3600e6), int(us/60e6%60), 0, 0, now.Location())
	}
	start, end := m.QuietStart.Microseconds, m.QuietEnd.Microseconds
	for _, d := range []time.Time{day.AddDate(0, 0, -1), day} {
		from, to := at(d, start), at(d, end)
		if end <= start {
			to = at(d.AddDate(0, 0, 1), end)
		}
		if !now.Before(from) && now.Before(to) {
			return to, true
		}
	}
	return time.Time{}, false
}

// compose checks that notice n is still true for member m and returns what
// it says, or another decision: cancelled (stale), seen, empty.
func (s *Service) compose(ctx context.Context, tx *db.Tx, f *family, m *dbsqlc.NotifyMemberSettingsListRow, n dbsqlc.NotifyNotice, now time.Time) (Message, string, error) {
	local := now.In(f.loc)
	msg := Message{Kind: n.Kind}
	texts := func(fn func(lang string) Text) {
		msg.EN, msg.DE = fn("en"), fn("de")
	}
	switch n.Kind {
	case "test":
		msg.URL, msg.Tag = "/family", "test"
		texts(testText)
		return msg, "send", nil

	case "task":
		t, err := tx.TaskGet(ctx, *n.SubjectID)
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			return msg, "cancelled", nil
		} else if err != nil {
			return msg, "", err
		}
		due := taskDue(t)
		if t.CompletedAt != nil || due == nil || n.OccursAt == nil || !due.Equal(*n.OccursAt) || !m.TaskReminders ||
			!taskFire(m, *due).Equal(n.FireAt) || !slices.Contains(f.taskRecipients(t), m) {
			return msg, "cancelled", nil
		}
		msg.URL, msg.Tag = "/tasks?task="+t.ID.String(), "task:"+t.ID.String()
		texts(func(lang string) Text { return taskText(t.Title, due.In(f.loc), local, lang) })
		return msg, "send", nil

	case "event":
		e, err := tx.CalendarEventGet(ctx, *n.SubjectID)
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			return msg, "cancelled", nil
		} else if err != nil {
			return msg, "", err
		}
		if !m.CalendarReminders || n.OccursAt == nil {
			return msg, "cancelled", nil
		}
		occs, err := eventOccurrences(ctx, tx, f, e, *n.OccursAt, n.OccursAt.Add(time.Second))
		if err != nil {
			return msg, "", err
		}
		var occ *db.Occurrence
		for _, o := range occs {
			if o.Start.Equal(*n.OccursAt) && slices.ContainsFunc(eventFires(m, e, eventAlarms(e), o), n.FireAt.Equal) {
				occ = &o
				break
			}
		}
		if occ == nil {
			return msg, "cancelled", nil // moved, cancelled, or its alarm changed
		}
		start := occ.Start.In(f.loc)
		title, location, allDay := e.Title, e.Location, e.AllDay
		if ov := occ.Override; ov != nil { // a changed occurrence says what it is now
			title, location, allDay = ov.Title, ov.Location, ov.AllDay
		}
		msg.URL = fmt.Sprintf("/calendar?date=%s&event=%s", start.Format(time.DateOnly), e.ID)
		msg.Tag = fmt.Sprintf("event:%s:%d", e.ID, start.Unix())
		texts(func(lang string) Text { return eventText(title, location, start, local, allDay, lang) })
		return msg, "send", nil

	case "digest":
		return s.composeDigest(ctx, tx, f, m, n, msg)

	case "list":
		if !m.ListChanges || n.SubjectID == nil || (m.FollowedLists != nil && !slices.Contains(m.FollowedLists, *n.SubjectID)) {
			return msg, "cancelled", nil
		}
		l, err := tx.ShoppingListGet(ctx, *n.SubjectID)
		if familyhub.ErrorCode(err) == familyhub.ENOTFOUND {
			return msg, "cancelled", nil
		} else if err != nil {
			return msg, "", err
		}
		p, seen, err := s.listUnseen(ctx, tx, f, m, n, l.ID)
		if err != nil {
			return msg, "", err
		}
		if seen {
			return msg, "seen", nil
		}
		var actors []string
		for _, a := range p.Actors {
			if who := f.byID[a]; who != nil {
				actors = append(actors, who.DisplayName)
			} else {
				actors = nil // someone unknown took part: say it passively
				break
			}
		}
		msg.URL, msg.Tag = "/shopping/"+l.ID.String(), "list:"+l.ID.String()
		texts(func(lang string) Text { return listText(l.Name, actors, p.Count, p.Items, lang) })
		return msg, "send", nil
	}
	return msg, "cancelled", nil
}

// listUnseen returns what of list notice n member m's devices did not show
// live, and seen when they showed all of it. A socket on the list is sent
// its events in order, so what a device showed is every event up to a seq
// (NotifyPresenceListSeen): none of the notice's additions (its tally is
// told), all of them (nothing is), or its first ones, when the notice went
// on gathering after the device closed the list; then only the additions
// after the last one shown are told, read again from the event log. (The
// tally cannot say which of its additions came when: before, a device that
// showed the first live was pushed them again with the later ones.)
func (s *Service) listUnseen(ctx context.Context, tx *db.Tx, f *family, m *dbsqlc.NotifyMemberSettingsListRow, n dbsqlc.NotifyNotice, list uuid.UUID) (p listParams, seen bool, _ error) {
	if err := json.Unmarshal(n.Params, &p); err != nil {
		return p, false, fmt.Errorf("notice %s: %w", n.ID, err)
	}
	if n.LastSeq == nil {
		return p, false, nil
	}
	pr, err := s.store.Q.NotifyPresenceListSeen(ctx, tx, dbsqlc.NotifyPresenceListSeenParams{
		UserID: m.UserID, FamilyID: f.id, Now: s.now(), ListTopic: familyhub.TopicShoppingList + list.String(),
	})
	if err != nil {
		return p, false, db.Err(err, "")
	}
	if pr.Live || pr.SeenSeq >= *n.LastSeq {
		return p, true, nil
	}
	first, ok := listFirstSeq(n.Key)
	if !ok || pr.SeenSeq < first {
		return p, false, nil // none of its additions shown
	}
	// Its first additions were shown. The event log has the rest, unless
	// the prune took some (a notice held by quiet hours longer than the
	// log's retention): then the tally, as told before this was known.
	oldest, err := s.store.Q.NotifyEventLogOldest(ctx, tx, f.id)
	if err != nil {
		return p, false, db.Err(err, "")
	}
	if oldest > pr.SeenSeq+1 {
		return p, false, nil
	}
	adds, err := s.store.Q.NotifyListAdds(ctx, tx, dbsqlc.NotifyListAddsParams{
		FamilyID: f.id, ListID: list, After: pr.SeenSeq, Upto: *n.LastSeq, Type: familyhub.EventShoppingItemUpdated, UserID: m.UserID,
	})
	if err != nil {
		return p, false, db.Err(err, "")
	}
	var rest listParams
	for _, a := range adds {
		rest.add(a.ActorID, a.Name, a.Name != "")
	}
	return rest, rest.Count == 0, nil
}

// listFirstSeq returns the seq of a list notice's first addition, from its
// key (list:<list id>:<first seq>).
func listFirstSeq(key string) (int64, bool) {
	i := strings.LastIndexByte(key, ':')
	if i < 0 || !strings.HasPrefix(key, "list:") {
		return 0, false
	}
	seq, err := strconv.ParseInt(key[i+1:], 10, 64)
	return seq, err == nil
}

// composeDigest is the morning digest: the member's chores of the day (theirs
// and everyone's) and the family's events; nothing at all is "empty".
func (s *Service) composeDigest(ctx context.Context, tx *db.Tx, f *family, m *dbsqlc.NotifyMemberSettingsListRow, n dbsqlc.NotifyNotice, msg Message) (Message, string, error) {
	fs, err := s.store.Q.NotifyFamilySettingsGet(ctx, tx, f.id)
	if err != nil {
		return msg, "", db.Err(err, "")
	}
	if !m.Digest || n.OccursAt == nil {
		return msg, "cancelled", nil
	}
	day := familyhub.CivilDate(*n.OccursAt, f.loc)
	if !digestFire(day, int(fs.DigestHour), f.loc).Equal(n.FireAt) {
		return msg, "cancelled", nil // the hour changed: the new one has its own notice
	}
	tasks, err := tx.TaskList(ctx, db.TaskListParams{Day: &day, ReadOnly: true})
	if err != nil {
		return msg, "", err
	}
	var chores, events []digestItem
	for _, t := range tasks {
		if t.CompletedAt != nil || (t.AssigneeID != nil && *t.AssigneeID != m.UserID) {
			continue
		}
		var at *time.Time
		if d := taskDue(t); d != nil {
			l := d.In(f.loc)
			at = &l
		}
		chores = append(chores, digestItem{Title: t.Title, At: at})
	}
	start, end := familyhub.DayBounds(day, f.loc)
	occs, _, err := tx.CalendarOccurrences(ctx, start, end)
	if err != nil {
		return msg, "", err
	}
	for _, o := range occs {
		st := o.Start.In(f.loc)
		item := digestItem{Title: o.Event.Title, At: &st, AllDay: o.Event.AllDay}
		if o.Override != nil {
			item.Title, item.AllDay = o.Override.Title, o.Override.AllDay
		}
		events = append(events, item)
	}
	if len(chores)+len(events) == 0 {
		return msg, "empty", nil
	}
	msg.URL, msg.Tag = "/tasks", "digest:"+day.Format(time.DateOnly)
	msg.EN, msg.DE = digestText(events, chores, "en"), digestText(events, chores, "de")
	return msg, "send", nil
}

// sendAll sends a decided notice's pending targets.
func (s *Service) sendAll(ctx context.Context, id uuid.UUID) error {
	targets, err := s.store.Q.NotifySendPending(ctx, s.store.Pool, id)
	if err != nil {
		return db.Err(err, "")
	}
	var retry *RetryError
	for _, target := range targets {
		err := s.sendOne(ctx, id, target)
		var re *RetryError
		switch {
		case errors.As(err, &re):
			if retry == nil || re.After > retry.After {
				retry = re
			}
		case err != nil:
			return err
		}
	}
	if retry != nil {
		return retry
	}
	// A target held by another worker (a job rescued while the first
	// still ran) stays pending: look again later rather than drop it.
	if left, err := s.store.Q.NotifySendPending(ctx, s.store.Pool, id); err != nil {
		return db.Err(err, "")
	} else if len(left) > 0 {
		return &RetryError{After: 30 * time.Second, Err: fmt.Errorf("%d sends of notice %s still pending", len(left), id)}
	}
	return nil
}

// maxSendAttempts is when a target that keeps failing is given up.
const maxSendAttempts = 8

// sendOne sends one target of a notice, holding its row locked meanwhile.
func (s *Service) sendOne(ctx context.Context, id uuid.UUID, target string) error {
	var out error
	err := s.store.Tx(ctx, func(tx *db.Tx) error {
		row, err := s.store.Q.NotifySendLock(ctx, tx, dbsqlc.NotifySendLockParams{NoticeID: id, Target: target})
		if noRow(err) {
			return nil // sent meanwhile, or another worker has it
		} else if err != nil {
			return db.Err(err, "")
		}
		n, err := s.store.Q.NotifyNoticeGet(ctx, tx, id)
		if err != nil {
			return db.Err(err, "notice")
		}
		var msg Message
		if err := json.Unmarshal(n.Message, &msg); err != nil {
			return fmt.Errorf("notice %s: %w", id, err)
		}
		m, err := s.store.Q.NotifyMemberSettingsGet(ctx, tx, dbsqlc.NotifyMemberSettingsGetParams{UserID: n.UserID, FamilyID: n.FamilyID})
		if noRow(err) {
			return s.finish(ctx, tx, row, result{status: "failed", err: errors.New("member left the family")})
		} else if err != nil {
			return db.Err(err, "")
		}
		var res result
		switch {
		case target == "ntfy":
			res = s.sendNtfy(ctx, m, n, msg)
		case row.SubscriptionID == nil || row.Endpoint == "":
			res = result{status: "gone"}
		default:
			res = s.sendPush(ctx, row, m, n, msg)
		}
		if res.status == "pending" && int(row.Attempts)+1 >= maxSendAttempts {
			res.status = "failed"
		}
		if res.status == "pending" {
			out = &RetryError{After: res.retryAfter(int(row.Attempts)), Err: res.err}
		}
		return s.finish(ctx, tx, row, res)
	})
	if err != nil {
		return err
	}
	return out
}

// finish records the answer of a send, and what it says of the
// subscription (a gone one is deleted).
func (s *Service) finish(ctx context.Context, tx *db.Tx, row dbsqlc.NotifySendLockRow, res result) error {
	var errText *string
	if res.err != nil {
		t := clip(res.err.Error(), 500)
		errText = &t
	}
	err := s.store.Q.NotifySendFinish(ctx, tx, dbsqlc.NotifySendFinishParams{
		NoticeID: row.NoticeID, Target: row.Target, Status: res.status, LastError: errText,
	})
	if err != nil || row.SubscriptionID == nil {
		return db.Err(err, "")
	}
	switch res.status {
	case "sent":
		err = s.store.Q.PushSubscriptionSucceeded(ctx, tx, *row.SubscriptionID)
	case "gone":
		s.logger.Info("push subscription gone; deleted", "subscription_id", *row.SubscriptionID, "err", res.err)
		_, err = s.store.Q.PushSubscriptionGone(ctx, tx, *row.SubscriptionID)
	default:
		if errText != nil {
			err = s.store.Q.PushSubscriptionFailed(ctx, tx, dbsqlc.PushSubscriptionFailedParams{ID: *row.SubscriptionID, LastError: errText})
		}
	}
	return db.Err(err, "")
}
