package notify

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestPresenceRewindPutsBackLostRows: the database went back (a restore)
// and lost the row of Ana's live laptop and left Ben's live phone's row
// expired, as the backup had them; the rewind's note lowers neither
// device (it names the seq they were sent). The next flush puts both rows
// back, live, and leaves Ben's tablet, whose row is there and live,
// alone. Before, a note that lowers nothing wrote nothing, and the two
// devices counted as not live (their members were pushed what they saw
// live) until their next write, up to PresenceTTL/3 later.
func TestPresenceRewindPutsBackLostRows(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	p.Track(e.family, e.ana, "laptop-a", 0, nil)
	p.Track(e.family, e.ben, "phone-b", 0, nil)
	p.Track(e.family, e.ben, "tablet-b", 0, nil)
	p.flush(ctx, false)
	tablet := e.presenceRow(e.ben, "tablet-b")

	e.exec(`DELETE FROM notify_device_presence WHERE device_id = 'laptop-a'`)
	e.exec(`UPDATE notify_device_presence SET live_until = $1 WHERE device_id = 'phone-b'`, e.clock.Now().Add(-time.Second))
	p.Rewound(e.family, 0, 0)
	p.flush(ctx, false)
	now := e.clock.Now()
	if rows := e.presenceRows(e.ana, "laptop-a"); len(rows) != 1 || !rows[0].live.After(now) {
		t.Errorf("the live laptop's lost row after the rewind: %+v, want one live row", rows)
	}
	if r := e.presenceRow(e.ben, "phone-b"); !r.live.After(now) {
		t.Errorf("the live phone's expired row after the rewind: live until %v, want after %v", r.live, now)
	}
	if r := e.presenceRow(e.ben, "tablet-b"); r.version != tablet.version {
		t.Errorf("the tablet's row, there and live, was written again: %+v, was %+v", r, tablet)
	}
}

// TestPresenceRefreshPutsBackLostRows: without any rewind found (the
// family had no event the restore lost), the refresh statement finds fewer
// of the replica's live rows than it expected: the row of Ana's laptop is
// gone. The next flush puts it back. Before, the laptop counted as not
// live until its next write.
func TestPresenceRefreshPutsBackLostRows(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	e.laptopAndPhone(p)
	e.exec(`DELETE FROM notify_device_presence WHERE device_id = 'laptop-a'`)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL/3 + time.Second)) // both due for a refresh
	p.flush(ctx, false)                                                 // refreshes the phone, misses the laptop
	p.flush(ctx, false)                                                 // puts the laptop back
	now := e.clock.Now()
	if rows := e.presenceRows(e.ana, "laptop-a"); len(rows) != 1 || !rows[0].live.After(now) {
		t.Errorf("the live laptop's lost row after the refresh: %+v, want one live row", rows)
	}
	if r := e.presenceRow(e.ben, "phone-b"); !r.live.After(now) {
		t.Errorf("the phone's row: live until %v, want after %v", r.live, now)
	}
}

// TestPresenceDatabaseChangedPutsBackLostRows: the listener reconnected
// to a server that restarted or is another one (DatabaseChanged), which
// lost the row of Ana's live laptop; no rewind note names its family and
// no refresh is due. The next flush puts it back, and leaves Ben's phone,
// whose row is there and live, alone. Before, the laptop counted as not
// live until its refresh, up to PresenceTTL/3 later.
func TestPresenceDatabaseChangedPutsBackLostRows(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	e.laptopAndPhone(p)
	phone := e.presenceRow(e.ben, "phone-b")
	e.exec(`DELETE FROM notify_device_presence WHERE device_id = 'laptop-a'`)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery)) // a flush later; no refresh due
	p.DatabaseChanged()
	p.flush(ctx, false)
	now := e.clock.Now()
	if rows := e.presenceRows(e.ana, "laptop-a"); len(rows) != 1 || !rows[0].live.After(now) {
		t.Errorf("the live laptop's lost row after the server changed: %+v, want one live row", rows)
	}
	if r := e.presenceRow(e.ben, "phone-b"); r.version != phone.version {
		t.Errorf("the phone's row, there and live, was written again: %+v, was %+v", r, phone)
	}
}

