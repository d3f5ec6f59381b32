package main

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// readsOnTheirWay follows a tab's requests whose URL ends in suffix
// (DevTools Network events), from watchReads on: a read the page sent just
// before holdReads began is not held, and the server may answer it after
// the test's next write (TestBrowserOfflineKeptAnswers kept a list read
// that way, fc73). settled waits until each has been answered, has failed,
// or is held (paused by holdReads: it will not answer while held).
type readsOnTheirWay struct {
	mu   sync.Mutex
	open map[network.RequestID]string
}

func watchReads(t *testing.T, b *browser, suffix string) *readsOnTheirWay {
	t.Helper()
	w := &readsOnTheirWay{open: map[network.RequestID]string{}}
	lctx, stop := context.WithCancel(b.ctx)
	t.Cleanup(stop)
	if err := chromedp.Listen(lctx, func(ev any) {
		w.mu.Lock()
		defer w.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			if strings.HasSuffix(e.Request.URL, suffix) {
				w.open[e.RequestID] = e.Request.URL
			}
		case *network.EventLoadingFinished:
			delete(w.open, e.RequestID)
		case *network.EventLoadingFailed:
			delete(w.open, e.RequestID)
		case *fetch.EventRequestPaused:
			delete(w.open, e.NetworkID)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *readsOnTheirWay) settled(t *testing.T) {
	t.Helper()
	waitUntil(t, "the reads on their way answered, failed or held", 10*time.Second, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.open) == 0
	})
}
