package familyhub

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Roles of a family member. They are stored in memberships.role and sent in
// the API; never change a published one.
const (
	RoleOwner  = "owner"  // everything, including members and family settings
	RoleMember = "member" // an adult: everything on the family's data
	RoleChild  = "child"  // reads everything; changes a few things (docs/api.md)
)

// Auth is who is calling: a signed-in member of one family, on one session
// and device. A background job acting for a family carries an Auth with its
// FamilyID and no UserID. Every domain operation scopes its queries to
// FamilyID: another family's rows are "not found".
type Auth struct {
	UserID    uuid.UUID // uuid.Nil for the system (a job)
	FamilyID  uuid.UUID
	Role      string    // one of the Role* constants; "" for the system
	SessionID uuid.UUID // uuid.Nil when not signed in through a session (CalDAV, jobs)
	// DeviceID is the client's X-Device-ID (or "caldav"): recorded on the
	// events its changes produce, so a device can skip its own echoes.
	DeviceID string
	// ExpiresAt is when the session ends (zero without a session).
	ExpiresAt time.Time
	// LegacyCookie says the session was made before its cookie had the
	// __Host- name: over HTTPS only such a session is let in under the
	// cookie's old name (http/cookie.go).
	LegacyCookie bool
}

// SystemAuth is the caller of background work done for a family.
func SystemAuth(familyID uuid.UUID) *Auth { return &Auth{FamilyID: familyID} }

// IsSystem reports whether a is a background job rather than a person.
func (a *Auth) IsSystem() bool { return a.UserID == uuid.Nil }

type authKey struct{}

// NewContextWithAuth returns ctx carrying a.
func NewContextWithAuth(ctx context.Context, a *Auth) context.Context {
	return context.WithValue(ctx, authKey{}, a)
}

// AuthFromContext returns the caller carried by ctx, or nil when there is none.
func AuthFromContext(ctx context.Context) *Auth {
	a, _ := ctx.Value(authKey{}).(*Auth)
	return a
}
