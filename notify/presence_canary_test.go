package notify

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// TestPresenceCanaryFindsRestoredClosedDevice: Ben's phone closed and was
// written not live; then a restore into the running server from a backup
// taken before that write (after its last live write) has the phone live
// again, for up to PresenceTTL, though no socket of it is open. The
// replica's probe of the row it wrote last finds it live and warns of a
// restore. Before, the not-live write ended the canary (or left it on
// another row, which the restore had as written): nothing was seen. A
// closed row read back as written is no alarm, its nanoseconds cut to
// PostgreSQL's microseconds, for all the PresenceTTL it is probed; then
// the row last written live, if still live, is the canary again.
func TestPresenceCanaryFindsRestoredClosedDevice(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	step := func() { // a flush later; no refresh due
		e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
		p.flush(ctx, false)
	}
	e.clock.Set(e.clock.Now().Add(123456789 * time.Nanosecond))
	phone := e.laptopAndPhone(p)
	backup := e.presenceRow(e.ben, "phone-b").live // as the backup has it
	phone.Close()
	step() // the phone written not live: the canary
	if r := e.presenceRow(e.ben, "phone-b"); r.live.After(e.clock.Now()) {
		t.Fatalf("the closed phone's row: live until %v (now %v)", r.live, e.clock.Now())
	}
	// Nothing restored: the closed row, as written, is no alarm while it
	// is the canary, nor the laptop's live row after.
	for i := range 4 { // past PresenceTTL
		e.refreshPast(p)
		if e.suspected(p) {
			t.Fatalf("refresh %d: nothing lost, but the replica suspects a restore", i+1)
		}
	}
	p.flushMu.Lock()
	c := p.canary
	p.flushMu.Unlock()
	if c.closed || c.key == (db.DevicePresenceKey{UserID: e.ben, DeviceID: "phone-b"}) {
		t.Fatalf("canary past PresenceTTL after the phone's close: %+v, want the row last written live (the laptop's) or none", c)
	}

	// Again, and now the restore.
	phone = p.Track(e.family, e.ben, "phone-b", 0, nil)
	step()
	backup = e.presenceRow(e.ben, "phone-b").live
	phone.Close()
	step()
	e.exec(`UPDATE notify_device_presence SET live_until = $1 WHERE user_id = $2 AND device_id = 'phone-b'`, backup, e.ben)
	step()
	if !e.suspected(p) {
		t.Errorf("the closed phone restored live until %v (now %v): no restore suspected", backup, e.clock.Now())
	}
}

// TestPresenceCanaryFindsOlderRow: a restore into the running server from
// a backup taken before the replica's last live write (Ben's phone,
// written again for new topics) has the row live, but until earlier than
// written. The probe takes that for a restore, as it does a row gone.
func TestPresenceCanaryFindsOlderRow(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	phone := e.laptopAndPhone(p)
	backup := e.presenceRow(e.ben, "phone-b").live
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	phone.TopicsChanged()
	p.flush(ctx, false) // the phone written again: the canary
	if r := e.presenceRow(e.ben, "phone-b"); !r.live.After(backup) {
		t.Fatalf("the phone written again live until %v, not after %v", r.live, backup)
	}
	if e.suspected(p) {
		t.Fatal("nothing lost, but the replica suspects a restore")
	}
	e.exec(`UPDATE notify_device_presence SET live_until = $1 WHERE user_id = $2 AND device_id = 'phone-b'`, backup, e.ben)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	p.flush(ctx, false)
	if !e.suspected(p) {
		t.Error("the canary row restored live until earlier than written: no restore suspected")
	}
}

// restoreClosedPhone closes Ben's phone (written not live: the canary)
// and then has a restore from a backup taken before that write bring its
// row back live; it returns the live_until the restore left.
func (e *env) restoreClosedPhone(p *Presence) time.Time {
	e.t.Helper()
	phone := e.laptopAndPhone(p)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	p.flush(context.Background(), false)
	backup := e.presenceRow(e.ben, "phone-b").live
	phone.Close()
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	p.flush(context.Background(), false) // written not live: the canary
	e.exec(`UPDATE notify_device_presence SET live_until = $1 WHERE user_id = $2 AND device_id = 'phone-b'`, backup, e.ben)
	return backup
}

// TestPresenceCanaryEndsRestoredClosedDevice: the probe that finds Ben's
// closed phone restored live also ends its row, at once: the phone is not
// online, and a list change is pushed to it. Before, the row was found
// but left live until the backup's live_until (up to PresenceTTL): the
// phone counted as showing every change, and was pushed none.
func TestPresenceCanaryEndsRestoredClosedDevice(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	backup := e.restoreClosedPhone(p)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	p.flush(context.Background(), false)
	if !e.suspected(p) {
		t.Fatal("the closed phone restored live: no restore suspected")
	}
	now := e.clock.Now()
	if !backup.After(now) {
		t.Fatalf("test setup: the restored row is live until %v, not after now %v", backup, now)
	}
	if r := e.presenceRow(e.ben, "phone-b"); r.live.After(now) {
		t.Errorf("the closed phone restored live: still live until %v (now %v)", r.live, now)
	}
	if r := e.presenceRow(e.ana, "laptop-a"); !r.live.After(now) {
		t.Errorf("the open laptop: live until %v, want after %v", r.live, now)
	}
}

