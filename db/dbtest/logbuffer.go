package dbtest

import (
	"strings"
	"sync"
)

// LogBuffer collects what a logger writes, for a test to read while
// handlers and background loops may still be writing from goroutines of
// their own: slog.New(slog.NewTextHandler(&buf, nil)), then buf.String().
// The zero value is ready to use.
type LogBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *LogBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// String returns everything written so far.
func (l *LogBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
