package sqlite

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"gongconnector/internal/core"
)

func namedCall(id string, accounts []string, deals ...string) *core.Call {
	c := &core.Call{ID: id, Title: "Call " + id, Started: time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC), WorkspaceID: "w1"}
	for _, a := range accounts {
		c.Accounts = append(c.Accounts, core.Account{Name: a})
	}
	for _, d := range deals {
		c.Deals = append(c.Deals, core.Deal{Name: d})
	}
	return c
}

func wantNames(t *testing.T, db *DB, accounts, deals []string) {
	t.Helper()
	n, err := db.Names(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(n.Accounts, accounts) || !slices.Equal(n.Deals, deals) {
		t.Errorf("Names = %q / %q, want %q / %q", n.Accounts, n.Deals, accounts, deals)
	}
}

// The names follow every way calls change: added, renamed, listed twice,
// removed by a crawl, swept as unseen.
func TestNamesFollowTheCalls(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	wantNames(t, db, nil, nil)
	apply := func(b Batch) {
		t.Helper()
		if _, err := db.ApplyBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	apply(Batch{SeenRunID: 1, Upserts: []*core.Call{
		namedCall("1", []string{"Acme Corp"}, "Acme - Renewal"),
		namedCall("2", []string{"Acme Corp", "Acme Corp"}),
		namedCall("3", []string{"Contoso Ltd"}, "Contoso - Expansion"),
	}})
	wantNames(t, db, []string{"Acme Corp", "Contoso Ltd"}, []string{"Acme - Renewal", "Contoso - Expansion"})
	before, _ := db.Names(ctx)

	// Renaming the only Contoso call's account drops the old name.
	apply(Batch{SeenRunID: 2, Upserts: []*core.Call{
		namedCall("3", []string{"Contoso Limited"}, "Contoso - Expansion"),
		namedCall("1", []string{"Acme Corp"}, "Acme - Renewal"),
		namedCall("2", []string{"Acme Corp"}),
	}})
	after, _ := db.Names(ctx)
	if after.Version == before.Version {
		t.Error("Version unchanged after the names changed")
	}
	wantNames(t, db, []string{"Acme Corp", "Contoso Limited"}, []string{"Acme - Renewal", "Contoso - Expansion"})

	// Removing one of two Acme calls keeps Acme; removing the other drops it.
	apply(Batch{SeenRunID: 3, Removals: []string{"2"}})
	wantNames(t, db, []string{"Acme Corp", "Contoso Limited"}, []string{"Acme - Renewal", "Contoso - Expansion"})
	apply(Batch{SeenRunID: 4, Upserts: []*core.Call{namedCall("3", []string{"Contoso Limited"}, "Contoso - Expansion")}})
	if _, err := db.DeleteUnseen(ctx, Sweep{RunID: 4}); err != nil {
		t.Fatal(err)
	}
	wantNames(t, db, []string{"Contoso Limited"}, []string{"Contoso - Expansion"})
}

// Opening an index written before names were kept counts the names of the
// calls it holds.
func TestNamesMigration(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "index.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ApplyBatch(ctx, Batch{SeenRunID: 1, Upserts: []*core.Call{
		namedCall("1", []string{"Acme Corp", "Fabrikam Inc"}, "Acme - Renewal"),
		namedCall("2", []string{"Acme Corp"}),
	}}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	// Back to schema v7: no names table (nor vocabulary, nor push state).
	raw, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TRIGGER calls_push_insert", "DROP TRIGGER calls_push_update", "DROP TRIGGER calls_push_delete",
		"DROP TABLE graph_queue", "DROP TABLE graph_pairs", "DROP TABLE graph_items", "DROP TABLE graph_groups", "DROP TABLE graph_members", "DROP TABLE call_vocab", "DROP TABLE call_names", "PRAGMA user_version = 7"} {
		if _, err := raw.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	raw.Close()

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantNames(t, db, []string{"Acme Corp", "Fabrikam Inc"}, []string{"Acme - Renewal"})
	var acme int
	if err := db.r.QueryRowContext(ctx, `SELECT calls FROM call_names WHERE kind = 1 AND name = 'Acme Corp'`).Scan(&acme); err != nil || acme != 2 {
		t.Errorf("Acme Corp counted in %d calls (%v), want 2", acme, err)
	}
}

func TestCallsByID(t *testing.T) {
	db := openTest(t)
	if _, err := db.ApplyBatch(t.Context(), Batch{SeenRunID: 1, Upserts: []*core.Call{
		namedCall("1", []string{"Acme Corp"}), namedCall("2", nil), namedCall("3", nil),
	}}); err != nil {
		t.Fatal(err)
	}
	calls, err := db.Calls(t.Context(), []string{"3", "missing", "1", "3"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range calls {
		got = append(got, c.ID)
	}
	if !slices.Equal(got, []string{"3", "1"}) || calls[1].Accounts[0].Name != "Acme Corp" {
		t.Errorf("Calls = %v, want calls 3 and 1 in that order, whole", got)
	}
}
