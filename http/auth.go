package http

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// sessionToken returns the token from "Authorization: Bearer" or the
// session cookie (sessionCookie: either name), and whether it came under
// the cookie's old name over HTTPS (oldName): then only a legacy session
// may be let in (http/cookie.go).
func (s *Server) sessionToken(r *http.Request) (token string, viaCookie, oldName bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false, false
		}
		return "", false, false
	}
	if c := s.sessionCookie(r); c != nil {
		return c.Value, true, c.Name == SessionCookie && s.cookieSecure(r)
	}
	return "", false, false
}

// Authenticate resolves the request's session token to the caller, with
// the request's device id. It returns nil and no error when there is no
// valid session, and an error only when the database could not be asked.
// The realtime endpoints' ?ticket= is read by realtimeAuthenticate only:
// parsing the query costs a map per request, and every REST call comes
// here.
func (s *Server) Authenticate(r *http.Request) (*familyhub.Auth, error) {
	a, _, err := s.authenticateToken(r)
	return a, err
}

// authenticateToken is Authenticate, and returns the live session it
// refused because its token came under the cookie's old name over HTTPS
// and the session is not legacy (planted: see sessionCookie).
func (s *Server) authenticateToken(r *http.Request) (a, planted *familyhub.Auth, err error) {
	token, _, oldName := s.sessionToken(r)
	a, err = s.store.SessionAuthenticate(r.Context(), token)
	if a == nil {
		return nil, nil, err
	}
	if oldName && !a.LegacyCookie {
		return nil, a, nil
	}
	a.DeviceID = DeviceID(r)
	return a, nil, nil
}

// realtimeAuthenticate is Authenticate for /ws and /sse, which also take a
// single-use ?ticket= (it goes before the token), and, when it finds no
// caller, says whether the refused token or ticket is a removed member's
// (sessionRemoved; for a ticket only the use that used it up says so,
// db.Store.TicketAuthenticate). A cookie of the old name refused over
// HTTPS is cleared in w and logged, as for REST (refuseOldCookie): the
// answer is the 401 before any upgrade. A cookie of the old name beside a
// __Host- one is cleared as REST clears it (dropOldCookie), whether the
// stream opens or not and whatever admits it (the cookie, a ?ticket=):
// the WebSocket's 101 and the event stream's 200 carry the Set-Cookie
// like any answer. Before, only REST cleared it, and a PWA that talks
// mostly over its socket kept sending it.
func (s *Server) realtimeAuthenticate(w http.ResponseWriter, r *http.Request) (a *familyhub.Auth, removed bool, err error) {
	s.dropOldCookie(w, r)
	if ticket := r.URL.Query().Get("ticket"); ticket != "" {
		a, removed, err = s.store.TicketAuthenticate(r.Context(), ticket)
		if a != nil {
			a.DeviceID = DeviceID(r)
		}
		return a, removed, err
	}
	a, planted, err := s.authenticateToken(r)
	if a != nil || err != nil {
		return a, false, err
	}
	if planted != nil {
		s.refuseOldCookie(w, r, planted)
	}
	removed, err = s.sessionRemoved(r)
	return nil, removed, err
}

