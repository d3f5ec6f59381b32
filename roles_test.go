package familyhub

import (
	"os"
	"strings"
	"testing"

	"github.com/google/uuid"
)

// TestRolesTableDocumented: docs/api.md shows the same table as rules, row
// by row, so the two never drift apart.
func TestRolesTableDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, act := range Actions() {
		row := ""
		for _, line := range strings.Split(string(doc), "\n") {
			if strings.HasPrefix(line, "| `"+string(act)+"` |") {
				row = line
			}
		}
		if row == "" {
			t.Errorf("docs/api.md has no row for %s", act)
			continue
		}
		cells := strings.Split(strings.Trim(row, "| "), "|")
		got := []string{strings.TrimSpace(cells[len(cells)-3]), strings.TrimSpace(cells[len(cells)-2]), strings.TrimSpace(cells[len(cells)-1])}
		for i, role := range Roles {
			if want := Permission(role, act).String(); got[i] != want {
				t.Errorf("docs/api.md says %s may %s %q, the table says %q", role, act, got[i], want)
			}
		}
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	me, other := uuid.New(), uuid.New()
	child := &Auth{UserID: me, Role: RoleChild}
	cases := []struct {
		a        *Auth
		act      Action
		assignee *uuid.UUID
		want     bool
	}{
		{child, ActTaskComplete, nil, true},
		{child, ActTaskComplete, &me, true},
		{child, ActTaskComplete, &other, false},
		{child, ActShoppingListDelete, nil, false},
		{child, ActShoppingItemUpdate, &other, true},
		{&Auth{UserID: me, Role: RoleMember}, ActTaskComplete, &other, true},
		{&Auth{UserID: me, Role: RoleMember}, ActMemberManage, nil, false},
		{&Auth{UserID: me, Role: RoleOwner}, ActMemberManage, nil, true},
		{&Auth{UserID: me, Role: "admin"}, ActShoppingItemAdd, nil, false}, // unknown role: nothing
		{SystemAuth(uuid.New()), ActFamilyDelete, nil, true},               // jobs
	}
	for _, c := range cases {
		if got := c.a.Can(c.act, c.assignee); got != c.want {
			t.Errorf("%s %s on %v: %v, want %v", c.a.Role, c.act, c.assignee, got, c.want)
		}
	}
	if Can(RoleChild, "no.such.action") {
		t.Error("an unknown action is allowed")
	}
	if e := Forbidden(RoleChild, ActRecipeDelete); e.Code != EFORBIDDEN || !strings.Contains(e.Message, "delete recipes") {
		t.Errorf("forbidden: %+v", e)
	}
}
