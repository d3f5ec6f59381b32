package db

import (
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// HotStatementsForTest are the statements Warm prepares (db_test).
func HotStatementsForTest() []string { return hotStatements() }

// SetWarmConnTimeoutForTest shortens the bound of warming pool's later
// connections (warmConnTimeout).
func SetWarmConnTimeoutForTest(pool *pgxpool.Pool, d time.Duration) {
	v, _ := warmPools.Load(pool)
	v.(*poolWarm).connTimeout.Store(int64(d))
}