// authenticate attaches the caller to the request context when the request
// carries a valid session; it never refuses a request itself.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gen := s.authGen()
		a, planted, err := s.authenticateToken(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if planted != nil {
			s.refuseOldCookie(w, r, planted)
		}
		s.dropOldCookie(w, r)
		if a == nil {
			// A refused token of a removed member: RequireAuth says so.
			removed, err := s.sessionRemoved(r)
			if err != nil {
				s.Error(w, r, err)
				return
			}
			if removed {
				r = r.WithContext(context.WithValue(r.Context(), removedKey{}, true))
			}
		}
		if a != nil {
			s.moveCookie(w, r, a)
			ctx := familyhub.NewContextWithAuth(r.Context(), a)
			if s.rt != nil { // the long poll joins the hub with it (realtime.JoinParams.AuthGen)
				ctx = context.WithValue(ctx, authGenKey{}, gen)
			}
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// sessionRemoved says whether the request's session token, which
// Authenticate refused, is that of a session revoked because its member
// left or was removed from the family. Only the holder of the token's
// secret can ask: an unknown or wrong one is never told more than
// unauthorized.
func (s *Server) sessionRemoved(r *http.Request) (bool, error) {
	token, _, oldName := s.sessionToken(r)
	if token == "" {
		return false, nil
	}
	return s.store.SessionRemoved(r.Context(), token, oldName)
}

// errRemoved answers a request made with the session of a member who left
// or was removed from the family, as a long poll waiting then does.
func errRemoved() error {
	return familyhub.Errorf(familyhub.EREMOVED, "You are no longer a member of this family: ask a member for an invite code to join again.")
}

// removedKey marks a request whose refused session token is a removed
// member's (authenticate, RequireAuth).
type removedKey struct{}

// authGenKey keys the realtime hub's AuthGen read before the request's
// caller was authenticated.
type authGenKey struct{}

// authGen returns the hub's AuthGen (0 without realtime).
func (s *Server) authGen() uint64 {
	if s.rt == nil {
		return 0
	}
	return s.rt.hub.AuthGen()
}

// authGenOf returns what authenticate noted for r.
func authGenOf(r *http.Request) uint64 {
	g, _ := r.Context().Value(authGenKey{}).(uint64)
	return g
}

// RequireAuth answers 401 to requests without a valid session: with the
// code removed_from_family when the session ended because its member left
// or was removed from the family, unauthorized otherwise.
func RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if familyhub.AuthFromContext(r.Context()) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="familyhub"`)
			if removed, _ := r.Context().Value(removedKey{}).(bool); removed {
				writeError(w, r, nil, errRemoved())
				return
			}
			writeError(w, r, nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first: no valid session cookie or bearer token."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authFrom returns the caller of a request behind RequireAuth.
func authFrom(r *http.Request) *familyhub.Auth { return familyhub.AuthFromContext(r.Context()) }

// JSON shapes of accounts.

type userJSON struct {
	ID          uuid.UUID `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// AppPasswordsRevokedAt: when a password change or reset last revoked
	// the person's app passwords (null: never); the app says so by the list.
	AppPasswordsRevokedAt *time.Time `json:"app_passwords_revoked_at"`
}

func toUserJSON(u dbsqlc.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		AppPasswordsRevokedAt: u.AppPasswordsRevokedAt}
}

