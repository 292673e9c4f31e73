package crawl_test

import (
	"errors"
	"math"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
	"gongconnector/internal/gong"
	"gongconnector/internal/gongsim"
)

// TestFullCrawlUnderFaults: with 5% 5xx, 2% connection resets and a burst
// of 429s, a full crawl of 20,000 calls stores every non-private call exactly
// once, with the content Gong has for it.
func TestFullCrawlUnderFaults(t *testing.T) {
	faults, err := gongsim.ParseFaults("5xx=0.05,reset=0.02,burst=4@150")
	if err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, gongsim.Options{Calls: 20000, Faults: faults})
	run := h.crawl(core.CrawlFull)
	want, listed := h.truth(nil)
	sameCalls(t, "after a full crawl under faults", want, index(t, h.db))
	if run.Status != core.RunSucceeded || run.Seen != listed || run.Added != len(want) || run.Skipped != listed-len(want) {
		t.Errorf("run = %+v; want succeeded, %d seen, %d added, %d skipped (private)", run, listed, len(want), listed-len(want))
	}
	if run.RateLimited == 0 {
		t.Errorf("the 429 burst was not recorded: %+v", run)
	}
	if st := h.sim.Stats(); st.Faults == 0 {
		t.Errorf("no fault was injected: %+v", st)
	}
}

// TestRequestsUsed counts the requests a full and an incremental crawl cost.
func TestRequestsUsed(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 2000})
	run := h.crawl(core.CrawlFull)
	_, listed := h.truth(nil)
	st := h.sim.Stats()
	pages := int(math.Ceil(float64(listed) / 100))
	if got := int(st.Endpoints["POST /v2/calls/extensive"]); got != pages {
		t.Errorf("full crawl of %d calls used %d extensive pages, want ceil(N/100) = %d", listed, got, pages)
	}
	constant := int(st.Total) - pages
	if constant > 60 {
		t.Errorf("full crawl spent %d requests besides its pages (%v); want a small constant", constant, st.Endpoints)
	}
	if int64(run.APIRequests) != st.Total {
		t.Errorf("run recorded %d requests, the simulator served %d", run.APIRequests, st.Total)
	}
	used, _, err := h.db.APIRequestsOn(t.Context(), time.Now())
	if err != nil || int64(used) != st.Total {
		t.Errorf("api usage today = %d, %v; want %d", used, err, st.Total)
	}

	// Nothing new: an incremental crawl pays only for its look-back window.
	h.sim.ResetStats()
	inc := h.crawl(core.CrawlIncremental)
	inWindow := 0
	h.sim.Truth(func(x gong.ExtensiveCall) bool {
		if !x.MetaData.Started.Before(inc.WindowFrom) && x.MetaData.Started.Before(inc.WindowTo) {
			inWindow++
		}
		return true
	})
	st = h.sim.Stats()
	wantPages := max(1, int(math.Ceil(float64(inWindow)/100)))
	if got := int(st.Endpoints["POST /v2/calls/extensive"]); got != wantPages {
		t.Errorf("incremental crawl with nothing new used %d extensive pages for %d calls in its look-back, want %d", got, inWindow, wantPages)
	}
	if int(st.Total)-wantPages != constant {
		t.Errorf("incremental constant = %d, full constant = %d (%v)", int(st.Total)-wantPages, constant, st.Endpoints)
	}
	if inc.Added != 0 || inc.Updated != 0 || inc.Deleted != 0 {
		t.Errorf("nothing changed, yet %+v", inc)
	}
}

