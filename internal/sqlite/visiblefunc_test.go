package sqlite

import (
	"strings"
	"testing"
)

// TestVisibleFunction checks gc_visible, registered below the driver's
// function API, against the bitmap it reads: members and non-members,
// rowids past the bitmap's end, handles with no bitmap or out of range,
// arguments that are not integers, and a bitmap withdrawn after its query.
// It also checks that the function cannot be stored in the file, in a view
// or a trigger.
func TestVisibleFunction(t *testing.T) {
	db := openTest(t)
	ctx := t.Context()
	b := make(bitmap, 4) // rowids 0..255
	for _, r := range []int64{0, 1, 63, 64, 200, 255} {
		b.set(r)
	}
	h, done := registerVisible(&rowFilter{bits: b})
	visible := func(handle, rowid any) int64 {
		t.Helper()
		var v int64
		if err := db.r.QueryRowContext(ctx, `SELECT gc_visible(?, ?)`, handle, rowid).Scan(&v); err != nil {
			t.Fatalf("gc_visible(%v, %v): %v", handle, rowid, err)
		}
		return v
	}
	for rowid := int64(-3); rowid < 300; rowid++ {
		want := int64(0)
		if b.has(rowid) {
			want = 1
		}
		if got := visible(h, rowid); got != want {
			t.Errorf("gc_visible(h, %d) = %d, want %d", rowid, got, want)
		}
	}
	for _, bad := range []any{int64(-1), int64(maxConcurrentSearches), int64(1 << 40), "x", nil, 1.5} {
		if got := visible(bad, 1); got != 0 {
			t.Errorf("gc_visible(%v, 1) = %d, want 0 for a handle with no bitmap", bad, got)
		}
	}
	// A whole query filters with it.
	var n int64
	if err := db.r.QueryRowContext(ctx, `WITH RECURSIVE s(x) AS (SELECT 0 UNION ALL SELECT x+1 FROM s WHERE x < 999)
		SELECT count(*) FROM s WHERE gc_visible(?, x)`, h).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 6 {
		t.Errorf("a query over rowids 0..999 kept %d, want 6", n)
	}
	done()
	if got := visible(h, 1); got != 0 {
		t.Errorf("after its query ended the bitmap still answers: gc_visible(h, 1) = %d", got)
	}

	for _, stmt := range []string{
		`CREATE VIEW leak AS SELECT id FROM calls WHERE gc_visible(0, rowid)`,
		`CREATE TRIGGER leak AFTER INSERT ON calls BEGIN SELECT gc_visible(0, new.rowid); END`,
	} {
		if _, err := db.w.ExecContext(ctx, stmt); err != nil {
			continue // refused when stored: fine
		}
		// Stored, but using it must fail.
		_, err := db.w.ExecContext(ctx, `SELECT * FROM leak`)
		if strings.HasPrefix(stmt, "CREATE TRIGGER") {
			_, err = db.w.ExecContext(ctx, `INSERT INTO calls (id) VALUES ('x')`)
		}
		if err == nil || !strings.Contains(err.Error(), "unsafe use of gc_visible") {
			t.Errorf("%s: used from the schema, err = %v; want unsafe use of gc_visible", stmt, err)
		}
	}
}
