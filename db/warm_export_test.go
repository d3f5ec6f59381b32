package db

// HotStatementsForTest are the statements Warm prepares (db_test).
func HotStatementsForTest() []string { return hotStatements() }
