package push

import (
	"testing"
	"time"

	"gongconnector/internal/graphsim"
)

// BenchmarkPush measures items pushed per second against the test double
// with its throttling off: without a cap, what our code (and the double)
// can do; with Graph's documented 25 items a second, that the cap is what
// limits a push. Run with -benchtime=1x; each iteration pushes n new calls.
//
//	go test -run '^$' -bench Push -benchtime 1x ./internal/push
func BenchmarkPush(b *testing.B) {
	for _, tc := range []struct {
		name    string
		perSec  float64
		n       int
		limited bool
	}{
		{"uncapped", -1, 5000, false},
		{"graph-rate", GraphItemsPerSecond, 250, true},
	} {
		b.Run(tc.name, func(b *testing.B) {
			e := newEnv(b, graphsim.Options{ItemLimits: tc.limited}, nil)
			e.pusher.ItemsPerSecond = tc.perSec
			e.pusher.Concurrency = 20
			next := 0
			var took time.Duration
			pushed := 0
			for b.Loop() {
				b.StopTimer()
				e.index(b, calls(next, next+tc.n)...)
				next += tc.n
				b.StartTimer()
				start := time.Now()
				rep, err := e.pusher.Push(b.Context(), Access{People: people()})
				took += time.Since(start)
				if err != nil || rep.Pushed != tc.n {
					b.Fatalf("%+v, %v", rep, err)
				}
				pushed += rep.Pushed
			}
			b.ReportMetric(float64(pushed)/took.Seconds(), "items/s")
			b.ReportMetric(float64(e.sim.Counts().Throttled), "429s")
			b.Logf("%s: %d items in %v: %.1f items/s, %d answered 429", tc.name, pushed, took.Round(time.Millisecond),
				float64(pushed)/took.Seconds(), e.sim.Counts().Throttled)
		})
	}
}
