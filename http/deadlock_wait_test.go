package http

import "fmt"

// answered is dbtest.AwaitLockWaits's ended for a request sent with
// sendAsync: whether it answered already, and what.
func answered(done <-chan response) func() (string, bool) {
	return func() (string, bool) {
		select {
		case r := <-done:
			return fmt.Sprintf("%d %s", r.StatusCode, r.body), true
		default:
			return "", false
		}
	}
}
