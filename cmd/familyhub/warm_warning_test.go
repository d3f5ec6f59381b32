package main

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/familyhub/familyhub/db"
)

// TestWarmWarningOnANewerSchema: the start's warm-up line says "the rest
// warm on first use" for a warm-up cut short, but for statements the
// database refused for its schema (a newer build migrated it, and
// FAMILYHUB_ALLOW_NEWER_SCHEMA let this one start) it says that the
// requests using them fail the same way. Before, it said "the rest warm
// on first use" for both.
func TestWarmWarningOnANewerSchema(t *testing.T) {
	short := warmWarning(db.WarmResult{Err: context.DeadlineExceeded})
	if short != "database connections not all warmed; the rest warm on first use" {
		t.Errorf("a warm-up cut short: %q", short)
	}
	newer := warmWarning(db.WarmResult{Err: errors.Join(&pgconn.PgError{Code: "42703", Message: `column "seq" does not exist`})})
	if strings.Contains(newer, "warm on first use") || !strings.Contains(newer, "FAMILYHUB_ALLOW_NEWER_SCHEMA") || !strings.Contains(newer, "fail the same way") {
		t.Errorf("a warm-up refused by a newer schema: %q", newer)
	}
}
