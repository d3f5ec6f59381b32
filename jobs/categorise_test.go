package jobs

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/familyhub/familyhub/db/dbtest"
	"github.com/familyhub/familyhub/llm"
)

// fakeModel is an OpenAI-compatible endpoint that files quinoa under
// "pantry" and gizmo under "snacks", and counts the questions. With hold set, the
// first question waits (without answering) until hold is closed.
type fakeModel struct {
	srv   *httptest.Server
	asked atomic.Int32
	first chan struct{} // closed when the first question arrived
	hold  chan struct{}
	fail  atomic.Bool // answer 503 instead
}

func newFakeModel(t *testing.T, hold bool) *fakeModel {
	t.Helper()
	m := &fakeModel{first: make(chan struct{})}
	if hold {
		m.hold = make(chan struct{})
	}
	m.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m.asked.Add(1) == 1 {
			close(m.first)
			if m.hold != nil {
				select {
				case <-m.hold:
				case <-r.Context().Done():
					return
				}
			}
		}
		if m.fail.Load() {
			http.Error(w, "overloaded", http.StatusServiceUnavailable)
			return
		}
		answer := `{"quinoa": "pantry", "gizmo": "snacks"}`
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]string{"role": "assistant", "content": answer}}}})
	}))
	t.Cleanup(m.srv.Close)
	return m
}

func (m *fakeModel) config() llm.Config { return llm.Config{URL: m.srv.URL + "/v1", Model: "tiny"} }

// TestCategoriseAsksOncePerItem: the sweep and an item's own job run at
// once and both find the same unfiled item; the model is asked about it
// once. The first worker's question is held at the fake model until the
// second worker has run to its end, so the second one always had the
// chance to ask (without the claims it did: twice).
func TestCategoriseAsksOncePerItem(t *testing.T) {
	for _, first := range []string{"item job", "sweep"} {
		t.Run(first+" first", func(t *testing.T) {
			pool := dbtest.Pool(t)
			ctx := context.Background()
			family, _ := newFamilyRows(t, pool, "UTC", 1)
			list := newList(t, pool, family)
			model := newFakeModel(t, true)
			e := newTestEngine(t, pool, Config{Classifier: model.config()})
			quinoa := addItem(t, pool, family, list, "quinoa")

			itemJob := CategoriseArgs{FamilyID: &family, ItemIDs: []uuid.UUID{quinoa}}
			sweep := CategoriseArgs{}
			a, b := itemJob, sweep
			if first == "sweep" {
				a, b = sweep, itemJob
			}
			aDone := make(chan error, 1)
			go func() { aDone <- e.runCategorise(ctx, a) }()
			<-model.first // a asks, and waits for the answer
			if err := e.runCategorise(ctx, b); err != nil {
				t.Fatal(err)
			}
			close(model.hold)
			if err := <-aDone; err != nil {
				t.Fatal(err)
			}
			if n := model.asked.Load(); n != 1 {
				t.Fatalf("the model was asked %d times about one item, want once", n)
			}
			if got := itemCategory(t, pool, quinoa); got != "pantry/auto" {
				t.Fatalf("quinoa: %s, want pantry/auto", got)
			}
			if n := scalar[int](t, pool, `SELECT count(*) FROM shopping_classifier_claims`); n != 0 {
				t.Fatalf("%d claims left after both runs, want none (released)", n)
			}
		})
	}
}