type familyJSON struct {
	ID       uuid.UUID `json:"id"`
	Name     string    `json:"name"`
	TimeZone string    `json:"time_zone"`
	// Code is the family code children type with their name and PIN.
	Code string `json:"code"`
	// DefaultListID is the shopping list the assistant adds to when no
	// list is named (null: the only list, else the first).
	DefaultListID *uuid.UUID `json:"default_list_id"`
	// Version goes back as If-Match with PATCH /api/family.
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toFamilyJSON(f dbsqlc.Family) familyJSON {
	return familyJSON{ID: f.ID, Name: f.Name, TimeZone: f.TimeZone, Code: f.Code, DefaultListID: f.DefaultListID,
		Version: f.Version, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

type sessionJSON struct {
	ExpiresAt time.Time `json:"expires_at"`
	// Token is present only when the client asked for it (return_token).
	Token string `json:"token,omitempty"`
	// lifetime is from the session's start to ExpiresAt (sessionOf).
	lifetime time.Duration
}

// sessionOf returns what the client learns of a new session: when it
// ends, and how long it lasts, both by PostgreSQL's clock.
func sessionOf(sess dbsqlc.Session) sessionJSON {
	return sessionJSON{ExpiresAt: sess.ExpiresAt, lifetime: sess.ExpiresAt.Sub(sess.CreatedAt)}
}

type accountResponse struct {
	User    userJSON    `json:"user"`
	Family  familyJSON  `json:"family"`
	Role    string      `json:"role"`
	Session sessionJSON `json:"session"`
}

func toAccountResponse(acc db.Account, sess dbsqlc.Session) accountResponse {
	return accountResponse{User: toUserJSON(acc.User), Family: toFamilyJSON(acc.Family), Role: acc.Role, Session: sessionOf(sess)}
}

// Handlers.

type signupRequest struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	DisplayName string `json:"display_name"`
	FamilyName  string `json:"family_name"`
	InviteCode  string `json:"invite_code"`
	TimeZone    string `json:"time_zone"`
	// ReturnToken asks for the session token in the body (for native
	// clients that send it as a bearer token) instead of a cookie.
	ReturnToken bool    `json:"return_token"`
	DeviceName  *string `json:"device_name"`
}

// signup returns the account to create, checked against the server's
// sign-up mode.
func (req *signupRequest) signup(mode string) (db.Signup, error) {
	p := db.Signup{Email: req.Email, Password: req.Password, DisplayName: req.DisplayName, FamilyName: req.FamilyName, InviteCode: req.InviteCode, TimeZone: req.TimeZone}
	if mode == SignupClosed {
		return p, familyhub.Errorf(familyhub.EFORBIDDEN, "Sign-up is closed on this server.")
	}
	return p, p.Normalize(mode == SignupInvite)
}

// handleSignup answers alike for known and unknown emails wherever the
// request fails before the account would be made (input, mode, invite):
// the invite is checked before the email, and attempts per address are
// limited (db.CountSignup). A known email's password goes through the
// sign-in check and its limits (db.Store.SignupCheck); the new password is
// hashed only for a new account, once nothing before can refuse it.
func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	var req signupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	p, err := req.signup(s.cfg.Signup)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	meta, err := s.sessionMeta(r, req.DeviceName)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	addr := s.clientAddr(r)
	if err := s.store.CountSignup(r.Context(), addr); err != nil {
		s.limitedError(w, r, err, db.SignupWindow)
		return
	}
	if err := s.store.SignupCheck(r.Context(), &p, addr); err != nil {
		if familyhub.ErrorCode(err) == familyhub.ECONFLICT {
			// A known email with a wrong password: a failed sign-in.
			s.logger.Warn("signup failed", "email", p.Email, "client_addr", addr)
		}
		s.limitedError(w, r, err, db.LoginWindow)
		return
	}
	var hash string
	if p.NewAccount() {
		if hash, err = db.HashPassword(p.Password, s.cfg.Password); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	var resp accountResponse
	var token string
	meta.IssuedAs = s.issuedAs(r, req.ReturnToken)
	err = s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		acc, err := tx.Signup(r.Context(), p, hash)
		if err != nil {
			return err
		}
		var sess dbsqlc.Session
		token, sess, err = tx.SessionCreate(r.Context(), acc.User.ID, meta)
		resp = toAccountResponse(acc, sess)
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.deliverSession(w, r, &resp.Session, token, req.ReturnToken)
	WriteJSON(w, http.StatusCreated, resp)
}

type loginRequest struct {
	Email       string  `json:"email"`
	Password    string  `json:"password"`
	ReturnToken bool    `json:"return_token"`
	DeviceName  *string `json:"device_name"`
}

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	email, err := db.NormalizeEmail(req.Email)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Password == "" {
		s.Error(w, r, familyhub.Invalid("password", "password is required."))
		return
	}
	if len(req.Password) > familyhub.MaxPasswordBytes {
		s.Error(w, r, familyhub.Invalid("password", "password is longer than %d bytes.", familyhub.MaxPasswordBytes))
		return
	}
	meta, err := s.sessionMeta(r, req.DeviceName)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	addr := s.clientAddr(r)
	user, err := s.store.CheckCredentials(r.Context(), email, req.Password, addr, db.CredentialOpts{})
	if err != nil {
		s.credentialError(w, r, email, addr, err)
		return
	}
	s.logger.Info("login", "user_id", user.ID, "client_addr", addr)
	s.signIn(w, r, user.ID, meta, req.ReturnToken)
}

// signIn makes a session for a user whose credentials were checked and
// answers with the account (200), the session as cookie or in the body.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, userID uuid.UUID, meta db.SessionMeta, inBody bool) {
	var resp accountResponse
	var token string
	meta.IssuedAs = s.issuedAs(r, inBody)
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		acc, err := tx.AccountGet(r.Context(), userID)
		if err != nil {
			return err
		}
		var sess dbsqlc.Session
		token, sess, err = tx.SessionCreate(r.Context(), userID, meta)
		resp = toAccountResponse(acc, sess)
		return err
	})
	if err != nil {
		if meta.ChildDevice != nil && familyhub.ErrorCode(err) == familyhub.EDEVREVOKED {
			// Revoked between the PIN check and the session (db.SessionCreate).
			s.logger.Info(revokedKeyLine, "child_device_id", *meta.ChildDevice, "user_id", userID, "client_addr", s.clientAddr(r), "path", logPath(r))
		}
		s.Error(w, r, err)
		return
	}
	s.deliverSession(w, r, &resp.Session, token, inBody)
	WriteJSON(w, http.StatusOK, resp)
}

