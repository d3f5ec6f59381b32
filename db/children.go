package db

import (
	"context"
	"errors"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// Children's PIN sign-in (docs/api/family.md "Children's PIN sign-in").
//
// A PIN is short, so it must never be guessable from the internet: it works
// only on a child device, a device an adult of the family set up (its
// 256-bit device key, of which only a hash is stored, travels with every
// PIN sign-in), together with the family code and the child's name. Wrong
// PINs are counted per child and device before the PIN is checked; a few
// lock the child on that device, more lock the child or the device
// everywhere (pinLimits).

// PIN lengths.
const (
	MinPINDigits = 4
	MaxPINDigits = 8
)

// ValidatePIN checks a PIN: 4 to 8 digits.
func ValidatePIN(field, pin string) error {
	if len(pin) < MinPINDigits || len(pin) > MaxPINDigits || strings.Trim(pin, "0123456789") != "" {
		return familyhub.Invalid(field, "%s must be %d to %d digits.", field, MinPINDigits, MaxPINDigits)
	}
	return nil
}

// MemberSetPIN sets (pinHash non-nil, hashed already) or clears a child's
// PIN (owners only). Only children have PINs; two children of a family
// with PINs cannot share a name (it is what they type).
func (tx *Tx) MemberSetPIN(ctx context.Context, userID uuid.UUID, pinHash *string) error {
	if err := tx.authorize(familyhub.ActMemberManage); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	m, err := tx.q.MembershipGet(ctx, tx, dbsqlc.MembershipGetParams{FamilyID: family, UserID: userID})
	if err != nil {
		return Err(err, "member")
	}
	if m.Role != familyhub.RoleChild && pinHash != nil {
		return familyhub.Invalid("pin", "Only children sign in with a PIN; make this member a child first.")
	}
	if pinHash != nil {
		u, err := tx.q.UserGet(ctx, tx, userID)
		if err != nil {
			return Err(err, "member")
		}
		same, err := tx.q.MemberChildrenByName(ctx, tx, dbsqlc.MemberChildrenByNameParams{FamilyID: family, Name: u.DisplayName})
		if err != nil {
			return err
		}
		for _, c := range same {
			if c.ID != userID {
				return familyhub.Errorf(familyhub.ECONFLICT, "Another child with a PIN is called %q; children sign in by name, so names must differ.", u.DisplayName)
			}
		}
	}
	_, err = tx.q.UserSetPIN(ctx, tx, dbsqlc.UserSetPINParams{ID: userID, PinHash: pinHash})
	return err
}

// ChildDeviceCreate sets up a device for children's PIN sign-in (owners and
// members) and returns it with its device key (shown once; only its hash is
// stored). A family has at most familyhub.MaxChildDevices (ELIMIT beyond).
func (tx *Tx) ChildDeviceCreate(ctx context.Context, name string) (dbsqlc.ChildDevice, string, error) {
	if err := tx.authorize(familyhub.ActChildDeviceManage); err != nil {
		return dbsqlc.ChildDevice{}, "", err
	}
	family, err := tx.family()
	if err != nil {
		return dbsqlc.ChildDevice{}, "", err
	}
	if name, err = TrimmedText("name", name, 1, 100); err != nil {
		return dbsqlc.ChildDevice{}, "", err
	}
	if err := tx.underLimit(ctx, limitChildDevices, family, familyhub.MaxChildDevices,
		func() (int32, error) { return tx.q.ChildDeviceCount(ctx, tx, family) },
		familyhub.Errorf(familyhub.ELIMIT, "A family can have at most %d devices for children; remove one first.", familyhub.MaxChildDevices)); err != nil {
		return dbsqlc.ChildDevice{}, "", err
	}
	key := NewToken()
	d, err := tx.q.ChildDeviceInsert(ctx, tx, dbsqlc.ChildDeviceInsertParams{FamilyID: family, Name: name, TokenHash: childDeviceHash(key), CreatedBy: tx.user()})
	return d, key, Err(err, "child device")
}

func childDeviceHash(key string) []byte { return HashToken("child-device:" + key) }

// ChildDeviceList returns the family's child devices.
func (tx *Tx) ChildDeviceList(ctx context.Context) ([]dbsqlc.ChildDevice, error) {
	if err := tx.authorize(familyhub.ActChildDeviceManage); err != nil {
		return nil, err
	}
	family, err := tx.family()
	if err != nil {
		return nil, err
	}
	return tx.q.ChildDeviceList(ctx, tx, family)
}

// ChildDeviceDelete revokes a child device: its key stops working and the
// sessions signed in on it end.
func (tx *Tx) ChildDeviceDelete(ctx context.Context, id uuid.UUID) error {
	if err := tx.authorize(familyhub.ActChildDeviceManage); err != nil {
		return err
	}
	family, err := tx.family()
	if err != nil {
		return err
	}
	// The lock waits for a PIN sign-in on the device whose session is not
	// yet committed; without it the revoke missed that session, and the
	// delete then cleared its child_device_id: a valid session on a revoked
	// device. A sign-in after the revoke gets ErrDeviceRevoked
	// (SessionCreate).
	if _, err := tx.q.ChildDeviceLock(ctx, tx, dbsqlc.ChildDeviceLockParams{ID: id, FamilyID: family}); err != nil {
		return Err(err, "child device")
	}
	// Sessions first: deleting the device clears their child_device_id.
	tx.markAuthChanged()
	if _, err := tx.q.SessionRevokeByChildDevice(ctx, tx, &id); err != nil {
		return err
	}
	// Its key is kept as revoked (ErrDeviceRevoked, not counted).
	n, err := tx.q.ChildDeviceRevoke(ctx, tx, dbsqlc.ChildDeviceRevokeParams{ID: id, FamilyID: family})
	return deleted(n, err, "child device")
}

// PINSignIn is what a child types (FamilyCode, Name, PIN) on a child device
// (DeviceKey, stored by the app when an adult set the device up).
type PINSignIn struct {
	DeviceKey  string
	FamilyCode string
	Name       string
	PIN        string
	// Addr is the client's address: wrong device keys are counted per
	// address (deviceByKey).
	Addr string
}

// ErrBadPIN answers every wrong PIN sign-in alike: unknown device, family
// code or name, or a wrong PIN.
var ErrBadPIN = familyhub.Errorf(familyhub.EUNAUTHORIZED, "Wrong family code, name or PIN, or this device is not set up for children.")

// ErrDeviceRevoked answers a device key an adult revoked (deleted the
// device on the Family page): the app forgets it. It is not counted against
// the address (deviceByKey).
var ErrDeviceRevoked = familyhub.Errorf(familyhub.EDEVREVOKED, "This device is no longer set up for children. An adult can set it up again from Family.")

// NormalizeFamilyCode makes typing forgiving, as for invite codes.
func NormalizeFamilyCode(code string) string { return NormalizeInviteCode(code) }

// CheckPIN checks a child's PIN sign-in and returns the child's user id and
// the device's id. A wrong device key answers ErrBadPIN, counted per
// address, a revoked one ErrDeviceRevoked (deviceByKey); otherwise the attempt is counted before the
// PIN is checked (against a dummy hash when the code or name is unknown),
// and a child or device at its limit is ERATELIMITED. A PIN longer than
// MaxPINDigits or an over-long name (never right, and not worth a hash or
// a query) is counted per address like a wrong key, so it is answered
// alike, ErrBadPIN and then ERATELIMITED, and cannot be sent without end.
func (s *Store) CheckPIN(ctx context.Context, p PINSignIn) (uuid.UUID, uuid.UUID, error) {
	dev, err := s.deviceByKey(ctx, p.DeviceKey, p.Addr)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	if len(p.PIN) > MaxPINDigits || len(p.Name) > familyhub.MaxDisplayNameLen*4 {
		if _, err := s.reserve(ctx, deviceKeyLimits, deviceKeyAccount, deviceKeySource(p.Addr)); err != nil {
			return uuid.Nil, uuid.Nil, err
		}
		return uuid.Nil, uuid.Nil, ErrBadPIN
	}
	fam, err := s.Q.FamilyGet(ctx, s.Pool, dev.FamilyID)
	if err != nil {
		return uuid.Nil, uuid.Nil, Err(err, "")
	}
	account, hash, child := "unknown:"+fam.ID.String(), dummyHash, uuid.Nil
	if NormalizeFamilyCode(p.FamilyCode) == fam.Code {
		kids, err := s.Q.MemberChildrenByName(ctx, s.Pool, dbsqlc.MemberChildrenByNameParams{FamilyID: fam.ID, Name: p.Name})
		if err != nil {
			return uuid.Nil, uuid.Nil, Err(err, "")
		}
		if len(kids) == 1 && kids[0].PinHash != nil {
			account, hash, child = kids[0].ID.String(), *kids[0].PinHash, kids[0].ID
		}
	}
	source := dev.ID.String()
	if _, err := s.reserve(ctx, pinLimits, account, source); err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	ok, err := verifyCounted(p.PIN, hash)
	if err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	if !ok || child == uuid.Nil {
		return uuid.Nil, uuid.Nil, ErrBadPIN
	}
	if err := s.succeeded(ctx, pinLimits, account, source); err != nil {
		return uuid.Nil, uuid.Nil, err
	}
	_ = s.Q.ChildDeviceTouch(ctx, s.Pool, dev.ID) // best effort, like app passwords
	return child, dev.ID, nil
}

// MaxChildNames bounds the names a children's device is offered
// (ChildDeviceChildren): far more than a family has children.
const MaxChildNames = 50

// MaxDeviceKeyFailuresPerAddr wrong device keys (PIN sign-in and the
// children's names alike) from one address refuse that address every
// device key for LoginWindow. Revoked keys are not counted.
const MaxDeviceKeyFailuresPerAddr = 10

// deviceKeyLimits count wrong device keys under one pseudo-account per
// address (kind "pin": sources of PIN attempts are device ids, these are
// "addr:..." and never meet them).
var deviceKeyLimits = limits{kind: "pin", window: LoginWindow, pair: MaxDeviceKeyFailuresPerAddr, err: pinLimits.err}

const deviceKeyAccount = "device-key"

// deviceKeySource is the source wrong device keys from addr are counted
// under.
func deviceKeySource(addr string) string { return "addr:" + SourceKey(addr) }

// deviceByKey returns the child device of key. A wrong key is ErrBadPIN
// and counted for addr; an address at MaxDeviceKeyFailuresPerAddr is
// refused (ERATELIMITED) for every key, right or wrong, so that the answer
// never tells whether a key it tried exists. Keys have 256 random bits; the
// limit keeps the endpoints from being a free oracle anyway.
//
// A revoked key (00048) is ErrDeviceRevoked, not counted, and answered
// before the limit: a revoked tablet that keeps sending its key must not
// lock the family's other devices on its network out, and it learns to
// forget the key even from an address at its limit. That a key was
// revoked tells only its holder, who had it when it was valid, anything.
func (s *Store) deviceByKey(ctx context.Context, key, addr string) (dbsqlc.ChildDevice, error) {
	okKey := key != "" && len(key) <= 128
	if okKey {
		if err := s.keyRevoked(ctx, key); err != nil {
			return dbsqlc.ChildDevice{}, err
		}
	}
	source := deviceKeySource(addr)
	if err := s.allowed(ctx, deviceKeyLimits, deviceKeyAccount, source); err != nil {
		return dbsqlc.ChildDevice{}, err
	}
	if okKey {
		dev, err := s.Q.ChildDeviceGetByToken(ctx, s.Pool, childDeviceHash(key))
		if err == nil {
			return dev, nil
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return dbsqlc.ChildDevice{}, Err(err, "")
		}
		// Revoked since the check above (the revoke deletes the device
		// and keeps its key in one statement): not counted either.
		if err := s.keyRevoked(ctx, key); err != nil {
			return dbsqlc.ChildDevice{}, err
		}
	}
	if _, err := s.reserve(ctx, deviceKeyLimits, deviceKeyAccount, source); err != nil {
		return dbsqlc.ChildDevice{}, err
	}
	return dbsqlc.ChildDevice{}, ErrBadPIN
}

// keyRevoked answers ErrDeviceRevoked if key is a revoked device's key.
func (s *Store) keyRevoked(ctx context.Context, key string) error {
	revoked, err := s.Q.ChildDeviceKeyRevoked(ctx, s.Pool, childDeviceHash(key))
	if err != nil {
		return Err(err, "")
	}
	if revoked {
		return ErrDeviceRevoked
	}
	return nil
}

// ChildDeviceChildren returns the display names of the children with a PIN
// in the family of the device with key (at most MaxChildNames), which the
// device offers as buttons: the device was set up by an adult of the
// family, so it may know who can sign in on it, and nothing else (no ids,
// no adults). A wrong key is ErrBadPIN, counted like at the PIN sign-in,
// a revoked one ErrDeviceRevoked (deviceByKey).
func (s *Store) ChildDeviceChildren(ctx context.Context, key, addr string) ([]string, error) {
	dev, err := s.deviceByKey(ctx, key, addr)
	if err != nil {
		return nil, err
	}
	names, err := s.Q.MemberChildNamesWithPIN(ctx, s.Pool, dbsqlc.MemberChildNamesWithPINParams{FamilyID: dev.FamilyID, Max: MaxChildNames})
	return names, Err(err, "")
}
