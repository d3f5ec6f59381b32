package notify

import (
	"context"
	"time"
)

// laptopAndPhone starts the presence tests' usual replica: Ana's laptop
// and Ben's phone open and written live. It returns the phone's socket.
func (e *env) laptopAndPhone(p *Presence) *Tracker {
	e.t.Helper()
	p.Track(e.family, e.ana, "laptop-a", 0, nil)
	phone := p.Track(e.family, e.ben, "phone-b", 0, nil)
	p.flush(context.Background(), false)
	return phone
}

// exec runs a statement the test needs (a removal, a row the database
// lost).
func (e *env) exec(sql string, args ...any) {
	e.t.Helper()
	if _, err := e.pool.Exec(context.Background(), sql, args...); err != nil {
		e.t.Fatal(err)
	}
}

// removeBen deletes Ben's membership behind the service's back.
func (e *env) removeBen() {
	e.t.Helper()
	e.exec(`DELETE FROM memberships WHERE family_id = $1 AND user_id = $2`, e.family, e.ben)
}

// refreshPast moves the clock past the next refresh of every live device
// and flushes.
func (e *env) refreshPast(p *Presence) {
	e.clock.Set(e.clock.Now().Add(e.s.cfg.PresenceTTL/3 + time.Second))
	p.flush(context.Background(), false)
}

// suspected reports whether p suspected that the database lost rows of
// its live devices: its next flush reads them all (recheckEverything), or
// a flush read them already (putBack ran). A canary probe's alarm is read
// by the same flush's putBack, which clears recheckAll: recheckAll alone
// missed every false alarm of the probe.
func (e *env) suspected(p *Presence) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.recheckAll || !p.rechecked.IsZero()
}

// formerPhoneNotALoss runs n refreshes with Ben removed and his phone's
// socket open: none takes its row, ended, for one the database lost, the
// laptop stays live and the phone does not.
func (e *env) formerPhoneNotALoss(p *Presence, n int) {
	e.t.Helper()
	for i := range n {
		e.refreshPast(p)
		if e.suspected(p) {
			e.t.Fatalf("refresh %d: a removed member's open phone taken for a row the database lost", i+1)
		}
		now := e.clock.Now()
		if r := e.presenceRow(e.ana, "laptop-a"); !r.live.After(now) {
			e.t.Errorf("refresh %d: the laptop, open: live until %v, want after %v", i+1, r.live, now)
		}
		if r := e.presenceRow(e.ben, "phone-b"); r.live.After(now) {
			e.t.Errorf("refresh %d: the phone of a former member: live until %v (now %v)", i+1, r.live, now)
		}
	}
}
