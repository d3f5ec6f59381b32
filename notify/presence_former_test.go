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
	p.Track(e.family, e.ana, "laptop-a", 0, nil)
	phone := p.Track(e.family, e.ben, "phone-b", 0, nil)
	p.flush(ctx, false)
	if _, err := e.pool.Exec(ctx, `DELETE FROM memberships WHERE family_id = $1 AND user_id = $2`, e.family, e.ben); err != nil {
		t.Fatal(err)
	}
	phone.Close()
	p.flush(ctx, false) // the phone's not-live write: not made
	for range 4 {       // past PresenceTTL: the laptop refreshed each time
		e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL/3 + time.Second))
		p.flush(ctx, false)
	}
	now := e.clock.Now()
	if r := e.presenceRow(e.ana, "laptop-a"); !r.live.After(now) {
		t.Errorf("the laptop, open: live until %v, want after %v", r.live, now)
	}
	if r := e.presenceRow(e.ben, "phone-b"); r.live.After(now) {
		t.Errorf("the phone of a former member, closed %v ago: live until %v (now %v)", 4*(e.s.cfg.PresenceTTL/3+time.Second), r.live, now)
	}
}
