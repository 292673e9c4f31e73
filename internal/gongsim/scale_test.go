package gongsim

import (
	"runtime"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

// TestMillionCalls: a million-call tenant builds in seconds and little
// memory, and a window from its middle pages like any other.
func TestMillionCalls(t *testing.T) {
	limit := 5 * time.Second
	if raceEnabled {
		limit *= 6
	}
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	s, err := New(Options{Seed: 3, Calls: 1_000_000, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	built := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	heap := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("New(1,000,000 calls): %s, %d MB of heap", built, heap>>20)
	if built > limit {
		t.Errorf("New took %s; want under %s", built, limit)
	}
	if heap > 200<<20 {
		t.Errorf("tenant holds %d MB; want under 200 MB", heap>>20)
	}

	ts := &testServer{t: t, sim: s}
	ts.srv = newHTTPServer(t, s)
	mid := time.Unix(s.startS[s.nBase/2], 0).UTC()
	from, to := mid.Truncate(24*time.Hour), mid.Truncate(24*time.Hour).Add(24*time.Hour)
	f := gong.CallsFilter{FromDateTime: from.Format(time.RFC3339), ToDateTime: to.Format(time.RFC3339)}
	pageStart := time.Now()
	var got []gong.ExtensiveCall
	cursor, total := "", 0
	for {
		r := ts.do("POST", "/v2/calls/extensive", fullRequest(f, cursor))
		var er gong.ExtensiveResponse
		r.decode(t, &er)
		total = er.Records.TotalRecords
		got = append(got, er.Calls...)
		if cursor = er.Records.Cursor; cursor == "" {
			break
		}
	}
	t.Logf("paged %d calls of one day in %s", len(got), time.Since(pageStart))
	if len(got) != total || total < 200 {
		t.Fatalf("paged %d calls, totalRecords %d", len(got), total)
	}
	for i, c := range got {
		st := c.MetaData.Started.Time
		if st.Before(from) || !st.Before(to) || (i > 0 && st.Before(got[i-1].MetaData.Started.Time)) {
			t.Fatalf("call %d started %s: outside [%s, %s) or out of order", i, st, from, to)
		}
	}
	if r := ts.do("GET", "/v2/calls/"+string(got[len(got)/2].MetaData.ID), nil); r.status != 200 {
		t.Errorf("GET one call: %d", r.status)
	}
}
