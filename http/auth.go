package http

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
	"github.com/familyhub/familyhub/db/dbsqlc"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "familyhub_session"

// Failed-login limits, counted in the database so they hold across replicas.
const (
	loginWindow        = 15 * time.Minute
	maxFailuresByEmail = 10
	maxFailuresByAddr  = 50
	inviteTTL          = 7 * 24 * time.Hour
)

// Auth is the authenticated caller of a request.
type Auth struct {
	SessionID uuid.UUID
	UserID    uuid.UUID
	FamilyID  uuid.UUID
	ExpiresAt time.Time
	// ViaCookie is false when the token came in an Authorization header.
	ViaCookie bool
}

type authKey struct{}

// AuthFrom returns the caller's Auth, or nil for an anonymous request.
func AuthFrom(ctx context.Context) *Auth {
	a, _ := ctx.Value(authKey{}).(*Auth)
	return a
}

// WithAuth returns ctx carrying a.
func WithAuth(ctx context.Context, a *Auth) context.Context {
	return context.WithValue(ctx, authKey{}, a)
}

// sessionToken returns the token from "Authorization: Bearer" or the cookie.
func sessionToken(r *http.Request) (token string, viaCookie bool) {
	if h := r.Header.Get("Authorization"); h != "" {
		if t, ok := strings.CutPrefix(h, "Bearer "); ok {
			return strings.TrimSpace(t), false
		}
		return "", false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}

// Authenticate resolves the request's session token to an Auth. It returns
// nil and no error when there is no valid session, and an error only when
// the database could not be asked.
func (s *Server) Authenticate(r *http.Request) (*Auth, error) {
	token, viaCookie := sessionToken(r)
	if token == "" || len(token) > 128 {
		return nil, nil
	}
	row, err := s.store.Q.SessionAuthenticate(r.Context(), s.store.Pool, hashToken(token))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, db.Err(err, "session")
	}
	return &Auth{SessionID: row.SessionID, UserID: row.UserID, FamilyID: row.FamilyID, ExpiresAt: row.ExpiresAt, ViaCookie: viaCookie}, nil
}

