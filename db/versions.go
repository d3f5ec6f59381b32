package db

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Safe retries (docs/api.md): a create may carry a client-chosen id, so
// that a retry cannot make a second record; a change may carry the
// version the client last saw (If-Match), so that it cannot overwrite a
// change it has not seen. The change is validated first: an invalid one
// is invalid whatever its If-Match, and only a valid one is refused as
// stale. An operation that validates against the locked record (a task's
// patch, an event's) checks the version after validating (checkVersion,
// CalendarEventReplace).

// StaleError refuses a change made against an old version: the record
// changed since the client read it. Current is the record as stored now
// (the operation's row type), for the client to show both.
type StaleError struct {
	Current any
}

func (e *StaleError) Error() string {
	return "conflict: the record changed since it was read (If-Match)"
}

type ifVersionKey struct{}

// WithIfVersion returns ctx asking that the record a change targets still
// has version v (the request's If-Match). Every operation that changes or
// deletes one record honours it.
func WithIfVersion(ctx context.Context, v int64) context.Context {
	return context.WithValue(ctx, ifVersionKey{}, v)
}

// ifVersion returns the version ctx asks for, or nil for an unconditional
// change (the last write wins, field by field).
func ifVersion(ctx context.Context) *int64 {
	if v, ok := ctx.Value(ifVersionKey{}).(int64); ok {
		return &v
	}
	return nil
}

// checkVersion refuses a change of a locked record whose version is not
// the one ctx asks for; current is the record, returned in the error.
func checkVersion(ctx context.Context, version int64, current any) error {
	if want := ifVersion(ctx); want != nil && *want != version {
		return &StaleError{Current: current}
	}
	return nil
}

// staleOrMissing explains a conditional write that matched no row: the
// record is gone (not found) or has another version (StaleError with the
// current record, read by get).
func staleOrMissing[T any](ctx context.Context, what string, get func() (T, error)) error {
	cur, err := get()
	if err != nil {
		return err // not found, or the database failed
	}
	if ifVersion(ctx) == nil {
		return familyhub.NotFound(what) // cannot be: no condition, yet no row
	}
	return &StaleError{Current: cur}
}

// errIDReused answers a create whose client id was used for something
// else: other content, another kind of record, or another family (which
// it must not reveal).
var errIDReused = familyhub.Errorf(familyhub.ECONFLICT,
	"This id was already used for a different record; choose a new id for a new record.").WithField("id")

// createOnce runs create unless the client id (nil: the server chooses)
// was claimed before. The first time, it claims id for kind with a hash of
// request (the normalised request, without the id) and records the ids
// create returns. A repeat with the same kind and request returns the ids
// recorded then and replayed true; any other repeat is errIDReused.
//
// The claim already records id itself as the result, what every create of
// one record makes (the record takes the client's id), so only a create
// that made something else (a recipe's add-to-list) costs a statement
// more. Until the transaction commits nobody sees the claim: a concurrent
// repeat waits on it (the primary key) and then reads what was committed;
// a failed create rolls the claim back with it.
func (tx *Tx) createOnce(ctx context.Context, id *uuid.UUID, kind string, request any, create func() ([]uuid.UUID, error)) (ids []uuid.UUID, replayed bool, err error) {
	if id == nil {
		ids, err = create()
		return ids, false, err
	}
	family, err := tx.family()
	if err != nil {
		return nil, false, err
	}
	hash, err := requestHash(kind, request)
	if err != nil {
		return nil, false, err
	}
	expected := []uuid.UUID{*id}
	_, err = tx.q.ClientCreateClaim(ctx, tx, dbsqlc.ClientCreateClaimParams{ID: *id, FamilyID: family, Kind: kind, RequestHash: hash, ResultIds: expected})
	if err == nil {
		if ids, err = create(); err != nil {
			return nil, false, err
		}
		if slices.Equal(ids, expected) {
			return ids, false, nil
		}
		return ids, false, Err(tx.q.ClientCreateSetResult(ctx, tx, dbsqlc.ClientCreateSetResultParams{ID: *id, ResultIds: ids}), "")
	}
	if familyhub.ErrorCode(Err(err, "")) != familyhub.ENOTFOUND {
		return nil, false, Err(err, "")
	}
	prior, err := tx.q.ClientCreateGet(ctx, tx, *id)
	if err != nil {
		return nil, false, Err(err, "")
	}
	if prior.FamilyID != family || prior.Kind != kind || !bytes.Equal(prior.RequestHash, hash) {
		return nil, false, errIDReused
	}
	return prior.ResultIds, true, nil
}

