package assistant

import (
	"context"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// Commands still being answered: a command takes the member's lock
// (db.Tx.AssistantCommandSerialize) only once it is understood, which
// with a model takes seconds. "undo that" (understood at once) said
// meanwhile would find the command before it as the last one and undo
// that. So each command of a member is noted in PostgreSQL
// (assistant_inflight, migration 00047) when it arrives and deleted when
// it has ended, and a spoken undo first waits, bounded, until each of
// the member's commands that arrived before it has ended or holds its
// lock: on this replica or on any other behind the same proxy. Then the
// lock orders them.

// inflight is this replica's part: its name in assistant_inflight, and a
// signal when one of its commands ends (an undo waiting for a command on
// this replica goes on at once; for one on another replica it looks
// again, after inflightRecheck, then twice as long each time, up to
// inflightRecheckMax).
type inflight struct {
	replica string
	mu      sync.Mutex
	ended   chan struct{} // closed and replaced when a command ends here
	// waiting counts the undos waiting now (tests wait for it).
	waiting atomic.Int32
}

// inflightRecheck is how soon an undo waiting for a command on another
// replica looks again whether it has ended; each look after waits twice
// as long, at most inflightRecheckMax: a command with the model takes
// seconds, and each look reads pg_locks. Over the longest wait
// (undoWaitMax, 15 s) that is 34 looks, where one every 100 ms was 150
// (TestSpokenUndoWaitLooksBounded).
const (
	inflightRecheck    = 50 * time.Millisecond
	inflightRecheckMax = 500 * time.Millisecond
)

func newInflight() inflight {
	host, _ := os.Hostname()
	if len(host) > 60 {
		host = host[:60]
	}
	return inflight{replica: host + " " + uuid.NewString()[:8], ended: make(chan struct{})}
}

// endedSignal returns the channel closed when a command of this replica
// next ends.
func (f *inflight) endedSignal() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ended
}

// end deletes the row seq of a command that has ended, and wakes the
// undos waiting here. Best effort: a row left behind stops counting at
// its expiry.
func (s *Service) inflightEnd(ctx context.Context, seq int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := s.store.AssistantInflightEnd(ctx, seq); err != nil {
		s.logger.Warn("could not note an assistant command as ended", "seq", seq, "err", err)
	}
	f := &s.flight
	f.mu.Lock()
	close(f.ended)
	f.ended = make(chan struct{})
	f.mu.Unlock()
}

// waitEarlier waits until user's commands that arrived before the one
// noted as seq have ended (or expired) or hold their lock, until the
// time until (counted from the undo's arrival) or until ctx ends.
func (s *Service) waitEarlier(ctx context.Context, user uuid.UUID, seq int64, until time.Time) {
	recheck := inflightRecheck
	for counted := false; ; recheck = min(2*recheck, inflightRecheckMax) {
		ended := s.flight.endedSignal() // before looking: an end meanwhile is not missed
		n, err := s.store.AssistantInflightEarlier(ctx, user, seq)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Warn("could not look for the speaker's earlier assistant commands", "err", err)
			}
			return
		}
		left := time.Until(until)
		if n == 0 || left <= 0 {
			return
		}
		if !counted {
			counted = true
			s.flight.waiting.Add(1)
			defer s.flight.waiting.Add(-1)
		}
		timer := time.NewTimer(min(left, recheck))
		select {
		case <-ended:
		case <-timer.C:
		case <-ctx.Done():
		}
		timer.Stop()
		if ctx.Err() != nil {
			return
		}
	}
}

// undoWaitMax bounds how long "undo that" waits for the speaker's earlier
// commands (waitEarlier), whatever the model's timeout
// (--assistant-timeout may be set long): that wait, then its own waits
// for its two locks (db.AssistantCommandWait each) and its work stay inside
// the 30 s the app waits for an answer (web/static/js/assistant.js,
// COMMAND_TIMEOUT). Longer, the app would say "No answer in time" while
// the undo still ran and landed unseen.
const undoWaitMax = 15 * time.Second

// undoBudget bounds the whole of a spoken undo from its arrival: its wait
// for earlier commands, then its locks over all its tries (a deadlock
// runs it again) and every statement (its context ends then: a row held
// elsewhere, a hung database). When it is up the undo is busy
// (ErrUndoBusy; db.ErrAssistantBusy when it was the wait for the
// member's lock): the app, waiting 30 s, still hears that answer.
const undoBudget = undoWaitMax + 2*db.AssistantCommandWait

// undoWait is how long "undo that" waits for the speaker's earlier
// commands still being answered: the model's timeout plus the lock wait
// of a command (a command cut off by the model then takes the lock), at
// most undoWaitMax.
func (s *Service) undoWait() time.Duration {
	wait := db.AssistantCommandWait
	if s.model != nil {
		wait += s.model.Timeout()
	}
	return min(wait, undoWaitMax)
}

// inflightTTL is how long a command's row in assistant_inflight counts:
// longer than the command may live (its model's timeout, its two lock
// waits, its work), so a live command is always waited for, and a killed
// replica's command is not waited for after it.
func (s *Service) inflightTTL() time.Duration {
	ttl := 2*db.AssistantCommandWait + 5*time.Second
	if s.model != nil {
		ttl += s.model.Timeout()
	}
	return ttl
}
