package db_test

import (
	"context"
	"slices"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbtest"
)

// TestUUIDCodec round-trips google/uuid values through PostgreSQL with the
// application's type map, in the binary format (prepared statements) and
// in text (the simple protocol): single values, nullable ones, arrays, and
// NULL into a plain uuid.UUID (uuid.Nil, as uuid.UUID.Scan made it).
func TestUUIDCodec(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.PoolFor(t, dbtest.URL(t))
	a, b := uuid.New(), uuid.New()
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		var (
			got      uuid.UUID
			gotText  string
			some     *uuid.UUID
			none     *uuid.UUID
			fromNull uuid.UUID = b
			list     []uuid.UUID
		)
		err := pool.QueryRow(ctx, `SELECT $1::uuid, $1::uuid::text, $2::uuid, NULL::uuid, NULL::uuid, $3::uuid[]`,
			mode, a, &b, []uuid.UUID{a, b}).Scan(&got, &gotText, &some, &none, &fromNull, &list)
		if err != nil {
			t.Fatalf("%v: %v", mode, err)
		}
		if got != a || gotText != a.String() {
			t.Errorf("%v: got %v (%s), want %v", mode, got, gotText, a)
		}
		if some == nil || *some != b || none != nil {
			t.Errorf("%v: nullable: got %v and %v, want %v and nil", mode, some, none, b)
		}
		if fromNull != uuid.Nil {
			t.Errorf("%v: NULL scanned into uuid.UUID: %v, want uuid.Nil", mode, fromNull)
		}
		if !slices.Equal(list, []uuid.UUID{a, b}) {
			t.Errorf("%v: array: %v", mode, list)
		}
		var isNull bool
		var nilArg *uuid.UUID
		if err := pool.QueryRow(ctx, `SELECT $1::uuid IS NULL`, mode, nilArg).Scan(&isNull); err != nil || !isNull {
			t.Errorf("%v: a nil *uuid.UUID was not NULL (%v)", mode, err)
		}
	}

	// The binary encoding is the 16 bytes, found without an error on the way.
	m := pgtype.NewMap()
	db.RegisterUUID(m)
	buf, err := m.Encode(pgtype.UUIDOID, pgtype.BinaryFormatCode, a, nil)
	if err != nil || string(buf) != string(a[:]) {
		t.Errorf("binary encoding: %x, %v; want %x", buf, err, a[:])
	}
}

// BenchmarkUUIDParams builds the parameters of a typical statement (three
// uuids and a name) as pgx does for every query: with pgx's own map and
// with RegisterUUID.
func BenchmarkUUIDParams(b *testing.B) {
	sd := &pgconn.StatementDescription{ParamOIDs: []uint32{pgtype.UUIDOID, pgtype.UUIDOID, pgtype.UUIDOID, pgtype.TextOID}}
	args := []any{uuid.New(), uuid.New(), ptr(uuid.New()), "milk"}
	for _, bc := range []struct {
		name     string
		register bool
	}{{"pgx", false}, {"registered", true}} {
		b.Run(bc.name, func(b *testing.B) {
			m := pgtype.NewMap()
			if bc.register {
				db.RegisterUUID(m)
			}
			var eqb pgx.ExtendedQueryBuilder
			b.ReportAllocs()
			for b.Loop() {
				if err := eqb.Build(m, sd, args); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
