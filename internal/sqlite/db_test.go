package sqlite

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpenMigratesAndReopens(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "nested", "dir", "index.db")
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open new file: %v", err)
	}
	if got := db.Path(); got != path {
		t.Errorf("Path() = %q, want %q", got, path)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	var version int
	if err := db.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&version); err != nil {
		t.Fatal(err)
	}
	if version != len(ms) {
		t.Errorf("user_version = %d, want %d", version, len(ms))
	}
	var mode string
	if err := db.w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" {
		t.Errorf("journal_mode = %q, want wal", mode)
	}
	if err := db.SetSetting(ctx, "watermark", "x"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	db, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	v, ok, err := db.Setting(ctx, "watermark")
	if err != nil || !ok || v != "x" {
		t.Errorf("Setting after reopen = %q, %v, %v; want x, true, nil", v, ok, err)
	}
}

func TestMigrateFromV1(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "index.db")
	raw, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	if err := applyMigration(ctx, raw, ms[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO crawl_runs (kind, status) VALUES ('full', 'succeeded')`); err != nil {
		t.Fatal(err)
	}
	raw.Close()

	db, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("Open v1 file: %v", err)
	}
	defer db.Close()
	run, err := db.Run(ctx, 1)
	if err != nil || run.Kind != "full" || run.Stage != 0 {
		t.Errorf("run after migration = %+v, %v; want the full run at stage 0", run, err)
	}
}

func TestOpenErrors(t *testing.T) {
	tests := map[string]struct {
		prepare func(t *testing.T, path string)
		want    string
	}{
		"newer schema": {
			prepare: func(t *testing.T, path string) {
				db, err := Open(t.Context(), path)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.w.ExecContext(t.Context(), "PRAGMA user_version = 99"); err != nil {
					t.Fatal(err)
				}
				db.Close()
			},
			want: "was written by a newer gongconnector (schema v99); upgrade",
		},
		"garbage file": {
			prepare: func(t *testing.T, path string) {
				if err := os.WriteFile(path, []byte(strings.Repeat("this is not a database\n", 400)), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: "not a gongconnector index (not an SQLite database)",
		},
		"another program's database": {
			prepare: func(t *testing.T, path string) {
				other, err := sql.Open("sqlite", path)
				if err != nil {
					t.Fatal(err)
				}
				defer other.Close()
				if _, err := other.Exec("CREATE TABLE t (x)"); err != nil {
					t.Fatal(err)
				}
			},
			want: "SQLite database of another program",
		},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "index.db")
			tt.prepare(t, path)
			db, err := Open(t.Context(), path)
			if err == nil {
				db.Close()
				t.Fatalf("Open succeeded, want error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "open index "+path) {
				t.Errorf("Open error = %q, want it to name the file and contain %q", err, tt.want)
			}
		})
	}
}

func TestSettings(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	if _, ok, err := db.Setting(ctx, "missing"); ok || err != nil {
		t.Errorf("Setting(missing) ok=%v err=%v, want false, nil", ok, err)
	}
	for _, v := range []string{"a", "b"} {
		if err := db.SetSetting(ctx, "k", v); err != nil {
			t.Fatal(err)
		}
		got, ok, err := db.Setting(ctx, "k")
		if err != nil || !ok || got != v {
			t.Errorf("Setting(k) = %q, %v, %v; want %q", got, ok, err, v)
		}
	}
}