// requestHash is what client_creates keeps of a create's request, to tell
// a retry (the same request) from an id used for something else.
func requestHash(kind string, request any) ([]byte, error) {
	b, err := json.Marshal(request)
	if err != nil {
		return nil, fmt.Errorf("hash %s request: %w", kind, err)
	}
	hash := sha256.Sum256(b)
	return hash[:], nil
}

// errAlreadyCreated answers a repeat of a create by key (CreateKeyed)
// whose first send committed: nothing more is made, and the secret the
// first answer carried is not shown again.
var errAlreadyCreated = familyhub.Errorf(familyhub.EALREADYMADE,
	"This was already made by an earlier send with the same create_key; its secret is shown only once. Delete it and make a new one if you need the secret.").WithField("create_key")

// errAlreadyAdded is errAlreadyCreated for a kind whose answer carries no
// secret (a calendar subscription): there is nothing to delete and make
// again for, the record is simply there.
var errAlreadyAdded = familyhub.Errorf(familyhub.EALREADYMADE,
	"This was already added by an earlier send with the same create_key; nothing was added again.").WithField("create_key")

// kindNoSecret names the kinds of CreateKeyed whose first answer shows no
// secret, so that their repeat is errAlreadyAdded.
var kindNoSecret = map[string]bool{"calendar-subscription": true}

// ClientUUID refuses a client-chosen UUID (a create's "id", a
// create_key) that is the nil UUID, 00000000-0000-0000-0000-000000000000:
// it is an uninitialised value in the client, and every such client's
// creates would share it and collide. It returns a malformed_request
// error naming field, or nil. Both the REST ids (http.clientID) and
// CreateKeyed call it, so the rule lives here once.
func ClientUUID(field string, id *uuid.UUID) error {
	if id != nil && *id == uuid.Nil {
		return familyhub.Errorf(familyhub.EMALFORMED,
			"%s is the nil UUID (all zeros), an uninitialised value; make a new random UUID for each create.", field).WithField(field)
	}
	return nil
}

// errKeyReused answers a create_key used before for other content.
var errKeyReused = familyhub.Errorf(familyhub.ECONFLICT,
	"This create_key was already used for a different request; choose a new create_key for a new record.").WithField("create_key")

// CreateKeyed runs create, a create whose record the server names (an
// invite, an app password, a feed, a subscription, a children's device:
// each but the subscription answers a secret once), unless key (nil:
// none, as old clients send) was used for a create of kind in the
// caller's family before. It is createOnce with a claim id derived from
// the family, kind and key, so another family's key is another claim: it
// never collides with this family's nor tells that it exists. The claim
// commits with the record, so a repeat after a commit makes nothing and
// is errAlreadyCreated (errAlreadyAdded for a kind without a secret), and
// a repeat after a rollback (the first send failed) creates anew.
// request is the normalised request without secrets; a repeat with other
// content is errKeyReused; the nil UUID as key is refused (ClientUUID).
func (tx *Tx) CreateKeyed(ctx context.Context, key *uuid.UUID, kind string, request any, create func() (uuid.UUID, error)) error {
	if err := ClientUUID("create_key", key); err != nil {
		return err
	}
	if key == nil {
		_, err := create()
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	claim := createKeyClaim(family, kind, *key)
	_, replayed, err := tx.createOnce(ctx, &claim, kind, request, func() ([]uuid.UUID, error) {
		id, err := create()
		return []uuid.UUID{id}, err
	})
	switch {
	case err == errIDReused:
		return errKeyReused
	case err != nil:
		return err
	case replayed && kindNoSecret[kind]:
		return errAlreadyAdded
	case replayed:
		return errAlreadyCreated
	}
	return nil
}

// createKeyClaim is the client_creates id of a create_key: a name-based
// UUID of the family, kind and key.
func createKeyClaim(family uuid.UUID, kind string, key uuid.UUID) uuid.UUID {
	return uuid.NewSHA1(family, []byte(kind+"\x00"+key.String()))
}