// TestTimeline: edits, private flips and moves within the look-back are
// picked up by the next incremental crawl; deletions by the next full crawl;
// a full crawl interrupted half-way deletes nothing.
func TestTimeline(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 8000})
	h.crawl(core.CrawlFull)
	now := h.sim.Now()
	recent := h.callsBetween(now.Add(-23*time.Hour), now)
	old := h.callsBetween(now.Add(-200*24*time.Hour), now.Add(-100*24*time.Hour))
	if len(recent) < 4 || len(old) < 2 {
		t.Fatalf("tenant too small: %d recent, %d old calls", len(recent), len(old))
	}
	edited, privated, moved, deletedRecent := recent[0], recent[1], recent[2], recent[3]
	deletedOld, editedOld := old[0], old[1]
	var otherWS string
	for _, w := range h.sim.Workspaces() {
		if string(w.ID) != moved.WorkspaceID {
			otherWS = string(w.ID)
			break
		}
	}
	for _, ev := range []gongsim.Event{
		{Kind: gongsim.EventEditCall, CallID: edited.ID},
		{Kind: gongsim.EventPrivateCall, CallID: privated.ID},
		{Kind: gongsim.EventMoveCall, CallID: moved.ID, WorkspaceID: otherWS},
		{Kind: gongsim.EventDeleteCall, CallID: deletedRecent.ID},
		{Kind: gongsim.EventDeleteCall, CallID: deletedOld.ID},
		{Kind: gongsim.EventEditCall, CallID: editedOld.ID},
	} {
		if err := h.sim.Apply(ev); err != nil {
			t.Fatalf("apply %+v: %v", ev, err)
		}
	}
	h.sim.Advance(30 * time.Minute)

	h.crawl(core.CrawlIncremental)
	idx := index(t, h.db)
	truth, _ := h.truth(nil)
	if got := idx[edited.ID]; got == nil || got.Hash() != truth[edited.ID].Hash() || got.Hash() == edited.Hash() {
		t.Errorf("edit within the look-back not picked up")
	}
	if _, ok := idx[privated.ID]; ok {
		t.Errorf("a call that turned private is still indexed")
	}
	if got := idx[moved.ID]; got == nil || got.WorkspaceID != otherWS {
		t.Errorf("move within the look-back not picked up: %+v", got)
	}
	if _, ok := idx[deletedRecent.ID]; ok {
		t.Errorf("a call deleted within the look-back is still indexed after the incremental crawl")
	}
	if _, ok := idx[deletedOld.ID]; !ok {
		t.Errorf("an incremental crawl deleted a call outside its window")
	}

	// A full crawl stopped half-way deletes nothing.
	ctx := ctxCancelledAfter(t.Context(), h, 20)
	run, err := h.crawler(h.db, h.client()).Run(ctx, core.CrawlFull)
	if err == nil {
		t.Fatalf("interrupted crawl reported success: %+v", run)
	}
	if _, ok := index(t, h.db)[deletedOld.ID]; !ok {
		t.Fatalf("an interrupted full crawl deleted a call")
	}
	// The next full crawl resumes and deletes.
	run = h.crawl(core.CrawlFull)
	if run.ID == 0 || run.Status != core.RunSucceeded || run.Deleted != 1 {
		t.Errorf("resumed full crawl = %+v; want succeeded with 1 deletion", run)
	}
	truth, _ = h.truth(nil)
	sameCalls(t, "after the full crawl", truth, index(t, h.db))
}

// TestScopeFilters: workspace and start-date filters keep the index to the
// calls in scope, and a call moved out of scope leaves it.
func TestScopeFilters(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 2000})
	ws := h.sim.Workspaces()
	if len(ws) < 2 {
		t.Fatalf("want several workspaces, got %d", len(ws))
	}
	keep := ws[0]
	start := h.sim.Now().AddDate(0, -6, 0).Truncate(24 * time.Hour)
	scope := func(o *crawl.Options) {
		o.Workspaces = []string{strings.ToUpper(keep.Name)} // names match case-insensitively
		o.StartDate = start
	}
	h.crawl(core.CrawlFull, scope)
	inScope := func(c *core.Call) bool { return c.WorkspaceID == string(keep.ID) && !c.Started.Before(start) }
	want, _ := h.truth(inScope)
	if len(want) == 0 {
		t.Fatal("nothing in scope")
	}
	sameCalls(t, "scoped full crawl", want, index(t, h.db))

	// Unknown workspace: a clear error naming the ones that exist.
	_, err := h.crawler(h.db, h.client(), func(o *crawl.Options) { o.Workspaces = []string{"Nope"} }).Run(t.Context(), core.CrawlFull)
	if core.ErrorCode(err) != core.EInvalid || !strings.Contains(err.Error(), keep.Name) {
		t.Errorf("unknown workspace: %v", err)
	}
}

// TestDeletionThreshold: a full crawl that would delete more than the
// threshold holds back and says so; --confirm-deletions lets it through.
func TestDeletionThreshold(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 600})
	h.crawl(core.CrawlFull)
	before := index(t, h.db)
	truth, _ := h.truth(nil)
	n := 0
	for id := range truth {
		if n == len(truth)/5 {
			break
		}
		if err := h.sim.Apply(gongsim.Event{Kind: gongsim.EventDeleteCall, CallID: id}); err != nil {
			t.Fatal(err)
		}
		n++
	}
	run := h.crawl(core.CrawlFull)
	if run.Status != core.RunHeld || !strings.Contains(run.Message, "--confirm-deletions") || run.Deleted != 0 {
		t.Fatalf("run = %+v; want held with a message", run)
	}
	if got := len(index(t, h.db)); got != len(before) {
		t.Fatalf("held crawl deleted calls: %d -> %d", len(before), got)
	}
	run = h.crawl(core.CrawlFull, func(o *crawl.Options) { o.ConfirmDeletions = true })
	if run.Status != core.RunSucceeded || run.Deleted != n {
		t.Errorf("confirmed run = %+v; want %d deletions", run, n)
	}
}

