package notify

import (
	"context"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db"
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
