package crawl_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/gongsim"
)

// BenchmarkFullCrawl measures crawl + normalize + store with pacing off,
// against an in-process simulator that shares the two cores. It reports
// calls/s; `gongconnector bench` measures the same with the simulator in its
// own process and also prints the crawler's peak RSS.
func BenchmarkFullCrawl(b *testing.B) {
	for _, n := range []int{20000} {
		b.Run(fmt.Sprintf("calls=%d", n), func(b *testing.B) {
			h := newHarness(b, gongsim.Options{Calls: n})
			var total int
			var elapsed time.Duration
			for b.Loop() {
				db := openDB(b, filepath.Join(b.TempDir(), "bench.db"))
				start := time.Now()
				run, err := h.crawler(db, h.client()).Run(b.Context(), core.CrawlFull)
				elapsed += time.Since(start)
				if err != nil {
					b.Fatal(err)
				}
				total += run.Seen
			}
			b.ReportMetric(float64(total)/elapsed.Seconds(), "calls/s")
		})
	}
}
