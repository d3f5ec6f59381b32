package http

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// The family: members and roles, invites, children's devices, the family
// itself (docs/api/family.md). Who may do what is decided by the domain
// operations (familyhub.Permission); handlers only translate.

// mountFamily adds the family endpoints to the authenticated API router.
func (s *Server) mountFamily(r chi.Router) {
	r.Patch("/family", s.handleFamilyUpdate)
	r.Delete("/family", s.handleFamilyDelete)
	r.Post("/family/leave", s.handleFamilyLeave)
	r.Get("/family/members", s.handleMemberList)
	r.Patch("/family/members/{user_id}", s.handleMemberUpdate)
	r.Delete("/family/members/{user_id}", s.handleMemberRemove)
	r.Post("/family/members/{user_id}/reset-code", s.handleResetCodeCreate)
	r.Post("/family/members/{user_id}/unlock", s.memberAction((*db.Tx).MemberUnlock))
	r.Put("/family/members/{user_id}/pin", s.handleMemberPINSet)
	r.Delete("/family/members/{user_id}/pin", s.memberAction(func(tx *db.Tx, ctx context.Context, id uuid.UUID) error { return tx.MemberSetPIN(ctx, id, nil) }))
	r.Get("/family/invites", s.handleInviteList)
	r.Post("/family/invites", s.handleInviteCreate)
	r.Delete("/family/invites/{id}", s.deleteHandler("invite", (*db.Tx).InviteDelete))
	r.Get("/family/child-devices", s.handleChildDeviceList)
	r.Post("/family/child-devices", s.handleChildDeviceCreate)
	r.Delete("/family/child-devices/{id}", s.deleteHandler("child device", (*db.Tx).ChildDeviceDelete))
	r.Delete("/me", s.handleAccountDelete)
}

// JSON shapes.

type memberJSON struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	JoinedAt    time.Time `json:"joined_at"`
	HasPIN      bool      `json:"has_pin"`
	Locked      bool      `json:"locked"`
}

func toMemberJSON(m db.Member) memberJSON {
	return memberJSON{ID: m.ID, DisplayName: m.DisplayName, Role: m.Role, JoinedAt: m.JoinedAt, HasPIN: m.HasPIN, Locked: m.Locked}
}

func toMembersJSON(ms []db.Member) []memberJSON {
	out := make([]memberJSON, len(ms))
	for i, m := range ms {
		out[i] = toMemberJSON(m)
	}
	return out
}

type inviteJSON struct {
	ID uuid.UUID `json:"id"`
	// Code is present only in the answer to POST: only its hash is stored.
	Code      string     `json:"code,omitempty"`
	Role      string     `json:"role"`
	Status    string     `json:"status"` // open, used, expired
	CreatedBy *uuid.UUID `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
	ExpiresAt time.Time  `json:"expires_at"`
	UsedAt    *time.Time `json:"used_at"`
	UsedBy    *uuid.UUID `json:"used_by"`
}

func toInviteJSON(i dbsqlc.Invite) inviteJSON {
	status := "open"
	switch {
	case i.UsedAt != nil:
		status = "used"
	case !i.ExpiresAt.After(time.Now()):
		status = "expired"
	}
	return inviteJSON{ID: i.ID, Role: i.Role, Status: status, CreatedBy: i.CreatedBy, CreatedAt: i.CreatedAt,
		ExpiresAt: i.ExpiresAt, UsedAt: i.UsedAt, UsedBy: i.UsedBy}
}

type childDeviceJSON struct {
	ID   uuid.UUID `json:"id"`
	Name string    `json:"name"`
	// DeviceKey and FamilyCode are present only in the answer to POST: the
	// app on that device keeps the key and sends it with each PIN sign-in.
	DeviceKey  string     `json:"device_key,omitempty"`
	FamilyCode string     `json:"family_code,omitempty"`
	CreatedBy  *uuid.UUID `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
}

func toChildDeviceJSON(d dbsqlc.ChildDevice) childDeviceJSON {
	return childDeviceJSON{ID: d.ID, Name: d.Name, CreatedBy: d.CreatedBy, CreatedAt: d.CreatedAt, LastUsedAt: d.LastUsedAt}
}

// Handlers.

type familyUpdateRequest struct {
	Name          *string                       `json:"name"`
	TimeZone      *string                       `json:"time_zone"`
	DefaultListID familyhub.Optional[uuid.UUID] `json:"default_list_id"`
}

func (s *Server) handleFamilyUpdate(w http.ResponseWriter, r *http.Request) {
	var req familyUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	// If-Match (the family's version) makes the change conditional: 412
	// with the family as stored when another device changed it since.
	var out familyJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		f, err := tx.FamilyUpdate(r.Context(), db.FamilyPatch{Name: req.Name, TimeZone: req.TimeZone, DefaultListID: req.DefaultListID})
		out = toFamilyJSON(f)
		return err
	})
	s.respondRecord(w, r, http.StatusOK, out, out.Version, err)
}

func (s *Server) handleFamilyDelete(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	s.endingOwnAccess(w, r, func(tx *db.Tx) error { return tx.FamilyDelete(r.Context(), req.Name) })
}

func (s *Server) handleFamilyLeave(w http.ResponseWriter, r *http.Request) {
	s.endingOwnAccess(w, r, func(tx *db.Tx) error { return tx.FamilyLeave(r.Context()) })
}

func (s *Server) handleAccountDelete(w http.ResponseWriter, r *http.Request) {
	s.endingOwnAccess(w, r, func(tx *db.Tx) error { return tx.AccountDelete(r.Context()) })
}

