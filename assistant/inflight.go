package assistant

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db"
)

// Commands still being understood: a command takes the member's lock
// (db.Tx.AssistantCommandSerialize) only once it is understood, which
// with a model takes seconds. "undo that" (understood at once) said
// meanwhile would find the command before it as the last one and undo
// that. So each command of a member is noted here from its arrival until
// it has the lock (or ends without one), and a spoken undo first waits,
// bounded, for the member's commands that arrived before it on this
// replica; then the lock orders them. Commands of the member on another
// replica are not seen (docs/assistant.md).

// inflight holds the commands of each member not yet holding the lock.
type inflight struct {
	mu     sync.Mutex
	seq    uint64
	byUser map[uuid.UUID]map[uint64]chan struct{}
	// waiting counts the undos waiting now (tests wait for it).
	waiting atomic.Int32
}

// start notes a command of user arriving; done (safe to call again) says
// it holds the lock or has ended. seq orders the user's commands by
// arrival.
func (f *inflight) start(user uuid.UUID) (seq uint64, done func()) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.byUser == nil {
		f.byUser = map[uuid.UUID]map[uint64]chan struct{}{}
	}
	f.seq++
	seq = f.seq
	ch := make(chan struct{})
	if f.byUser[user] == nil {
		f.byUser[user] = map[uint64]chan struct{}{}
	}
	f.byUser[user][seq] = ch
	var once sync.Once
	return seq, func() {
		once.Do(func() {
			f.mu.Lock()
			defer f.mu.Unlock()
			delete(f.byUser[user], seq)
			if len(f.byUser[user]) == 0 {
				delete(f.byUser, user)
			}
			close(ch)
		})
	}
}

// waitEarlier waits until user's commands that arrived before seq hold
// the lock or have ended, at most max (a model that hangs is cut off by
// its own timeout first) or until ctx ends.
func (f *inflight) waitEarlier(ctx context.Context, user uuid.UUID, seq uint64, max time.Duration) {
	f.mu.Lock()
	var earlier []chan struct{}
	for s, ch := range f.byUser[user] {
		if s < seq {
			earlier = append(earlier, ch)
		}
	}
	f.mu.Unlock()
	if len(earlier) == 0 {
		return
	}
	f.waiting.Add(1)
	defer f.waiting.Add(-1)
	timer := time.NewTimer(max)
	defer timer.Stop()
	for _, ch := range earlier {
		select {
		case <-ch:
		case <-timer.C:
			return
		case <-ctx.Done():
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

// undoWait is how long "undo that" waits for the speaker's earlier
// commands still being understood: the model's timeout plus the lock
// wait of a command (a command cut off by the model then takes the lock),
// at most undoWaitMax.
func (s *Service) undoWait() time.Duration {
	wait := db.AssistantCommandWait
	if s.model != nil {
		wait += s.model.Timeout()
	}
	return min(wait, undoWaitMax)
}
