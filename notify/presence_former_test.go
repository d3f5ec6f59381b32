package notify

import (
	"context"
	"testing"
	"time"
)

// TestPresenceFormerMemberNotKeptLive: Ben is removed from the family
// while his phone's socket is open; it then closes. Its not-live write is
// not made (the upsert writes members' rows only), so the row is left as
// the phone's last live write. The refresh statement, run for Ana's live
// laptop, extended every live row of the replica, this one too: the phone
// stayed live as long as the replica ran, long after its socket closed,
// and (were Ben added back) his notices were held as seen live; the extra
// row also hid a lost one from the refresh's count (putBack). Now the
// refresh extends members' rows only: the phone's row expires.
func TestPresenceFormerMemberNotKeptLive(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	phone := e.laptopAndPhone(p)
	e.removeBen()
	phone.Close()
	p.flush(ctx, false) // the phone's not-live write: not made
	for range 4 {       // past PresenceTTL: the laptop refreshed each time
		e.refreshPast(p)
	}
	now := e.clock.Now()
	if r := e.presenceRow(e.ana, "laptop-a"); !r.live.After(now) {
		t.Errorf("the laptop, open: live until %v, want after %v", r.live, now)
	}
	if r := e.presenceRow(e.ben, "phone-b"); r.live.After(now) {
		t.Errorf("the phone of a former member, closed %v ago: live until %v (now %v)", 4*(e.s.cfg.PresenceTTL/3+time.Second), r.live, now)
	}
}

// TestPresenceFormerMemberOpenSocketNotALoss: Ben is removed from the
// family while his phone's socket is still open (the removal's notice
// closes it within moments; here it stays open). At the phone's refresh,
// its row is ended, not extended (its member left, so it is not live in
// the family), and the replica does not take it for a row the database
// lost: no "restore or failover?" warning and no read of every live row,
// refresh after refresh. Before, each refresh the phone was due for
// (about every PresenceTTL/3) counted it as missing. A row really lost
// (Ana's laptop's) is still found and put back.
func TestPresenceFormerMemberOpenSocketNotALoss(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	e.laptopAndPhone(p)
	e.removeBen()
	e.formerPhoneNotALoss(p, 4) // past PresenceTTL, a refresh each time
	e.exec(`DELETE FROM notify_device_presence WHERE device_id = 'laptop-a'`)
	e.refreshPast(p)                     // found by the refresh, or by the probe of the last row written
	p.flush(context.Background(), false) // and put back
	if r := e.presenceRows(e.ana, "laptop-a"); len(r) != 1 || !r[0].live.After(e.clock.Now()) {
		t.Errorf("the laptop's lost row was not found and put back: %+v", r)
	}
}

// TestPresenceFormerMemberEndedOnTheReplicasClock: the replica's clock is
// two minutes behind the database server's. Ben is removed while his phone's
// socket is open; its refresh ends the row, then the removal closes the
// socket (its not-live write is not made: he is no member), and Ben is
// added back. The row is ended at the replica's now, the clock every
// presence statement compares with: not live at the refresh's now, and not
// found live by the next refresh, which would extend it (he is a member
// again) and keep a closed phone live as long as the replica ran. Before,
// the row was ended at the server's now() (or kept, were its live_until
// before that): live for the replica up to the skew longer, and
// resurrected by the laptop's next refresh.
func TestPresenceFormerMemberEndedOnTheReplicasClock(t *testing.T) {
	e := newEnv(t, Config{})
	e.clock.Set(e.clock.Now().Add(-2 * time.Minute))
	p := e.s.Presence()
	ctx := context.Background()
	phone := e.laptopAndPhone(p)
	e.removeBen()
	e.refreshPast(p) // the refresh: the phone's row ended
	now := e.clock.Now()
	if r := e.presenceRow(e.ben, "phone-b"); r.live.After(now) {
		t.Errorf("the phone of a former member after its refresh: live until %v (the replica's now %v)", r.live, now)
	}
	phone.Close()
	p.flush(ctx, false)
	e.exec(`INSERT INTO memberships (family_id, user_id) VALUES ($1, $2)`, e.family, e.ben)
	for i := range 3 { // the laptop's refreshes
		e.refreshPast(p)
		now := e.clock.Now()
		if r := e.presenceRow(e.ana, "laptop-a"); !r.live.After(now) {
			t.Errorf("refresh %d: the laptop, open: live until %v, want after %v", i+1, r.live, now)
		}
		if r := e.presenceRow(e.ben, "phone-b"); r.live.After(now) {
			t.Errorf("refresh %d: the phone, closed, of a member added back: live until %v (now %v)", i+1, r.live, now)
		}
	}
}

// TestPresenceFormerMemberLetInAgainWrittenLive: Ben is removed while his
// phone's socket is open, and its refresh ends the row; then he is added
// back before the removal closed the socket (the removal's notice was
// lost with the listener's connection, and the hub's re-check found him
// a member again: the socket stays). A PresenceTTL after its row ended,
// the phone, still open, is written live again. Before, it stayed a
// former member's device as long as the socket was open: never written
// nor refreshed, counted as not live, his notices pushed to the phone he
// was looking at.
func TestPresenceFormerMemberLetInAgainWrittenLive(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	e.laptopAndPhone(p)
	e.removeBen()
	e.refreshPast(p) // the refresh: the phone's row ended
	if r := e.presenceRow(e.ben, "phone-b"); r.live.After(e.clock.Now()) {
		t.Fatalf("the phone of a former member after its refresh: live until %v", r.live)
	}
	e.exec(`INSERT INTO memberships (family_id, user_id) VALUES ($1, $2)`, e.family, e.ben)
	for range 4 { // past PresenceTTL
		e.refreshPast(p)
	}
	now := e.clock.Now()
	if r := e.presenceRow(e.ben, "phone-b"); !r.live.After(now) {
		t.Errorf("the phone, open, of a member let in again: live until %v, want after %v", r.live, now)
	}
	if r := e.presenceRow(e.ana, "laptop-a"); !r.live.After(now) {
		t.Errorf("the laptop, open: live until %v, want after %v", r.live, now)
	}
}

// TestPresenceFormerMemberStillOpenNotALoss: Ben is removed while his
// phone's socket is open, and nothing closes it (the removal's notice was
// lost, and the hub's periodic re-check is off: RecheckEvery < 0). A
// PresenceTTL after its row ended the phone is taken for a member let in
// again and written, but the upsert writes members' rows only: it is
// still a former member's device, and no refresh after that takes its
// missing row for one the database lost. Before, the phone was counted as
// written live, and its next refresh (every PresenceTTL/3 or so) warned of
// "a restore or failover?" and read every live row of the replica.
func TestPresenceFormerMemberStillOpenNotALoss(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	e.laptopAndPhone(p)
	e.removeBen()
	e.formerPhoneNotALoss(p, 10) // past three PresenceTTLs, a refresh each time
}