// endingOwnAccess runs an operation that ends the caller's own access
// (leaving, deleting the account or the family): 204 and the cookie
// cleared.
func (s *Server) endingOwnAccess(w http.ResponseWriter, r *http.Request, op func(tx *db.Tx) error) {
	if err := s.store.TxRetry(r.Context(), op); err != nil {
		s.Error(w, r, err)
		return
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleMemberList(w http.ResponseWriter, r *http.Request) {
	var out []memberJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		ms, err := tx.MemberList(r.Context())
		out = toMembersJSON(ms)
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

// memberID parses the {user_id} URL parameter (a malformed one is a
// member not found).
func memberID(r *http.Request) (uuid.UUID, error) {
	return parseID(chi.URLParam(r, "user_id"), "member")
}

func (s *Server) handleMemberUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := memberID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		Role string `json:"role"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var out memberJSON
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		m, err := tx.MemberSetRole(r.Context(), id, req.Role)
		out = toMemberJSON(m)
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleMemberRemove(w http.ResponseWriter, r *http.Request) {
	id, err := memberID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if id == authFrom(r).UserID { // removing oneself is leaving
		s.handleFamilyLeave(w, r)
		return
	}
	s.memberAction((*db.Tx).MemberRemove)(w, r)
}

// memberAction answers POST/DELETE .../members/{user_id}/...: op on that
// member inside the request's transaction, 204.
func (s *Server) memberAction(op func(tx *db.Tx, ctx context.Context, id uuid.UUID) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := memberID(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error { return op(tx, r.Context(), id) }); err != nil {
			s.Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *Server) handleResetCodeCreate(w http.ResponseWriter, r *http.Request) {
	id, err := memberID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var out map[string]any
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		code, expires, err := tx.ResetCodeCreate(r.Context(), id)
		out = map[string]any{"user_id": id, "code": code, "expires_at": expires}
		return err
	})
	s.respond(w, r, http.StatusCreated, out, err)
}

func (s *Server) handleMemberPINSet(w http.ResponseWriter, r *http.Request) {
	id, err := memberID(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var req struct {
		PIN string `json:"pin"`
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := db.ValidatePIN("pin", req.PIN); err != nil {
		s.Error(w, r, err)
		return
	}
	// Refuse before the (slow) hash when the caller may not anyway.
	if a := authFrom(r); !familyhub.Can(a.Role, familyhub.ActMemberManage) {
		s.Error(w, r, familyhub.Forbidden(a.Role, familyhub.ActMemberManage))
		return
	}
	hash, err := db.HashPassword(req.PIN, s.cfg.Password)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error { return tx.MemberSetPIN(r.Context(), id, &hash) }); err != nil {
		s.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type inviteCreateRequest struct {
	Role           string     `json:"role"`
	ExpiresInHours *int       `json:"expires_in_hours"`
	CreateKey      *uuid.UUID `json:"create_key"` // db.Tx.CreateKeyed
}

func (s *Server) handleInviteCreate(w http.ResponseWriter, r *http.Request) {
	var req inviteCreateRequest
	if err := decodeOptionalJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	p := db.InviteNew{Role: req.Role}
	if req.ExpiresInHours != nil {
		h := *req.ExpiresInHours
		if h < 1 || h > int(db.MaxInviteTTL.Hours()) {
			s.Error(w, r, familyhub.Invalid("expires_in_hours", "expires_in_hours must be 1 to %d.", int(db.MaxInviteTTL.Hours())))
			return
		}
		p.TTL = time.Duration(h) * time.Hour
	}
	var out inviteJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		return tx.CreateKeyed(r.Context(), req.CreateKey, "invite", p, func() (uuid.UUID, error) {
			inv, code, err := tx.InviteMake(r.Context(), p)
			out = toInviteJSON(inv)
			out.Code = code
			return inv.ID, err
		})
	})
	s.respond(w, r, http.StatusCreated, out, err)
}

func (s *Server) handleInviteList(w http.ResponseWriter, r *http.Request) {
	var out []inviteJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		invs, err := tx.InviteList(r.Context())
		out = make([]inviteJSON, len(invs))
		for i, inv := range invs {
			out[i] = toInviteJSON(inv)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

func (s *Server) handleChildDeviceCreate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name      string     `json:"name"`
		CreateKey *uuid.UUID `json:"create_key"` // db.Tx.CreateKeyed
	}
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	var out childDeviceJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		return tx.CreateKeyed(r.Context(), req.CreateKey, "child-device", req.Name, func() (uuid.UUID, error) {
			d, key, err := tx.ChildDeviceCreate(r.Context(), req.Name)
			if err != nil {
				return d.ID, err
			}
			acc, err := tx.AccountGet(r.Context(), authFrom(r).UserID)
			out = toChildDeviceJSON(d)
			out.DeviceKey, out.FamilyCode = key, acc.Family.Code
			return d.ID, err
		})
	})
	s.respond(w, r, http.StatusCreated, out, err)
}

func (s *Server) handleChildDeviceList(w http.ResponseWriter, r *http.Request) {
	var out []childDeviceJSON
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		ds, err := tx.ChildDeviceList(r.Context())
		out = make([]childDeviceJSON, len(ds))
		for i, d := range ds {
			out[i] = toChildDeviceJSON(d)
		}
		return err
	})
	s.respond(w, r, http.StatusOK, out, err)
}

// decodeOptionalJSON is decodeJSON for a body that may be absent (all its
// fields optional): an empty body leaves v as it is.
func decodeOptionalJSON(w http.ResponseWriter, r *http.Request, v any) error {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	br := bufio.NewReader(r.Body)
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return nil
	}
	r.Body = struct {
		io.Reader
		io.Closer
	}{br, r.Body}
	return decodeJSON(w, r, v)
}
