package main

import (
	"context"
	"errors"
	"flag"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// TestJobsRunDailyTasksTwoProcesses: two `familyhub jobs run daily-tasks
// --date D` processes started together make one instance per template; the
// API shows it with its template, and a socket of the family hears it.
func TestJobsRunDailyTasksTwoProcesses(t *testing.T) {
	parallelInQuickLoop(t)
	bin := familyhubBinary(t)
	url := dbtest.URL(t)
	m := startMain(t, url)
	ana := newFamily(t, m, "ana@example.org")
	var tpl struct{ ID string }
	ana.call(t, m.URL(), 201, "POST", "/api/tasks", map[string]any{"title": "Feed the cat", "recurrence": "FREQ=DAILY"}, &tpl)
	day := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly) // the family's zone is UTC
	ws := dialWS(t, m, ana, "")
	ws.nextType("hello", 5*time.Second)

	cmds := make([]*exec.Cmd, 2)
	outs := make([]strings.Builder, 2)
	for i := range cmds {
		cmds[i] = exec.Command(bin, "jobs", "run", "daily-tasks", "--date", day)
		cmds[i].Env = append(os.Environ(), "DATABASE_URL="+url)
		cmds[i].Stdout, cmds[i].Stderr = &outs[i], &outs[i]
	}
	for _, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, outs[i].String())
		}
	}

	var n int
	if err := m.Pool.QueryRow(context.Background(), `SELECT count(*) FROM tasks WHERE template_id = $1 AND instance_date = $2`, tpl.ID, day).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("%d instances for %s, want 1", n, day)
	}
	var tasks []struct {
		ID         string  `json:"id"`
		TemplateID *string `json:"template_id"`
	}
	ana.call(t, m.URL(), 200, "GET", "/api/tasks?date="+day, nil, &tasks)
	var instance string
	for _, task := range tasks {
		if task.TemplateID != nil && *task.TemplateID == tpl.ID {
			instance = task.ID
		}
	}
	if instance == "" {
		t.Fatalf("GET /api/tasks?date=%s: no instance of the template in %+v", day, tasks)
	}
	for {
		ev := ws.nextType("TASK_UPDATED", 10*time.Second)
		if ev["id"] == instance {
			if ev["op"] != "insert" || ev["actor"] != nil {
				t.Fatalf("instance event %v: want an insert without actor", ev)
			}
			break
		}
	}
}

func TestJobsRunUsage(t *testing.T) {
	t.Setenv("DATABASE_URL", "")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"jobs", "run"}, "daily-tasks"},
		{[]string{"jobs", "start"}, "want: run"},
		{[]string{"jobs", "run", "nope"}, "unknown job"},
		{[]string{"jobs", "run", "daily-tasks", "--date", "tomorrow"}, "--date"},
		{[]string{"jobs", "run", "categorise", "--list", "42"}, "--list"},
		{[]string{"jobs", "run", "prune-events", "extra"}, "unexpected argument"},
		{[]string{"jobs", "run", "prune-events", "--event-retention", "1m"}, "event retention"},
		{[]string{"jobs", "run", "prune-events"}, "DATABASE_URL"},
	}
	for _, tc := range cases {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			err := run(t.Context(), tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tc.want)
			}
		})
	}
	if err := run(t.Context(), []string{"jobs"}); !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("bare `jobs`: %v", err)
	}
	t.Setenv("FAMILYHUB_DAILY_TASKS_HOUR", "noon")
	if err := run(t.Context(), []string{"jobs", "run", "daily-tasks"}); err == nil || !strings.Contains(err.Error(), "FAMILYHUB_DAILY_TASKS_HOUR") {
		t.Fatalf("bad env: %v", err)
	}
}

// TestDailyTasksRotationAPI: a chore set to rotate over REST goes round its
// members, one instance each, in the given order.
func TestDailyTasksRotationAPI(t *testing.T) {
	parallelInQuickLoop(t)
	// Creating the chore below makes today's instance on the server's
	// clock, and the loop counts from today on the test's: a midnight
	// between the two made the loop start on the day after the one made,
	// and the rotation looked a turn behind.
	dbtest.ClearOfMidnight(t, 2*time.Minute)
	url := dbtest.URL(t)
	m := startMain(t, url)
	ana := newFamily(t, m, "ana@example.org")
	ben := join(t, m, ana, "ben@example.org")
	ana.call(t, m.URL(), 422, "POST", "/api/tasks", map[string]any{"title": "Once", "rotation": []string{ana.userID}}, nil)
	ana.call(t, m.URL(), 422, "POST", "/api/tasks", map[string]any{"title": "Dishes", "recurrence": "FREQ=DAILY",
		"rotation": []string{ana.userID, "7b0c1d52-0000-4000-8000-000000000000"}}, nil)
	var tpl struct {
		ID       string   `json:"id"`
		Rotation []string `json:"rotation"`
	}
	ana.call(t, m.URL(), 201, "POST", "/api/tasks", map[string]any{"title": "Dishes", "recurrence": "FREQ=DAILY",
		"rotation": []string{ben.userID, ana.userID}}, &tpl)
	if len(tpl.Rotation) != 2 || tpl.Rotation[0] != ben.userID {
		t.Fatalf("rotation = %v", tpl.Rotation)
	}
	e, err := m.newJobsEngine(m.Store)
	if err != nil {
		t.Fatal(err)
	}
	// Creating the chore made today's instance already, with the first
	// member of the rotation; the days after go round in order.
	// (Today read once: read in each turn, a run across midnight UTC
	// skipped a day and the rotation looked wrong.)
	var got []string
	today := time.Now().UTC()
	for i := 0; i <= 3; i++ {
		day := today.AddDate(0, 0, i).Format(time.DateOnly)
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		cmd, err := e.Command("daily-tasks", fs)
		if err != nil {
			t.Fatal(err)
		}
		if err := fs.Parse([]string{"--date", day}); err != nil {
			t.Fatal(err)
		}
		if err := cmd.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		var assignee string
		if err := m.Pool.QueryRow(t.Context(), `SELECT assignee_id::text FROM tasks WHERE template_id = $1 AND instance_date = $2`, tpl.ID, day).Scan(&assignee); err != nil {
			t.Fatal(err)
		}
		got = append(got, assignee)
	}
	if want := []string{ben.userID, ana.userID, ben.userID, ana.userID}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("assignees %v, want %v", got, want)
	}
	// Clearing the rotation.
	ana.call(t, m.URL(), 200, "PATCH", "/api/tasks/"+tpl.ID, map[string]any{"rotation": nil}, &tpl)
	if tpl.Rotation != nil {
		t.Fatalf("rotation after clearing: %v", tpl.Rotation)
	}
}