// credentialError answers a failed credential check: logged, and with
// Retry-After when rate-limited.
func (s *Server) credentialError(w http.ResponseWriter, r *http.Request, email, addr string, err error) {
	if familyhub.ErrorCode(err) == familyhub.EUNAUTHORIZED {
		s.logger.Warn("login failed", "email", email, "client_addr", addr)
	}
	s.limitedError(w, r, err, db.LoginWindow)
}

// limitedError answers err, with Retry-After when it is ERATELIMITED.
func (s *Server) limitedError(w http.ResponseWriter, r *http.Request, err error, retry time.Duration) {
	if familyhub.ErrorCode(err) == familyhub.ERATELIMITED {
		w.Header().Set("Retry-After", strconv.Itoa(int(retry.Seconds())))
	}
	s.Error(w, r, err)
}

// handleLogout ends the request's session, if it still has one, and always
// clears the cookie: 204 also when the session is gone already (expired,
// signed out on another device, its member removed). Behind RequireAuth a
// dead session answered 401 and kept its cookie, which the page cannot
// delete itself (HttpOnly): every later request sent it again. Only a
// failure to end a live session is an error (the cookie then stays, so
// that the person can retry, rather than believe a live session ended).
func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if a := familyhub.AuthFromContext(r.Context()); a != nil {
		if err := s.store.SessionRevoke(r.Context(), a.SessionID); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// handleRefresh rotates the session: a new token replaces the old one, which
// stops working at once. Cookie sessions get a new cookie, bearer sessions
// the new token in the body.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	var session sessionJSON
	var token string
	_, viaCookie, _ := s.sessionToken(r)
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		var sess dbsqlc.Session
		var err error
		meta, err := s.sessionMeta(r, nil)
		if err != nil {
			return err
		}
		meta.IssuedAs = s.issuedAs(r, !viaCookie)
		token, sess, err = tx.SessionRotate(r.Context(), meta)
		session = sessionOf(sess)
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.deliverSession(w, r, &session, token, !viaCookie)
	WriteJSON(w, http.StatusOK, map[string]any{"session": session})
}

type meResponse struct {
	User   userJSON   `json:"user"`
	Family familyJSON `json:"family"`
	// Role is the caller's role; Permissions says, for every action of the
	// roles table, how far the caller may take it ("all", "own", "none"),
	// so that an app hides what its user may not do.
	Role        string            `json:"role"`
	Permissions map[string]string `json:"permissions"`
	Members     []memberJSON      `json:"members"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	var resp meResponse
	err := s.store.TxRetry(r.Context(), func(tx *db.Tx) error {
		acc, err := tx.AccountGet(r.Context(), authFrom(r).UserID)
		if err != nil {
			return err
		}
		members, err := tx.MemberList(r.Context())
		if err != nil {
			return err
		}
		resp.User, resp.Family, resp.Role = toUserJSON(acc.User), toFamilyJSON(acc.Family), acc.Role
		resp.Permissions = permissionsJSON(acc.Role)
		resp.Members = toMembersJSON(members)
		return nil
	})
	s.respond(w, r, http.StatusOK, resp, err)
}

func permissionsJSON(role string) map[string]string {
	out := map[string]string{}
	for _, act := range familyhub.Actions() {
		out[string(act)] = familyhub.Permission(role, act).String()
	}
	return out
}

// Sessions.

// sessionMeta describes the requesting client for a new session, with the
// device name it gave (1-100 characters, or nil).
func (s *Server) sessionMeta(r *http.Request, deviceName *string) (db.SessionMeta, error) {
	m := db.SessionMeta{UserAgent: r.UserAgent(), ClientAddr: s.clientAddr(r), TTL: s.cfg.SessionTTL}
	if deviceName != nil {
		name, err := db.TrimmedText("device_name", *deviceName, 1, 100)
		if err != nil {
			return m, err
		}
		m.DeviceName = &name
	}
	return m, nil
}

// deliverSession hands the token to the client: in the body when asked,
// otherwise as the session cookie, for the session's whole lifetime
// (sj.lifetime, by PostgreSQL's clock: the cookie's Max-Age does not
// depend on this replica's clock).
func (s *Server) deliverSession(w http.ResponseWriter, r *http.Request, sj *sessionJSON, token string, inBody bool) {
	if inBody {
		sj.Token = token
		return
	}
	s.setSessionCookie(w, r, token, sj.lifetime, sj.ExpiresAt)
}
