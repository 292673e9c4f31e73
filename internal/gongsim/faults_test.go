package gongsim

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/gong"
)

func TestParseFaults(t *testing.T) {
	ok := map[string]Faults{
		"":   {},
		"  ": {},
		"5xx=0.05,reset=0.02,slow=0.01,truncate=0.01,burst=5@200,slowdelay=2s": {
			Rate5xx: 0.05, RateReset: 0.02, RateSlow: 0.01, RateTruncate: 0.01, BurstLen: 5, BurstEvery: 200, SlowDelay: 2 * time.Second},
		"reset=1":                 {RateReset: 1},
		" 5xx = 0.5 , burst=1@1 ": {Rate5xx: 0.5, BurstLen: 1, BurstEvery: 1},
	}
	for spec, want := range ok {
		got, err := ParseFaults(spec)
		if err != nil || got != want {
			t.Errorf("ParseFaults(%q) = %+v, %v; want %+v", spec, got, err, want)
		}
		if again, err := ParseFaults(got.String()); err != nil || again != got {
			t.Errorf("ParseFaults(%q.String()) = %+v, %v", spec, again, err)
		}
	}
	bad := map[string]string{
		"5xx":              "key=value",
		"5xx=lots":         "between 0 and 1",
		"5xx=1.5":          "between 0 and 1",
		"reset=-0.1":       "between 0 and 1",
		"jitter=0.1":       "unknown key",
		"burst=5":          "LEN@EVERY",
		"burst=x@2":        "LEN@EVERY",
		"burst=0@10":       "LEN@EVERY",
		"slowdelay=soon":   "duration",
		"5xx=0.6,reset=.6": "more than 1",
	}
	for spec, want := range bad {
		if _, err := ParseFaults(spec); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseFaults(%q) error %v; want one mentioning %q", spec, err, want)
		}
	}
}

func FuzzParseFaults(f *testing.F) {
	f.Add("5xx=0.05,reset=0.02,slow=0.01,truncate=0.01,burst=5@200,slowdelay=2s")
	f.Add("burst=1@1")
	f.Fuzz(func(t *testing.T, spec string) {
		got, err := ParseFaults(spec)
		if err != nil {
			return
		}
		if again, err := ParseFaults(got.String()); err != nil || again != got {
			t.Errorf("round trip of %q: %+v, %v", spec, again, err)
		}
	})
}

func TestFaultInjection(t *testing.T) {
	cases := map[string]struct {
		faults Faults
		check  func(t *testing.T, r response)
	}{
		"5xx": {Faults{Rate5xx: 1}, func(t *testing.T, r response) {
			if r.status != 500 && r.status != 502 && r.status != 503 {
				t.Fatalf("status %d; want 500, 502 or 503", r.status)
			}
			if len(r.errorsOf(t)) == 0 {
				t.Errorf("5xx body without errors: %s", r.body)
			}
		}},
		"reset": {Faults{RateReset: 1}, func(t *testing.T, r response) {
			if r.err == nil {
				t.Fatalf("status %d; want a transport error", r.status)
			}
		}},
		"truncate": {Faults{RateTruncate: 1}, func(t *testing.T, r response) {
			if r.err == nil && json.Unmarshal(r.body, new(gong.ExtensiveResponse)) == nil {
				t.Fatalf("truncated body decoded: %d bytes", len(r.body))
			}
		}},
		"slow": {Faults{RateSlow: 1, SlowDelay: 10 * time.Millisecond}, func(t *testing.T, r response) {
			if r.status != 200 {
				t.Fatalf("slow answer: %d %v", r.status, r.err)
			}
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, Options{Calls: 300, Faults: tc.faults})
			for range 3 {
				tc.check(t, ts.do("POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{}, "")))
			}
			if r := ts.doAuth("GET", "/_sim/now", nil, "", ""); r.status != 200 {
				t.Errorf("admin endpoint faulted: %d %v", r.status, r.err)
			}
			st := ts.sim.Stats()
			if st.Faults != 3 || st.FaultsByKind[name] != 3 {
				t.Errorf("stats %+v; want 3 %s faults", st, name)
			}
			ts.sim.SetFaults(Faults{})
			if r := ts.do("POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{}, "")); r.status != 200 {
				t.Errorf("after SetFaults(none): %d %v", r.status, r.err)
			}
		})
	}
}

func TestSlowFaultStopsWithTheClient(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 100, Faults: Faults{RateSlow: 1, SlowDelay: time.Hour}})
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.srv.URL+"/v2/workspaces", nil)
	start := time.Now()
	_, err := ts.srv.Client().Do(req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v; want the client's deadline", err)
	}
	// Close waits for the handlers; a handler stuck in the delay would hang it.
	ts.srv.Close()
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("slow handler kept running for %s after the client left", d)
	}
}

func TestBurstFault(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 100, Faults: Faults{BurstLen: 2, BurstEvery: 3}})
	var got []int
	for range 10 {
		r := ts.do("GET", "/v2/workspaces", nil)
		got = append(got, r.status)
		if r.status == 429 && r.header.Get("Retry-After") != "1" {
			t.Errorf("burst 429 with Retry-After %q", r.header.Get("Retry-After"))
		}
	}
	want := []int{200, 200, 200, 429, 429, 200, 200, 200, 429, 429}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("statuses %v; want %v", got, want)
		}
	}
	if st := ts.sim.Stats(); st.TooManyRequests != 4 || st.FaultsByKind["burst"] != 4 {
		t.Errorf("stats %+v", st)
	}
}

// TestFaultMix: with a realistic mix, a retrying client still gets every
// page, and the failures it saw were the injected kinds.
func TestFaultMix(t *testing.T) {
	f, err := ParseFaults("5xx=0.1,reset=0.05,truncate=0.05,burst=2@20")
	if err != nil {
		t.Fatal(err)
	}
	ts := newTestServer(t, Options{Calls: 1500, Faults: f})
	want := len(truthIDs(ts.sim))
	got, cursor, failures := 0, "", 0
	for attempts := 0; attempts < 400; attempts++ {
		r := ts.do("POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{}, cursor))
		var er gong.ExtensiveResponse
		if r.err != nil || r.status != 200 || json.Unmarshal(r.body, &er) != nil {
			failures++
			continue
		}
		got += len(er.Calls)
		if cursor = er.Records.Cursor; cursor == "" {
			break
		}
	}
	if got != want {
		t.Errorf("retrying client got %d calls, want %d", got, want)
	}
	if st := ts.sim.Stats(); failures == 0 || int64(failures) != st.Faults {
		t.Errorf("client saw %d failures, simulator injected %+v", failures, st)
	}
}
