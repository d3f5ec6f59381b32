package jobs

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestMigrateRefusesNewerRiverSchema: River's tables migrated by a newer
// FamilyHub, made with a newer River (what its rivermigrate leaves: a row
// ('main', version) in river_migration, beside the change itself). Migrate
// applies nothing and says so with both River versions, instead of letting
// this build's River run on tables it was not written for. Without the
// check, rivermigrate finds every migration it knows applied and Migrate
// returns nil; with a gap below the newer migration, rivermigrate applies
// the missing one on top of the newer schema.
func TestMigrateRefusesNewerRiverSchema(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	if err := Migrate(ctx, pool, testLogger(t)); err != nil {
		t.Fatalf("migrating River's tables: %v", err)
	}
	if err := Migrate(ctx, pool, testLogger(t)); err != nil { // the normal start: up to date
		t.Fatalf("migrating up-to-date River tables: %v", err)
	}
	migrator, err := rivermigrate.New(riverpgxv5.New(pool), nil)
	if err != nil {
		t.Fatal(err)
	}
	all := migrator.AllVersions()
	build := all[len(all)-1].Version
	future := build + 1
	if _, err := pool.Exec(ctx, `CREATE TABLE river_future (id bigint PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO river_migration (line, version) VALUES ('main', $1)`, future); err != nil {
		t.Fatal(err)
	}
	check := func(err error, missing []int) {
		t.Helper()
		var ahead *SchemaAheadError
		if !errors.As(err, &ahead) {
			t.Fatalf("Migrate on a newer River schema: %v, want a *SchemaAheadError", err)
		}
		if ahead.Database != future || ahead.Build != build || !slices.Equal(ahead.Missing, missing) {
			t.Fatalf("SchemaAheadError%+v, want Database %d, Build %d, Missing %v", *ahead, future, build, missing)
		}
		for _, want := range []string{"River migration " + strconv.Itoa(future), "up to " + strconv.Itoa(build)} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("the error does not say %q: %v", want, err)
			}
		}
	}
	check(Migrate(ctx, pool, testLogger(t)), nil)

	// The newer River's migrations did not follow this build's: the
	// database lacks this build's newest. rivermigrate would apply it on
	// top of the newer schema; Migrate applies nothing.
	if _, err := pool.Exec(ctx, `DELETE FROM river_migration WHERE line = 'main' AND version = $1`, build); err != nil {
		t.Fatal(err)
	}
	err = Migrate(ctx, pool, testLogger(t))
	check(err, []int{build})
	if !strings.Contains(err.Error(), "lacks this build's River migration "+strconv.Itoa(build)+" below it") {
		t.Errorf("the error does not name the missing migration: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM river_migration WHERE version = $1`, build).Scan(&n); err != nil || n != 0 {
		t.Fatalf("River migration %d was applied on the newer schema: %d rows, %v", build, n, err)
	}
}
