package assistant

import "github.com/familyhub/familyhub/db"

// retryDeadlock runs try (a command's savepoint, Service.run) again when
// PostgreSQL failed it for a deadlock, db.TxTries tries at most, for a
// merging add (items, a recipe): it keeps some lines share-locked while it
// writes others, so it can deadlock with another member's change of two
// lines (ticking "eggs" and "salt"), and PostgreSQL fails one side
// (40P01). Only the savepoint runs again, the model not asked again: the
// rollback to it releases the add's row locks, so the other member goes
// on, while the member's command lock stays held, so an "undo that" said
// meanwhile still waits for this command and undoes it, not the one
// before. Other intents run once, as before.
func retryDeadlock(in Intent, try func() error) error {
	again := in.Type == IntentShoppingAddItems || in.Type == IntentShoppingAddRecipe
	return savepointTries(func() bool { return again }, try)
}

// savepointTries runs try (a savepoint) again while it failed for a
// deadlock and more allows another try, db.TxTries tries at most. Only a
// deadlock (db.Deadlock, 40P01), not db.Retryable's serialization
// failure too: that is the whole transaction's (its snapshot), which a
// savepoint run again cannot cure, and the transactions here are READ
// COMMITTED, where it does not occur.
func savepointTries(more func() bool, try func() error) error {
	var err error
	for n := 0; n == 0 || db.Deadlock(err) && n < db.TxTries && more(); n++ {
		err = try()
	}
	return err
}