// TestLateContentIsRefetched: a call listed before Gong published its brief
// is re-fetched by later incremental crawls until it has it.
func TestLateContentIsRefetched(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 3000})
	h.crawl(core.CrawlFull)
	var incomplete []string
	for id, c := range index(t, h.db) {
		if !c.HasContent() {
			incomplete = append(incomplete, id)
		}
	}
	if len(incomplete) == 0 {
		t.Fatal("the tenant has no call awaiting content at the clock start: the test would prove nothing")
	}
	// Long enough for content to arrive and for the calls to leave the look-back.
	h.sim.Advance(3 * 24 * time.Hour)
	h.crawl(core.CrawlIncremental, func(o *crawl.Options) { o.Lookback = time.Hour })
	idx := index(t, h.db)
	truth, _ := h.truth(nil)
	for _, id := range incomplete {
		if c, ok := truth[id]; ok && c.HasContent() && (idx[id] == nil || !idx[id].HasContent()) {
			t.Errorf("call %s got its content in Gong but not in the index", id)
		}
	}
}

// TestBadGong: a wrong key, a wrong base URL, an unreachable host and a
// malformed response each fail with one clear message and lose nothing.
func TestBadGong(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 500})
	h.crawl(core.CrawlFull)
	before := index(t, h.db)

	garbage := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"requestId":"x","records":{"totalRecords":3},"calls":[{"metaData":{"id":"1","started":"not a time"}}]}`))
	}
	htmlSrv := newStatic(t, http.StatusNotFound, "<html>Not Found</html>")
	garbageSrv := newFunc(t, garbage)
	tests := []struct {
		name    string
		opts    func(*gong.Options)
		wantMsg string
	}{
		{"wrong key", func(o *gong.Options) { o.AccessKeySecret = "wrong" }, "GONG_ACCESS_KEY"},
		{"wrong base URL", func(o *gong.Options) { o.BaseURL = htmlSrv }, "gong.base_url"},
		{"unreachable host", func(o *gong.Options) { o.BaseURL = "http://127.0.0.1:1"; o.MaxAttempts = 2 }, "cannot reach Gong"},
		{"malformed response", func(o *gong.Options) { o.BaseURL = garbageSrv; o.MaxAttempts = 2 }, "malformed response"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, err := h.crawler(h.db, h.client(tt.opts)).Run(t.Context(), core.CrawlFull)
			if err == nil || !strings.Contains(core.ErrorMessage(err), tt.wantMsg) {
				t.Fatalf("err = %v; want a message mentioning %q", err, tt.wantMsg)
			}
			if run.Status != core.RunFailed || run.Message == "" {
				t.Errorf("run = %+v; want failed with the message recorded", run)
			}
			sameCalls(t, "after a failed crawl", before, index(t, h.db))
		})
	}
	// The broken answers did not replace the permission snapshot.
	if snap, err := h.db.Snapshot(t.Context()); err != nil || snap == nil || len(snap.Users) == 0 || len(snap.Workspaces) == 0 {
		t.Errorf("permission snapshot lost: %v", err)
	}
	// The failed full runs were recorded as failed, not left resumable.
	if r, err := h.db.RunningRun(t.Context()); err != nil || r != nil {
		t.Errorf("running run left behind: %+v, %v", r, err)
	}
}

// TestCursorExpiryRestartsFromCheckpoint: when Gong's cursor expires in the
// middle of a listing the crawl restarts from where it got to and finishes.
func TestCursorExpiryRestartsFromCheckpoint(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 2500, CursorTTL: time.Hour})
	// Every 6th extensive page, the simulated clock jumps past the cursor TTL.
	pages := 0
	f := func(n int64, r *http.Request) {
		if r.URL.Path == "/v2/calls/extensive" {
			pages++
			if pages%6 == 0 {
				h.sim.Advance(61 * time.Minute)
			}
		}
	}
	h.onRequest.Store(&f)
	start := h.sim.Now()
	before, _ := h.truth(nil)
	run, err := h.crawler(h.db, h.client(), func(o *crawl.Options) { o.Now = func() time.Time { return start } }).Run(t.Context(), core.CrawlFull)
	h.onRequest.Store(nil)
	if err != nil {
		t.Fatal(err)
	}
	// Calls Gong published during the crawl may land behind its checkpoint;
	// every call listed when it started must be there, and nothing else.
	got := index(t, h.db)
	after, _ := h.truth(nil)
	for id := range before {
		if _, ok := got[id]; !ok {
			t.Errorf("call %s missing after cursor restarts", id)
		}
	}
	for id := range got {
		if _, ok := after[id]; !ok {
			t.Errorf("call %s indexed but not in Gong", id)
		}
	}
	if run.Status != core.RunSucceeded {
		t.Errorf("run = %+v", run)
	}
	if h.sim.Stats().Endpoints["POST /v2/calls/extensive"] <= 25 {
		t.Errorf("expected extra pages from restarts")
	}
}

func TestUnknownKind(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 10})
	_, err := h.crawler(h.db, h.client()).Run(t.Context(), "weekly")
	if core.ErrorCode(err) != core.EInvalid || errors.Is(err, gong.ErrCursorExpired) {
		t.Errorf("err = %v", err)
	}
}

// TestPacedCrawlDrawsNo429: with the client paced at the simulator's limit,
// Gong never has to say 429.
func TestPacedCrawlDrawsNo429(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 600, Rate: 10})
	run, err := h.crawler(h.db, h.client(func(o *gong.Options) { o.Rate = 10 })).Run(t.Context(), core.CrawlFull)
	if err != nil {
		t.Fatal(err)
	}
	if st := h.sim.Stats(); st.TooManyRequests != 0 || run.RateLimited != 0 {
		t.Errorf("paced crawl drew %d 429s (run recorded %d)", st.TooManyRequests, run.RateLimited)
	}
}

// TestFailedFullCrawlResumes: a full crawl that fails part-way (Gong down)
// is resumed by the next full crawl from its checkpoint, not started over;
// a changed scope starts afresh.
func TestFailedFullCrawlResumes(t *testing.T) {
	h := newHarness(t, gongsim.Options{Calls: 3000})
	_, listed := h.truth(nil)
	totalPages := int(math.Ceil(float64(listed) / 100))
	// Gong goes down after a third of the pages.
	pages := 0
	f := func(n int64, r *http.Request) {
		if r.URL.Path == "/v2/calls/extensive" {
			if pages++; pages == totalPages/3 {
				h.sim.SetFaults(gongsim.Faults{Rate5xx: 1})
			}
		}
	}
	h.onRequest.Store(&f)
	first, err := h.crawler(h.db, h.client(func(o *gong.Options) { o.MaxAttempts = 2 })).Run(t.Context(), core.CrawlFull)
	h.onRequest.Store(nil)
	if err == nil || first.Status != core.RunFailed || core.ErrorCode(err) != core.EUnavailable {
		t.Fatalf("crawl during an outage: %+v, %v", first, err)
	}
	if first.Checkpoint.IsZero() {
		t.Fatal("no checkpoint recorded before the outage")
	}
	// A call Gong deletes meanwhile, from the part already listed.
	var gone string
	for id, c := range index(t, h.db) {
		if c.Started.Before(first.Checkpoint) {
			gone = id
			break
		}
	}
	if err := h.sim.Apply(gongsim.Event{Kind: gongsim.EventDeleteCall, CallID: gone}); err != nil {
		t.Fatal(err)
	}

	h.sim.SetFaults(gongsim.Faults{})
	h.sim.ResetStats()
	second := h.crawl(core.CrawlFull)
	if second.ID != first.ID || second.Status != core.RunSucceeded {
		t.Fatalf("second crawl = %+v; want run %d resumed and succeeded", second, first.ID)
	}
	if got := int(h.sim.Stats().Endpoints["POST /v2/calls/extensive"]); got >= totalPages {
		t.Errorf("the resumed crawl listed %d pages of %d: it started over", got, totalPages)
	}
	// The call deleted during the outage had been listed before the
	// checkpoint: the resumed listing does not go back for it, the next
	// full crawl deletes it.
	idx := index(t, h.db)
	if _, ok := idx[gone]; !ok {
		t.Errorf("call %s vanished before a full listing missed it", gone)
	}
	delete(idx, gone)
	truth, _ := h.truth(nil)
	sameCalls(t, "after the resumed crawl", truth, idx)
	if next := h.crawl(core.CrawlFull); next.Deleted != 1 {
		t.Errorf("next full crawl = %+v; want the deleted call removed", next)
	}
	sameCalls(t, "after the next full crawl", truth, index(t, h.db))

	// Another failed crawl under a different scope is not resumed.
	h.sim.SetFaults(gongsim.Faults{Rate5xx: 1})
	failed, _ := h.crawler(h.db, h.client(func(o *gong.Options) { o.MaxAttempts = 1 })).Run(t.Context(), core.CrawlFull)
	h.sim.SetFaults(gongsim.Faults{})
	other := h.crawl(core.CrawlFull, func(o *crawl.Options) { o.StartDate = clock.AddDate(-1, 0, 0) })
	if other.ID == failed.ID {
		t.Errorf("a crawl with another start date resumed run %d", failed.ID)
	}
}