// authenticate attaches the caller's Auth to the request context when the
// request carries a valid session; it never refuses a request itself.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := s.Authenticate(r)
		if err != nil {
			s.Error(w, r, err)
			return
		}
		if a != nil {
			ctx := WithAuth(r.Context(), a)
			ctx = db.WithActor(ctx, db.Actor{UserID: a.UserID, DeviceID: DeviceID(r)})
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// RequireAuth answers 401 to requests without a valid session.
func RequireAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if AuthFrom(r.Context()) == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="familyhub"`)
			writeError(w, r, nil, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Sign in first: no valid session cookie or bearer token."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// JSON shapes of accounts.

type userJSON struct {
	ID          uuid.UUID `json:"id"`
	Email       string    `json:"email"`
	DisplayName string    `json:"display_name"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func toUserJSON(u dbsqlc.User) userJSON {
	return userJSON{ID: u.ID, Email: u.Email, DisplayName: u.DisplayName, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
}

type familyJSON struct {
	ID        uuid.UUID `json:"id"`
	Name      string    `json:"name"`
	TimeZone  string    `json:"time_zone"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

func toFamilyJSON(f dbsqlc.Family) familyJSON {
	return familyJSON{ID: f.ID, Name: f.Name, TimeZone: f.TimeZone, CreatedAt: f.CreatedAt, UpdatedAt: f.UpdatedAt}
}

type memberJSON struct {
	ID          uuid.UUID `json:"id"`
	DisplayName string    `json:"display_name"`
	Role        string    `json:"role"`
	JoinedAt    time.Time `json:"joined_at"`
}

type sessionJSON struct {
	ExpiresAt time.Time `json:"expires_at"`
	// Token is present only when the client asked for it (return_token).
	Token string `json:"token,omitempty"`
}

type accountResponse struct {
	User    userJSON    `json:"user"`
	Family  familyJSON  `json:"family"`
	Session sessionJSON `json:"session"`
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
	ReturnToken bool `json:"return_token"`
}

func (req *signupRequest) validate(mode string) error {
	var err error
	if req.Email, err = normalizeEmail(req.Email); err != nil {
		return err
	}
	if err := validatePassword(req.Password); err != nil {
		return err
	}
	req.DisplayName = strings.TrimSpace(req.DisplayName)
	if err := validateText("display_name", req.DisplayName, 1, 100); err != nil {
		return err
	}
	req.FamilyName = strings.TrimSpace(req.FamilyName)
	req.InviteCode = normalizeInviteCode(req.InviteCode)
	switch {
	case mode == SignupClosed:
		return familyhub.Errorf(familyhub.EFORBIDDEN, "Sign-up is closed on this server.")
	case req.FamilyName != "" && req.InviteCode != "":
		return familyhub.Invalid("invite_code", "Give either family_name (to create a family) or invite_code (to join one), not both.")
	case req.InviteCode != "":
		if req.TimeZone != "" {
			return familyhub.Invalid("time_zone", "time_zone belongs to the family; it cannot be set when joining one.")
		}
		return nil
	case mode == SignupInvite:
		return familyhub.Invalid("invite_code", "This server only accepts sign-ups with an invite code.")
	case req.FamilyName == "":
		return familyhub.Invalid("family_name", "family_name (to create a family) or invite_code (to join one) is required.")
	}
	if err := validateText("family_name", req.FamilyName, 1, 200); err != nil {
		return err
	}
	if req.TimeZone == "" {
		req.TimeZone = "UTC"
	}
	return ValidateTimeZone("time_zone", req.TimeZone)
}

func (s *Server) handleSignup(w http.ResponseWriter, r *http.Request) {
	var req signupRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if err := req.validate(s.cfg.Signup); err != nil {
		s.Error(w, r, err)
		return
	}
	hash, err := HashPassword(req.Password, s.cfg.Password)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	var resp accountResponse
	var token string
	err = s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		q := s.store.Q
		var family dbsqlc.Family
		role := "member"
		if req.InviteCode != "" {
			user, err := q.UserInsert(r.Context(), tx, dbsqlc.UserInsertParams{Email: req.Email, PasswordHash: hash, DisplayName: req.DisplayName})
			if err != nil {
				return db.Err(err, "user")
			}
			invite, err := q.InviteRedeem(r.Context(), tx, dbsqlc.InviteRedeemParams{UsedBy: &user.ID, CodeHash: hashToken(req.InviteCode)})
			if errors.Is(err, pgx.ErrNoRows) {
				return familyhub.Invalid("invite_code", "This invite code is unknown, used or expired.")
			} else if err != nil {
				return err
			}
			if family, err = q.FamilyGet(r.Context(), tx, invite.FamilyID); err != nil {
				return err
			}
			resp.User = toUserJSON(user)
		} else {
			var err error
			if family, err = q.FamilyInsert(r.Context(), tx, dbsqlc.FamilyInsertParams{Name: req.FamilyName, TimeZone: req.TimeZone}); err != nil {
				return db.Err(err, "family")
			}
			user, err := q.UserInsert(r.Context(), tx, dbsqlc.UserInsertParams{Email: req.Email, PasswordHash: hash, DisplayName: req.DisplayName})
			if err != nil {
				return db.Err(err, "user")
			}
			resp.User, role = toUserJSON(user), "owner"
		}
		if err := q.MembershipInsert(r.Context(), tx, dbsqlc.MembershipInsertParams{FamilyID: family.ID, UserID: resp.User.ID, Role: role}); err != nil {
			return err
		}
		resp.Family = toFamilyJSON(family)
		var err error
		token, resp.Session, _, err = s.createSession(r, tx, resp.User.ID)
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
	Email       string `json:"email"`
	Password    string `json:"password"`
	ReturnToken bool   `json:"return_token"`
}

// dummyHash is verified against when the email is unknown, so that a login
// for an unknown account takes as long as one for a known account.
var dummyHash, _ = HashPassword("familyhub-dummy-password", DefaultPasswordParams)

func (s *Server) handleLogin(w http.ResponseWriter, r *http.Request) {
	var req loginRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	email, err := normalizeEmail(req.Email)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Password == "" {
		s.Error(w, r, familyhub.Invalid("password", "password is required."))
		return
	}
	if len(req.Password) > maxPasswordBytes {
		s.Error(w, r, familyhub.Invalid("password", "password is longer than %d bytes.", maxPasswordBytes))
		return
	}
	ctx, addr := r.Context(), s.clientAddr(r)
	counts, err := s.store.Q.AuthFailureCount(ctx, s.store.Pool, dbsqlc.AuthFailureCountParams{
		Email: email, ClientAddr: addr, WindowSeconds: loginWindow.Seconds(),
	})
	if err != nil {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	if counts.ByEmail >= maxFailuresByEmail || counts.ByAddr >= maxFailuresByAddr {
		w.Header().Set("Retry-After", strconv.Itoa(int(loginWindow.Seconds())))
		s.Error(w, r, familyhub.Errorf(familyhub.ERATELIMITED, "Too many failed sign-in attempts; try again in %d minutes.", int(loginWindow.Minutes())))
		return
	}

	user, err := s.store.Q.UserGetByEmail(ctx, s.store.Pool, email)
	known := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		s.Error(w, r, db.Err(err, ""))
		return
	}
	hash := dummyHash
	if known {
		hash = user.PasswordHash
	}
	ok, err := VerifyPassword(req.Password, hash)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if !ok || !known {
		if err := s.recordLoginFailure(ctx, email, addr); err != nil {
			s.Error(w, r, err)
			return
		}
		s.Error(w, r, familyhub.Errorf(familyhub.EUNAUTHORIZED, "Wrong email or password."))
		return
	}

	var resp accountResponse
	var token string
	err = s.store.Tx(ctx, func(tx pgx.Tx) error {
		m, err := s.store.Q.MembershipGetByUser(ctx, tx, user.ID)
		if err != nil {
			return db.Err(err, "family membership")
		}
		family, err := s.store.Q.FamilyGet(ctx, tx, m.FamilyID)
		if err != nil {
			return err
		}
		resp.User, resp.Family = toUserJSON(user), toFamilyJSON(family)
		token, resp.Session, _, err = s.createSession(r, tx, user.ID)
		return err
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.logger.Info("login", "user_id", user.ID, "client_addr", addr)
	s.deliverSession(w, r, &resp.Session, token, req.ReturnToken)
	WriteJSON(w, http.StatusOK, resp)
}

// recordLoginFailure counts a failed login and prunes the counter table of
// entries too old to matter.
func (s *Server) recordLoginFailure(ctx context.Context, email, addr string) error {
	s.logger.Warn("login failed", "email", email, "client_addr", addr)
	return s.store.Tx(ctx, func(tx pgx.Tx) error {
		if err := s.store.Q.AuthFailureInsert(ctx, tx, dbsqlc.AuthFailureInsertParams{Email: email, ClientAddr: addr}); err != nil {
			return err
		}
		_, err := s.store.Q.AuthFailurePrune(ctx, tx, (24 * time.Hour).Seconds())
		return err
	})
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	if _, err := s.store.Q.SessionRevoke(r.Context(), s.store.Pool, a.SessionID); err != nil {
		s.Error(w, r, db.Err(err, "session"))
		return
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
}

// handleRefresh rotates the session: a new token replaces the old one, which
// stops working at once. Cookie sessions get a new cookie, bearer sessions
// the new token in the body.
func (s *Server) handleRefresh(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	var session sessionJSON
	var token string
	err := s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		var newID uuid.UUID
		var err error
		token, session, newID, err = s.createSession(r, tx, a.UserID)
		if err != nil {
			return err
		}
		// Open sockets of the old session move to the new one (the
		// "rotated" notice); they are not signed out.
		n, err := s.store.Q.SessionRotate(r.Context(), tx, dbsqlc.SessionRotateParams{ID: a.SessionID, ReplacedBy: &newID})
		if err != nil {
			return err
		}
		if n == 0 { // ended by a concurrent refresh or logout
			return familyhub.Errorf(familyhub.EUNAUTHORIZED, "The session has ended; sign in again.")
		}
		return nil
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.deliverSession(w, r, &session, token, !a.ViaCookie)
	WriteJSON(w, http.StatusOK, map[string]any{"session": session})
}

type meResponse struct {
	User    userJSON     `json:"user"`
	Family  familyJSON   `json:"family"`
	Members []memberJSON `json:"members"`
}

func (s *Server) handleMe(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	var resp meResponse
	err := s.store.Tx(r.Context(), func(tx pgx.Tx) error {
		user, err := s.store.Q.UserGet(r.Context(), tx, a.UserID)
		if err != nil {
			return err
		}
		family, err := s.store.Q.FamilyGet(r.Context(), tx, a.FamilyID)
		if err != nil {
			return err
		}
		members, err := s.store.Q.MemberList(r.Context(), tx, a.FamilyID)
		if err != nil {
			return err
		}
		resp.User, resp.Family = toUserJSON(user), toFamilyJSON(family)
		resp.Members = make([]memberJSON, len(members))
		for i, m := range members {
			resp.Members[i] = memberJSON{ID: m.ID, DisplayName: m.DisplayName, Role: m.Role, JoinedAt: m.JoinedAt}
		}
		return nil
	})
	if err != nil {
		s.Error(w, r, err)
		return
	}
	WriteJSON(w, http.StatusOK, resp)
}

type familyUpdateRequest struct {
	Name     *string `json:"name"`
	TimeZone *string `json:"time_zone"`
}

func (s *Server) handleFamilyUpdate(w http.ResponseWriter, r *http.Request) {
	var req familyUpdateRequest
	if err := decodeJSON(w, r, &req); err != nil {
		s.Error(w, r, err)
		return
	}
	if req.Name != nil {
		*req.Name = strings.TrimSpace(*req.Name)
		if err := validateText("name", *req.Name, 1, 200); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	if req.TimeZone != nil {
		if err := ValidateTimeZone("time_zone", *req.TimeZone); err != nil {
			s.Error(w, r, err)
			return
		}
	}
	a := AuthFrom(r.Context())
	family, err := s.store.Q.FamilyUpdate(r.Context(), s.store.Pool, dbsqlc.FamilyUpdateParams{ID: a.FamilyID, Name: req.Name, TimeZone: req.TimeZone})
	if err != nil {
		s.Error(w, r, db.Err(err, "family"))
		return
	}
	WriteJSON(w, http.StatusOK, toFamilyJSON(family))
}

func (s *Server) handleInviteCreate(w http.ResponseWriter, r *http.Request) {
	a := AuthFrom(r.Context())
	code := newInviteCode()
	invite, err := s.store.Q.InviteInsert(r.Context(), s.store.Pool, dbsqlc.InviteInsertParams{
		FamilyID: a.FamilyID, CodeHash: hashToken(normalizeInviteCode(code)), CreatedBy: &a.UserID,
		ExpiresAt: time.Now().Add(inviteTTL),
	})
	if err != nil {
		s.Error(w, r, db.Err(err, "invite"))
		return
	}
	WriteJSON(w, http.StatusCreated, map[string]any{"code": code, "expires_at": invite.ExpiresAt})
}

// Sessions.

// createSession stores a new session for user in tx and returns its token
// and id.
func (s *Server) createSession(r *http.Request, tx pgx.Tx, user uuid.UUID) (string, sessionJSON, uuid.UUID, error) {
	token := newToken()
	ua := r.UserAgent()
	if len(ua) > 512 {
		ua = strings.ToValidUTF8(ua[:512], "")
	}
	sess, err := s.store.Q.SessionInsert(r.Context(), tx, dbsqlc.SessionInsertParams{
		TokenHash: hashToken(token), UserID: user, ExpiresAt: time.Now().Add(s.cfg.SessionTTL),
		UserAgent: ua, ClientAddr: s.clientAddr(r),
	})
	if err != nil {
		return "", sessionJSON{}, uuid.Nil, err
	}
	return token, sessionJSON{ExpiresAt: sess.ExpiresAt}, sess.ID, nil
}

// deliverSession hands the token to the client: in the body when asked,
// otherwise as the session cookie.
func (s *Server) deliverSession(w http.ResponseWriter, r *http.Request, sj *sessionJSON, token string, inBody bool) {
	if inBody {
		sj.Token = token
		return
	}
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: token, Path: "/", Expires: sj.ExpiresAt,
		MaxAge: int(time.Until(sj.ExpiresAt).Seconds()), HttpOnly: true,
		Secure: s.cfg.SecureCookies || s.isHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
}

func (s *Server) clearCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{
		Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.cfg.SecureCookies || s.isHTTPS(r), SameSite: http.SameSiteLaxMode,
	})
}

// newToken returns 256 random bits, URL-safe.
func newToken() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b)
}

// hashToken is what the database stores for tokens and invite codes.
func hashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// inviteAlphabet is Crockford's base32: no I, L, O, U, easy to read aloud.
const inviteAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// newInviteCode returns a 50-bit code shown as XXXXX-XXXXX.
func newInviteCode() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	out := make([]byte, 0, 11)
	for i, c := range b {
		if i == 5 {
			out = append(out, '-')
		}
		out = append(out, inviteAlphabet[int(c)%len(inviteAlphabet)])
	}
	return string(out)
}

// normalizeInviteCode makes typing forgiving: case, dashes, spaces and the
// letters people confuse with digits do not matter.
func normalizeInviteCode(code string) string {
	r := strings.NewReplacer("-", "", " ", "", "O", "0", "I", "1", "L", "1")
	return r.Replace(strings.ToUpper(strings.TrimSpace(code)))
}

// Validation.

const maxPasswordBytes = 1024

func normalizeEmail(email string) (string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return "", familyhub.Invalid("email", "email is required.")
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || len(email) > 254 || !strings.Contains(email, "@") {
		return "", familyhub.Invalid("email", "email is not a valid address.")
	}
	return email, nil
}

func validatePassword(p string) error {
	switch {
	case utf8.RuneCountInString(p) < 8:
		return familyhub.Invalid("password", "password must be at least 8 characters.")
	case len(p) > maxPasswordBytes:
		return familyhub.Invalid("password", "password must be at most %d bytes.", maxPasswordBytes)
	}
	return nil
}

// validateText checks that v has between min and max characters and is
// valid UTF-8 without control characters.
func validateText(field, v string, min, max int) error {
	n := utf8.RuneCountInString(v)
	switch {
	case !utf8.ValidString(v):
		return familyhub.Invalid(field, "%s is not valid UTF-8.", field)
	case n < min && min == 1:
		return familyhub.Invalid(field, "%s is required.", field)
	case n < min || n > max:
		return familyhub.Invalid(field, "%s must be %d to %d characters.", field, min, max)
	case strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }):
		return familyhub.Invalid(field, "%s contains control characters.", field)
	}
	return nil
}

// ValidateTimeZone checks that name is an IANA time zone.
func ValidateTimeZone(field, name string) error {
	if name == "" || name == "Local" || len(name) > 64 {
		return familyhub.Invalid(field, "%s must be an IANA time zone such as Europe/Berlin.", field)
	}
	if _, err := time.LoadLocation(name); err != nil {
		return familyhub.Invalid(field, "%s %q is not a known IANA time zone.", field, name)
	}
	return nil
}