// TestPresenceCanaryKeepsReconnectedDevice: Ben's phone, closed and
// restored live, opens a socket again before the probe finds the restore.
// Its row must end up live: the end is for a closed device only, and the
// phone is really live again. And the statement ends only the row as the
// probe read it: a row written since (live until later) is left.
func TestPresenceCanaryKeepsReconnectedDevice(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	backup := e.restoreClosedPhone(p)
	p.Track(e.family, e.ben, "phone-b", 0, nil)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	p.flush(context.Background(), false)
	if !e.suspected(p) {
		t.Fatal("the closed phone restored live: no restore suspected")
	}
	now := e.clock.Now()
	if r := e.presenceRow(e.ben, "phone-b"); !r.live.After(now) {
		t.Errorf("the phone, open again: live until %v, want after %v", r.live, now)
	}

	// The statement itself: the row read live until backup, written since.
	written := e.presenceRow(e.ben, "phone-b").live
	n, err := e.s.store.Q.NotifyPresenceRowEnd(context.Background(), e.pool, dbsqlc.NotifyPresenceRowEndParams{
		Now: now, UserID: e.ben, DeviceID: "phone-b", Replica: p.replica, Restored: backup,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r := e.presenceRow(e.ben, "phone-b"); n != 0 || !r.live.Equal(written) {
		t.Errorf("ending the row as read before: %d rows ended, live until %v, want 0 and %v", n, r.live, written)
	}
}

// TestPresencePruneKeepsClosedCanary: with Retention (1m) shorter than
// PresenceTTL (90s), the prune 70 s after Ben's phone closed must leave
// its row, the replica's canary, probed for PresenceTTL after its write:
// deleted, the probe read it as lost to a restore and warned, with a
// read of every live row. Past 2*PresenceTTL the prune takes it.
func TestPresencePruneKeepsClosedCanary(t *testing.T) {
	e := newEnv(t, Config{Retention: time.Minute})
	e.realClock() // the prune compares live_until with the database's now()
	p := e.s.Presence()
	ctx := context.Background()
	phone := e.laptopAndPhone(p)
	phone.Close()
	p.flush(ctx, false) // written not live: the canary
	e.clock.Set(e.clock.Now().Add(70 * time.Second))
	if err := e.s.prunePresence(ctx); err != nil {
		t.Fatal(err)
	}
	p.flush(ctx, false) // the probe
	if e.suspected(p) {
		t.Error("the prune with a short Retention: the closed canary taken for a restore's loss")
	}
	if n := len(e.presenceRows(e.ben, "phone-b")); n != 1 {
		t.Errorf("the closed phone's row: %d rows after the prune, want 1", n)
	}
	e.clock.Set(e.clock.Now().Add(2 * e.s.cfg.PresenceTTL))
	if err := e.s.prunePresence(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(e.presenceRows(e.ben, "phone-b")); n != 0 {
		t.Errorf("the closed phone's row past 2*PresenceTTL: %d rows after the prune, want 0", n)
	}
}

// TestPresenceRestoreEndsEveryClosedDevice: Ana's laptop and then Ben's
// phone close (the phone's row, written last, is the canary); a restore
// from a backup taken before both closes has both live. The probe finds
// the phone and the same flush's read of the live rows ends both: no
// socket of either is open here. Before, only the canary was ended and
// the laptop counted as showing every change, and was pushed none, until
// its restored live_until (up to PresenceTTL).
func TestPresenceRestoreEndsEveryClosedDevice(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	step := func() {
		e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
		p.flush(ctx, false)
	}
	laptop := p.Track(e.family, e.ana, "laptop-a", 0, nil)
	phone := p.Track(e.family, e.ben, "phone-b", 0, nil)
	step()
	laptopBackup := e.presenceRow(e.ana, "laptop-a").live
	phoneBackup := e.presenceRow(e.ben, "phone-b").live
	laptop.Close()
	step()
	phone.Close()
	step() // the phone written not live last: the canary
	e.exec(`UPDATE notify_device_presence SET live_until = $1 WHERE user_id = $2 AND device_id = 'laptop-a'`, laptopBackup, e.ana)
	e.exec(`UPDATE notify_device_presence SET live_until = $1 WHERE user_id = $2 AND device_id = 'phone-b'`, phoneBackup, e.ben)
	step()
	if !e.suspected(p) {
		t.Fatal("both closed devices restored live: no restore suspected")
	}
	now := e.clock.Now()
	if !laptopBackup.After(now) {
		t.Fatalf("test setup: the laptop restored live until %v, not after now %v", laptopBackup, now)
	}
	if r := e.presenceRow(e.ben, "phone-b"); r.live.After(now) {
		t.Errorf("the closed phone (the canary) restored live: still live until %v (now %v)", r.live, now)
	}
	if r := e.presenceRow(e.ana, "laptop-a"); r.live.After(now) {
		t.Errorf("the closed laptop restored live: still live until %v (now %v)", r.live, now)
	}
}

// TestPresenceRestoreKeepsOpenDevice: after a restore that had Ben's
// closed phone live, the read of the live rows ends only closed devices'
// rows: Ana's laptop, open, stays live, its row not touched (ended, it was
// written again by the same flush: a write per open device at every
// restore), and a device tracked meanwhile stays live (written by the
// same flush).
func TestPresenceRestoreKeepsOpenDevice(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	e.restoreClosedPhone(p)
	laptop := e.presenceRow(e.ana, "laptop-a").version
	p.Track(e.family, e.ben, "tablet-b", 0, nil)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	p.flush(context.Background(), false)
	if !e.suspected(p) {
		t.Fatal("the closed phone restored live: no restore suspected")
	}
	now := e.clock.Now()
	for _, d := range []struct {
		user   uuid.UUID
		device string
	}{{e.ana, "laptop-a"}, {e.ben, "tablet-b"}} {
		if r := e.presenceRow(d.user, d.device); !r.live.After(now) {
			t.Errorf("%s, open: live until %v, want after %v", d.device, r.live, now)
		}
	}
	if v := e.presenceRow(e.ana, "laptop-a").version; v != laptop {
		t.Errorf("the open laptop's row, live as written, was written again (version %s, was %s)", v, laptop)
	}
}