// TestPresenceRewindPutsBackEveryFamilysRows: a restore into the running
// server (the listener's connection survives it: no OnServerChanged) lost
// events this replica had delivered of the Riveras' family, and the row of
// Ivo's live phone in another family, which lost no event. The rewind's
// note (this replica delivered past what the database has: upto > shown)
// has the next flush look for every live row of the replica, and Ivo's is
// put back at once. Before, only the Riveras' rows were looked for, and
// the phone counted as not live until its refresh, up to PresenceTTL/3
// later. A note no loss backs (a join ahead of the database: shown =
// upto, which a client can cause) still looks at its own family only.
func TestPresenceRewindPutsBackEveryFamilysRows(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	ctx := context.Background()
	other := e.scalarUUID(`INSERT INTO families (name) VALUES ('Other') RETURNING id`)
	ivo := e.scalarUUID(`INSERT INTO users (email, password_hash, display_name) VALUES ('ivo@example.org', 'x', 'Ivo') RETURNING id`)
	e.exec(`INSERT INTO memberships (family_id, user_id) VALUES ($1, $2)`, other, ivo)
	e.laptopAndPhone(p)
	p.Track(other, ivo, "phone-i", 0, nil)
	p.flush(ctx, false)

	p.Rewound(e.family, 0, 0) // a join ahead of the database: no loss known
	if e.suspected(p) {
		t.Fatal("a note no loss backs had every family's rows looked for")
	}
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery)) // a flush later; no refresh due
	p.flush(ctx, false)

	e.exec(`DELETE FROM notify_device_presence WHERE device_id = 'phone-i'`)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery))
	p.Rewound(e.family, 3, 5)
	p.flush(ctx, false)
	now := e.clock.Now()
	if rows := e.presenceRows(ivo, "phone-i"); len(rows) != 1 || !rows[0].live.After(now) {
		t.Errorf("the live phone's row in a family that lost no event, after a rewind found elsewhere: %+v, want one live row", rows)
	}
}

// TestPresenceCanaryFindsRestore: a restore into the running server (no
// start time changed, no family lost an event: no note) took the rows of
// Ana's laptop and Ben's phone. Within PresenceTTL/refreshEvery the
// replica's probe of the row it wrote last finds it gone, and the same
// flush puts both back. Before, they counted as not live until their
// refresh, up to PresenceTTL/3 later. Refreshes with nothing lost (the
// rows extended past what was written) are no alarm.
func TestPresenceCanaryFindsRestore(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	e.laptopAndPhone(p)
	for i := range 4 { // past PresenceTTL: the probe sees the refreshed rows
		e.refreshPast(p)
		if e.suspected(p) {
			t.Fatalf("refresh %d: nothing lost, but the replica suspects a restore", i+1)
		}
	}
	e.exec(`DELETE FROM notify_device_presence`)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery)) // a flush later; no refresh due
	p.flush(context.Background(), false)
	now := e.clock.Now()
	for _, d := range []struct {
		user   uuid.UUID
		device string
	}{{e.ana, "laptop-a"}, {e.ben, "phone-b"}} {
		if rows := e.presenceRows(d.user, d.device); len(rows) != 1 || !rows[0].live.After(now) {
			t.Errorf("%s's row after the restore: %+v, want one live row", d.device, rows)
		}
	}
}

// TestPresenceCanaryFamilyDeletedNoAlarm: the family of the replica's
// canary row is deleted (its presence rows cascade, as an account's do).
// The probe finds the row gone, but its member is in no family: the row
// ended, the database did not go back. Before, every such deletion warned
// of a restore and read every live row of the replica.
func TestPresenceCanaryFamilyDeletedNoAlarm(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	e.laptopAndPhone(p)
	var log dbtest.LogBuffer
	e.s.logger = slog.New(slog.NewTextHandler(&log, &slog.HandlerOptions{Level: slog.LevelWarn}))
	e.exec(`DELETE FROM families WHERE id = $1`, e.family)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery)) // a flush later: the probe is due
	p.flush(context.Background(), false)
	if s := log.String(); strings.Contains(s, "a restore?") {
		t.Errorf("a deleted family's rows taken for a restore's loss:\n%s", s)
	}
	p.flushMu.Lock()
	defer p.flushMu.Unlock()
	if !p.canary.until.IsZero() {
		t.Errorf("the canary of a deleted family still probed (until %v)", p.canary.until)
	}
}

// TestPresenceCanaryNanoseconds: the wall clock has nanoseconds and
// PostgreSQL keeps microseconds: the canary row, read back, is live until
// a little before the time written. That is no restore. Before, the probe
// took it for one: every new live row probed before its refresh warned "a
// restore?" and had every live row read again (on a busy replica, every
// few seconds).
func TestPresenceCanaryNanoseconds(t *testing.T) {
	e := newEnv(t, Config{})
	p := e.s.Presence()
	e.clock.Set(e.clock.Now().Add(123456789 * time.Nanosecond))
	e.laptopAndPhone(p)
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL / refreshEvery)) // a flush later; no refresh due
	p.flush(context.Background(), false)
	if e.suspected(p) {
		t.Fatal("the canary row, there as written (to the microsecond), taken for a restore's loss")
	}
}
