package db_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestAssistantCommandLastOfUserIndex: the spoken undo's lookup of the
// speaker's last command (AssistantCommandLastOfUser, its real text from
// dbtest.QueryText) goes straight to the speaker's newest commands in the
// family through assistant_commands_user_received_idx (00046) and reads a
// few pages, also for a member whose commands are all old in a family
// busy with another member's, and also as a generic plan (what a
// prepared statement settles on). Before 00046 the planner walked the
// family's index from its newest command past all of the other member's
// (697 pages here). A user's deletion still finds their commands by index.
func TestAssistantCommandLastOfUserIndex(t *testing.T) {
	ctx := context.Background()
	pool := dbtest.Pool(t)
	var family, other, speaker, busy uuid.UUID
	if err := pool.QueryRow(ctx, `WITH f AS (INSERT INTO families (name, time_zone) VALUES ('F', 'UTC'), ('G', 'UTC') RETURNING id, name),
		u AS (INSERT INTO users (email, password_hash, display_name) VALUES ('speaker@example.org', 'x', 'S'), ('busy@example.org', 'x', 'B') RETURNING id, display_name),
		m AS (INSERT INTO memberships (family_id, user_id) SELECT f.id, u.id FROM f, u WHERE f.name = 'F')
		SELECT (SELECT id FROM f WHERE name = 'F'), (SELECT id FROM f WHERE name = 'G'),
		       (SELECT id FROM u WHERE display_name = 'S'), (SELECT id FROM u WHERE display_name = 'B')`).Scan(&family, &other, &speaker, &busy); err != nil {
		t.Fatal(err)
	}
	// The speaker's commands in the family, two days old: the one to find,
	// then a refusal and a spoken undo after it, which do not count. The
	// busy member's 30,000 commands of the last hours, and the speaker's
	// recent ones in another family (a member who moved: a user is in one
	// family at a time), come after all of them.
	for _, insert := range []struct {
		sql          string
		family, user uuid.UUID
	}{
		{`INSERT INTO assistant_commands (family_id, user_id, text, locale, intent, outcome, message, error_code, received_at)
		VALUES ($1, $2, 'add milk', 'en', 'shopping.add', 'executed', 'Added milk.', NULL, now() - interval '2 days 2 minutes'),
		       ($1, $2, 'fly me', 'en', NULL, 'refused', 'No.', 'invalid', now() - interval '2 days 1 minute'),
		       ($1, $2, 'undo that', 'en', 'command.undo', 'executed', 'Nothing.', NULL, now() - interval '2 days')`, family, speaker},
		{`INSERT INTO assistant_commands (family_id, user_id, text, locale, intent, outcome, message, received_at)
		SELECT $1, $2, 'add eggs', 'en', 'shopping.add', 'executed', 'Added eggs.', now() - i * interval '1 second'
		FROM generate_series(1, 30000) i`, family, busy},
		{`INSERT INTO assistant_commands (family_id, user_id, text, locale, intent, outcome, message, received_at)
		SELECT $1, $2, 'add jam', 'en', 'shopping.add', 'executed', 'Added jam.', now() - i * interval '1 second'
		FROM generate_series(1, 1000) i`, other, speaker},
	} {
		if _, err := pool.Exec(ctx, insert.sql, insert.family, insert.user); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := pool.Exec(ctx, `ANALYZE assistant_commands`); err != nil {
		t.Fatal(err)
	}

	query, err := dbtest.QueryText("assistant.sql", "AssistantCommandLastOfUser")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "PREPARE last_of_user AS "+query); err != nil {
		t.Fatal(err)
	}
	// EXECUTE takes no parameters of the protocol: the ids are written in.
	execute := fmt.Sprintf("EXECUTE last_of_user('%s', '%s', 'command.undo', NULL)", family, speaker)
	// plan is one node of EXPLAIN's JSON, with the buffers of its subtree.
	type plan struct {
		NodeType  string `json:"Node Type"`
		IndexName string `json:"Index Name"`
		Hit       int64  `json:"Shared Hit Blocks"`
		Read      int64  `json:"Shared Read Blocks"`
		Plans     []plan `json:"Plans"`
	}
	var indexes func(p plan) []string
	indexes = func(p plan) []string {
		names := []string{}
		if p.IndexName != "" {
			names = append(names, p.IndexName)
		}
		for _, c := range p.Plans {
			names = append(names, indexes(c)...)
		}
		return names
	}
	for _, mode := range []string{"force_custom_plan", "force_generic_plan"} {
		if _, err := conn.Exec(ctx, "SET plan_cache_mode = "+mode); err != nil {
			t.Fatal(err)
		}
		// The answer itself: the speaker's command in this family, not the
		// refusal or the spoken undo after it.
		rows, err := conn.Query(ctx, execute)
		if err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		got, err := pgx.CollectOneRow(rows, pgx.RowToMap)
		if err != nil || got["text"] != "add milk" {
			t.Fatalf("%s: the last command is %v (%v), want the speaker's \"add milk\"", mode, got["text"], err)
		}
		var out []byte
		if err := conn.QueryRow(ctx, "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON) "+execute).Scan(&out); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
		var explained []struct{ Plan plan }
		if err := json.Unmarshal(out, &explained); err != nil || len(explained) != 1 {
			t.Fatalf("%s: EXPLAIN's JSON: %v\n%s", mode, err, out)
		}
		top := explained[0].Plan
		used := indexes(top)
		if len(used) != 1 || used[0] != "assistant_commands_user_received_idx" {
			t.Errorf("%s: the lookup uses indexes %v, want only assistant_commands_user_received_idx:\n%s", mode, used, out)
		}
		if pages := top.Hit + top.Read; pages > 10 {
			t.Errorf("%s: the lookup read %d pages, want at most 10:\n%s", mode, pages, out)
		}
	}

	// The index replaced 00010's (user_id) index, which served a user's
	// deletion (ON DELETE SET NULL: this UPDATE): the new one leads with
	// user_id and serves it in its place. The table is small enough to
	// read whole by choice; without a scan to choose, the planner shows
	// whether an index can find the rows.
	tx, err := conn.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	var update string
	if _, err := tx.Exec(ctx, `SET LOCAL enable_seqscan = off`); err != nil {
		t.Fatal(err)
	}
	if err := tx.QueryRow(ctx, `EXPLAIN (COSTS OFF, FORMAT JSON) UPDATE assistant_commands SET user_id = NULL WHERE user_id = $1`, speaker).Scan(&update); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(update, `"assistant_commands_user_received_idx"`) {
		t.Errorf("a user's deletion does not find their commands by the index:\n%s", update)
	}
}