// TestCategoriseClaims: a claim another worker holds keeps the model from
// being asked and the item unfiled (it is that worker's); an expired one
// (its worker died) or one on the item's old name does not; a failed
// question releases its claim, so the retry asks at once; the prune job
// deletes expired claims only.
func TestCategoriseClaims(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	list := newList(t, pool, family)
	model := newFakeModel(t, false)
	e := newTestEngine(t, pool, Config{Classifier: model.config()})
	quinoa := addItem(t, pool, family, list, "quinoa")
	claim := func(item uuid.UUID, name, until string) {
		exec(t, pool, `INSERT INTO shopping_classifier_claims (item_id, name, claimed_by, claimed_until)
			VALUES ($1, $2, gen_random_uuid(), now() + $3::interval)
			ON CONFLICT (item_id, name) DO UPDATE SET claimed_until = excluded.claimed_until`, item, name, until)
	}
	sweep := func() {
		t.Helper()
		if err := e.runCategorise(ctx, CategoriseArgs{}); err != nil {
			t.Fatal(err)
		}
	}

	claim(quinoa, "quinoa", "1 minute")
	sweep()
	if n := model.asked.Load(); n != 0 {
		t.Fatalf("the model was asked %d times about an item another worker holds", n)
	}
	if got := itemCategory(t, pool, quinoa); got != "/" {
		t.Fatalf("quinoa filed while another worker holds it: %s", got)
	}

	claim(quinoa, "quinoa", "-1 second") // that worker died
	model.fail.Store(true)
	if err := e.runCategorise(ctx, CategoriseArgs{}); err == nil {
		t.Fatal("the classifier's failure not reported")
	}
	if n := scalar[int](t, pool, `SELECT count(*) FROM shopping_classifier_claims WHERE claimed_until > now()`); n != 0 {
		t.Fatalf("%d live claims after a failed question, want none (released)", n)
	}
	model.fail.Store(false)
	sweep()
	if n, got := model.asked.Load(), itemCategory(t, pool, quinoa); n != 2 || got != "pantry/auto" {
		t.Fatalf("after an expired claim, a failure and a retry: asked %d times, quinoa %s; want 2, pantry/auto", n, got)
	}

	// Renamed while another worker asks about its old name: its own job
	// asks about the new one.
	claim(quinoa, "quinoa", "1 minute")
	exec(t, pool, `UPDATE shopping_items SET name = 'gizmo' WHERE id = $1`, quinoa)
	if err := e.runCategorise(ctx, CategoriseArgs{FamilyID: &family, ItemIDs: []uuid.UUID{quinoa}}); err != nil {
		t.Fatal(err)
	}
	if n, got := model.asked.Load(), itemCategory(t, pool, quinoa); n != 3 || got != "snacks/auto" {
		t.Fatalf("renamed: asked %d times, gizmo %s; want 3, snacks/auto", n, got)
	}

	claim(uuid.New(), "old", "-3 minutes")
	cmd, err := e.Command("prune-events", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if names := scalar[[]string](t, pool, `SELECT array_agg(name ORDER BY name) FROM shopping_classifier_claims`); len(names) != 1 || names[0] != "quinoa" {
		t.Fatalf("claims after pruning: %v, want the live one only", names)
	}
}

// TestCategoriseRenamedWhileAsked: an item renamed while a run asks the
// model about its old name is filed by the rename's job (asked about the
// new name); the first run's answer, about a name the item no longer has,
// files nothing.
func TestCategoriseRenamedWhileAsked(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	list := newList(t, pool, family)
	model := newFakeModel(t, true)
	e := newTestEngine(t, pool, Config{Classifier: model.config()})
	item := addItem(t, pool, family, list, "quinoa")
	job := CategoriseArgs{FamilyID: &family, ItemIDs: []uuid.UUID{item}}

	first := make(chan error, 1)
	go func() { first <- e.runCategorise(ctx, job) }()
	<-model.first
	exec(t, pool, `UPDATE shopping_items SET name = 'gizmo' WHERE id = $1`, item)
	if err := e.runCategorise(ctx, job); err != nil {
		t.Fatal(err)
	}
	close(model.hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if n, got := model.asked.Load(), itemCategory(t, pool, item); n != 2 || got != "snacks/auto" {
		t.Fatalf("asked %d times, gizmo %s; want 2 (quinoa, then gizmo), snacks/auto", n, got)
	}
}

// TestCategoriseClaimRereads: a run that read an item as unfiled before
// another run asked about it, filed it and released its claim gets the
// claim, but reads the item again after claiming and does not ask.
func TestCategoriseClaimRereads(t *testing.T) {
	pool := dbtest.Pool(t)
	ctx := context.Background()
	family, _ := newFamilyRows(t, pool, "UTC", 1)
	list := newList(t, pool, family)
	model := newFakeModel(t, false)
	e := newTestEngine(t, pool, Config{Classifier: model.config()})
	quinoa := addItem(t, pool, family, list, "quinoa")

	stale, err := e.store.CategoriseCandidates(ctx, list, nil) // the sweep's read
	if err != nil || len(stale.Items) != 1 {
		t.Fatalf("candidates: %v, %v", stale.Items, err)
	}
	if err := e.runCategorise(ctx, CategoriseArgs{FamilyID: &family, ItemIDs: []uuid.UUID{quinoa}}); err != nil {
		t.Fatal(err)
	}
	claim, err := e.store.ClaimClassifierQuestions(ctx, list, nil, stale.Items, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if len(claim.Items) != 0 {
		t.Fatalf("claimed %v to ask about, already filed", claim.Items)
	}
	if err := e.store.ReleaseClassifierClaim(ctx, claim); err != nil {
		t.Fatal(err)
	}
	if n := model.asked.Load(); n != 1 {
		t.Fatalf("the model was asked %d times, want once", n)
	}
}

// TestCategoriseLeaseBoundedByJob: a claim's lease never outlasts the job
// that holds it by more than its minute (River cancels a job at
// JobTimeout, so its question cannot last longer). A classifier timeout
// past the sweep's window (an hour) made a dead run's claim outlive it:
// the item's rescued job found the claim held and finished, the sweep
// found it held until the item was past its window, and the item stayed
// unfiled for good.
func TestCategoriseLeaseBoundedByJob(t *testing.T) {
	pool := dbtest.Pool(t)
	model := newFakeModel(t, false)
	cfg := model.config()
	cfg.Timeout = 2 * time.Hour
	e := newTestEngine(t, pool, Config{Classifier: cfg, JobTimeout: 5 * time.Minute, RescueAfter: 15 * time.Minute})
	if got, want := e.classifierLease(), 6*time.Minute; got != want {
		t.Fatalf("lease %s with a 2h classifier timeout and a 5m job timeout, want %s", got, want)
	}
	if got, want := e.classifierLease(), e.cfg.SweepWindow; got >= want {
		t.Fatalf("lease %s outlasts the sweep's window %s", got, want)
	}
	e = newTestEngine(t, pool, Config{Classifier: model.config()}) // the 15 s default
	if got, want := e.classifierLease(), 2*time.Minute; got != want {
		t.Fatalf("lease %s with the default timeouts, want %s", got, want)
	}
}
