package http

import (
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// A person's own account: signed-in devices, password change and reset,
// children's PIN sign-in (docs/api/family.md).

// mountAccountPublic adds the endpoints that need no session.
func (s *Server) mountAccountPublic(r chi.Router) {
	r.Post("/auth/reset", s.handlePasswordReset)
	r.Post("/auth/pin", s.handlePINSignIn)
	r.Post("/auth/pin/children", s.handlePINChildren)
}

// mountAccount adds the endpoints of the signed-in person.
func (s *Server) mountAccount(r chi.Router) {
	r.Post("/auth/password", s.handlePasswordChange)
	r.Get("/auth/sessions", s.handleSessionList)
	r.Delete("/auth/sessions", s.handleSessionEndOthers)
	r.Delete("/auth/sessions/{id}", s.handleSessionEnd)
}

type sessionListJSON struct {
	ID uuid.UUID `json:"id"`
	// DeviceName is what the client called its device at sign-in, or the
	// child device's name for a PIN sign-in; null when neither.
	DeviceName *string   `json:"device_name"`
	UserAgent  string    `json:"user_agent"`
	ClientAddr string    `json:"client_addr"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	// Current is the session this request came with.
	Current bool `json:"current"`
	// ChildDeviceID is the child device of a PIN sign-in.
	ChildDeviceID *uuid.UUID `json:"child_device_id"`
}

func (s *Server) handleSessionList(w http.ResponseWriter, r *http.Request) {
	var out []sessionListJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		rows, err := tx.SessionList(r.Context())
		out = make([]sessionListJSON, len(rows))
		for i, row := range rows {
			name := row.DeviceName
			if name == nil {
				name = row.ChildDeviceName
			}
			out[i] = sessionListJSON{
				ID: row.ID, DeviceName: name, UserAgent: row.UserAgent, ClientAddr: row.ClientAddr,
				CreatedAt: row.CreatedAt, LastSeenAt: row.LastSeenAt, ExpiresAt: row.ExpiresAt,
				Current: row.ID == authFrom(r).SessionID, ChildDeviceID: row.ChildDeviceID,
			}
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleSessionEnd(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "session")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error { return tx.SessionEnd(r.Context(), id) }); err != nil {
		s.Error(w, r, err)
		return
	}
	if id == authFrom(r).SessionID {
		s.clearCookie(w, r)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleSessionEndOthers(w http.ResponseWriter, r *http.Request) {
	var n int64
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) (err error) { n, err = tx.SessionEndOthers(r.Context()); return err })
	s.respond(w, r, http.StatusOK, map[string]int64{"ended": n}, err)
}

type passwordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

// handlePasswordChange checks the current password like a sign-in (counted
// against the same limits) and sets the new one: the caller's other
// sessions end, this one stays.
func (s *Server) handlePasswordChange(w http.ResponseWriter, r *http.Request) {
	var req passwordChangeRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.CurrentPassword == "" {
		s.Error(w, r, familyhub.Invalid("current_password", "current_password is required."))
		return
	}
	if err := db.ValidatePassword("new_password", req.NewPassword); err != nil {
		s.Error(w, r, err)
		return
	}
	var email string
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		acc, err := tx.AccountGet(r.Context(), authFrom(r).UserID)
		email = acc.User.Email
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	addr := s.clientAddr(r)
	if _, err := s.store.CheckCredentials(r.Context(), email, req.CurrentPassword, addr, db.CredentialOpts{}); err != nil {
		if familyhub.ErrorCode(err) == familyhub.EUNAUTHORIZED {
			// Not 401: the session is fine, the typed password is not.
			err = familyhub.Invalid("current_password", "The current password is wrong.")
		}
		s.limitedError(w, r, err, db.LoginWindow)
		return
	}
	hash, err := db.HashPassword(req.NewPassword, s.cfg.Password)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error { return tx.PasswordChange(r.Context(), hash) }); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type passwordResetRequest struct {
	Email       string `json:"email"`
	Code        string `json:"code"`
	NewPassword string `json:"new_password"`
}

// handlePasswordReset sets a new password with a reset code an owner made.
// A wrong, used or expired code and an unknown email answer alike.
func (s *Server) handlePasswordReset(w http.ResponseWriter, r *http.Request) {
	var req passwordResetRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	email, err := db.NormalizeEmail(req.Email)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Code == "" || len(req.Code) > 64 {
		s.Error(w, r, familyhub.Invalid("code", "code is the reset code an owner of your family made for you."))
		return
	}
	if err := db.ValidatePassword("new_password", req.NewPassword); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.store.PasswordReset(r.Context(), email, req.Code, req.NewPassword, s.cfg.Password, s.clientAddr(r)); err != nil {
		s.limitedError(w, r, err, db.LoginWindow)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type pinSignInRequest struct {
	DeviceKey   string  `json:"device_key"`
	FamilyCode  string  `json:"family_code"`
	Name        string  `json:"name"`
	PIN         string  `json:"pin"`
	ReturnToken bool    `json:"return_token"`
	DeviceName  *string `json:"device_name"`
}

// handlePINSignIn signs a child in with family code, name and PIN on a
// child device (its device_key): 200 with the account, like login.
func (s *Server) handlePINSignIn(w http.ResponseWriter, r *http.Request) {
	var req pinSignInRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	meta, err := s.sessionMeta(r, req.DeviceName)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	child, device, err := s.store.CheckPIN(r.Context(), db.PINSignIn{
		DeviceKey: req.DeviceKey, FamilyCode: req.FamilyCode, Name: req.Name, PIN: req.PIN, Addr: s.clientAddr(r),
	})
	if err != nil {
		s.deviceKeyError(w, r, err, "PIN sign-in failed")
		return
	}
	meta.ChildDevice = &device
	s.logger.Info("PIN sign-in", "user_id", child, "child_device_id", device)
	s.signIn(w, r, child, meta, req.ReturnToken)
}

type pinChildrenRequest struct {
	DeviceKey string `json:"device_key"`
}

type pinChildrenJSON struct {
	// Names are the display names of the family's children with a PIN.
	Names []string `json:"names"`
}

// handlePINChildren answers a children's device (its device_key) the names
// of its family's children with a PIN, which it offers as buttons. A wrong
// key is 401 like a failed PIN sign-in, and counts against the same
// limits; a revoked one is 401 device_revoked, not counted.
func (s *Server) handlePINChildren(w http.ResponseWriter, r *http.Request) {
	var req pinChildrenRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	names, err := s.store.ChildDeviceChildren(r.Context(), req.DeviceKey, s.clientAddr(r))
	if err != nil {
		s.deviceKeyError(w, r, err, "children's device key refused")
		return
	}
	if names == nil {
		names = []string{}
	}
	WriteJSON(w, http.StatusOK, pinChildrenJSON{Names: names})
}

// revokedKeyLine is the line a revoked children's device's key is logged
// with, at Info: the app forgets the key when told, so it is expected about
// once per revoked device (per tab that had it open), not a guess.
const revokedKeyLine = "revoked children's device refused"

// deviceKeyError answers a refused PIN sign-in or children's names request
// and logs it: a wrong key (or family code, name or PIN, an over-long PIN
// or name too) at Warn as failed, once per try (every one is counted and
// soon refused, 429, which is not logged), a
// revoked device's key at Info (revokedKeyLine). Its family and device are
// not known: the server keeps only the revoked key's hash
// (child_device_revoked_keys), and neither the key nor its hash is
// logged; path tells the PIN try from the names. A revoked key is not
// counted, so a script or an old cached app that keeps sending it would
// write a line per request for the 90 days the hash is kept: the line is
// rate-limited per address, as the tries are counted (db.SourceKey: an
// IPv6 /64), to one per logThrottleEvery (revokedKeyLog), with how many
// were left out before it (unlogged_since).
func (s *Server) deviceKeyError(w http.ResponseWriter, r *http.Request, err error, failed string) {
	addr := s.clientAddr(r)
	switch familyhub.ErrorCode(err) {
	case familyhub.EUNAUTHORIZED:
		s.logger.Warn(failed, "client_addr", addr)
	case familyhub.EDEVREVOKED:
		if logIt, attrs := s.revokedKeyLog.note(db.SourceKey(addr), time.Now()); logIt {
			s.logger.Info(revokedKeyLine, append([]any{"client_addr", addr, "path", logPath(r)}, attrs...)...)
		}
	}
	s.limitedError(w, r, err, db.LoginWindow)
}
