package sqlite

import (
	"reflect"
	"testing"
	"time"

	"gongconnector/internal/core"
)

func TestRuns(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	if r, err := db.RunningRun(ctx); r != nil || err != nil {
		t.Errorf("RunningRun on empty index = %v, %v; want nil, nil", r, err)
	}
	if _, err := db.Run(ctx, 1); core.ErrorCode(err) != core.ENotFound {
		t.Errorf("Run(1) on empty index error = %v, want code %s", err, core.ENotFound)
	}
	t0 := time.Date(2025, 3, 1, 10, 0, 0, 123456789, time.UTC)
	full, err := db.CreateRun(ctx, core.CrawlRun{Kind: core.CrawlFull, Status: core.RunRunning, Started: t0})
	if err != nil {
		t.Fatal(err)
	}
	if full.ID == 0 {
		t.Fatal("CreateRun did not set ID")
	}
	full.Status = core.RunSucceeded
	full.Finished = t0.Add(time.Hour)
	full.Seen, full.Added, full.Updated, full.Deleted, full.Skipped = 1, 2, 3, 4, 5
	full.APIRequests, full.RateLimited, full.Errors = 6, 7, 8
	full.Message = "done"
	full.Stage = 2
	full.Checkpoint = t0.Add(30 * time.Minute)
	full.WindowFrom = time.Date(2024, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600))
	full.WindowTo = t0
	if err := db.UpdateRun(ctx, full); err != nil {
		t.Fatal(err)
	}
	got, err := db.Run(ctx, full.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := full
	want.WindowFrom = want.WindowFrom.UTC()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Run() =\n%+v\nwant\n%+v", got, want)
	}
	if err := db.UpdateRun(ctx, core.CrawlRun{ID: 999, Kind: "x", Status: "y"}); core.ErrorCode(err) != core.ENotFound {
		t.Errorf("UpdateRun(missing) error = %v, want code %s", err, core.ENotFound)
	}

	inc, err := db.CreateRun(ctx, core.CrawlRun{Kind: core.CrawlIncremental, Status: core.RunFailed, Started: t0.Add(2 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	running, err := db.CreateRun(ctx, core.CrawlRun{Kind: core.CrawlIncremental, Status: core.RunRunning, Started: t0.Add(3 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}

	runs, err := db.Runs(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range runs {
		ids = append(ids, r.ID)
	}
	if want := []int64{running.ID, inc.ID, full.ID}; !reflect.DeepEqual(ids, want) {
		t.Errorf("Runs ids = %v, want %v", ids, want)
	}
	if r, err := db.RunningRun(ctx); err != nil || r == nil || r.ID != running.ID {
		t.Errorf("RunningRun = %v, %v; want run %d", r, err, running.ID)
	}

	tests := map[string]struct {
		kind   string
		status []string
		want   int64 // 0: nil
	}{
		"any status":          {core.CrawlIncremental, nil, running.ID},
		"failed only":         {core.CrawlIncremental, []string{core.RunFailed}, inc.ID},
		"succeeded or held":   {core.CrawlFull, []string{core.RunSucceeded, core.RunHeld}, full.ID},
		"no such status":      {core.CrawlFull, []string{core.RunFailed}, 0},
		"no run of that kind": {core.CrawlPermissions, nil, 0},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			r, err := db.LastRun(ctx, tt.kind, tt.status...)
			if err != nil {
				t.Fatal(err)
			}
			var got int64
			if r != nil {
				got = r.ID
			}
			if got != tt.want {
				t.Errorf("LastRun(%s, %v) = run %d, want %d", tt.kind, tt.status, got, tt.want)
			}
		})
	}
}

func TestSnapshot(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	if s, err := db.Snapshot(ctx); s != nil || err != nil {
		t.Fatalf("Snapshot on empty index = %v, %v; want nil, nil", s, err)
	}
	first := core.PermissionSnapshot{
		Taken:      time.Date(2025, 5, 1, 8, 0, 0, 5, time.UTC),
		Workspaces: []core.Workspace{{ID: "w2", Name: "Sales", Description: "d"}, {ID: "w1", Name: "Support"}},
		Users: []core.User{
			{ID: "u2", Email: "b@x.com", Aliases: []string{"bb@x.com", "b@y.com"}, FirstName: "B", LastName: "Bee", Title: "AE", ManagerID: "u1", Active: true},
			{ID: "u1", Email: "a@x.com", FirstName: "A", Active: false},
		},
		Profiles: []core.Profile{
			{ID: "p2", WorkspaceID: "w2", Name: "Reps", CallsLevel: core.LevelOwn, MemberIDs: []string{"u2", "u1"}},
			{ID: "p1", WorkspaceID: "w1", Name: "Leads", CallsLevel: core.LevelManagersTeam, TeamLeadIDs: []string{"u1"}, MemberIDs: []string{"u1"}},
		},
	}
	second := core.PermissionSnapshot{
		Taken:      first.Taken.Add(time.Hour),
		Workspaces: []core.Workspace{{ID: "w3", Name: "Only"}},
		Users:      []core.User{{ID: "u9", Active: true}},
		Profiles:   []core.Profile{{ID: "p9", WorkspaceID: "w3", Name: "All", CallsLevel: core.LevelAll}},
	}
	for _, s := range []core.PermissionSnapshot{first, second} {
		if err := db.SaveSnapshot(ctx, s); err != nil {
			t.Fatal(err)
		}
		got, err := db.Snapshot(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil || !reflect.DeepEqual(*got, s) {
			t.Errorf("Snapshot() =\n%+v\nwant\n%+v", got, s)
		}
		ws, err := db.Workspaces(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(ws, s.Workspaces) {
			t.Errorf("Workspaces() = %v, want %v", ws, s.Workspaces)
		}
	}
}

func TestAPIUsage(t *testing.T) {
	ctx := t.Context()
	db := openTest(t)
	day := time.Date(2025, 6, 1, 23, 30, 0, 0, time.UTC)
	db.Now = func() time.Time { return day }
	for range 2 {
		if _, err := db.ApplyBatch(ctx, Batch{APIRequests: 5, RateLimited: 1}); err != nil {
			t.Fatal(err)
		}
	}
	// Same UTC day, seen from another zone.
	req, limited, err := db.APIRequestsOn(ctx, day.In(time.FixedZone("east", 2*3600)))
	if err != nil || req != 10 || limited != 2 {
		t.Errorf("APIRequestsOn = %d, %d, %v; want 10, 2, nil", req, limited, err)
	}
	req, limited, err = db.APIRequestsOn(ctx, day.AddDate(0, 0, 1))
	if err != nil || req != 0 || limited != 0 {
		t.Errorf("APIRequestsOn(next day) = %d, %d, %v; want 0, 0, nil", req, limited, err)
	}
}
