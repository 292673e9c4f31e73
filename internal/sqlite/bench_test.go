package sqlite

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"gongconnector/internal/core"
)

// batchSize is the crawler's batch size in the benchmarks.
const batchSize = 1000

// BenchmarkApplyBatch measures the crawler's write path with realistic calls
// (about 1.4 KB of searchable text each) in batches of 1000:
//
//	go test -run XXX -bench ApplyBatch -benchtime 30x ./internal/sqlite/
func BenchmarkApplyBatch(b *testing.B) {
	g := newGen(7)
	b.Logf("searchable text per call: %d bytes", searchableBytes(g.call(0)))

	b.Run("insert", func(b *testing.B) {
		db := openTest(b)
		ctx := b.Context()
		next := 0
		var total time.Duration
		for b.Loop() {
			b.StopTimer()
			calls := g.calls(next, batchSize)
			next += batchSize
			b.StartTimer()
			t := time.Now()
			if _, err := db.ApplyBatch(ctx, Batch{Upserts: calls, SeenRunID: 1, APIRequests: 10}); err != nil {
				b.Fatal(err)
			}
			total += time.Since(t)
		}
		report(b, next, total)
	})

	// Unchanged and changed calls against an index of 50,000 calls, built
	// when one of them runs.
	const indexed = 50_000
	var (
		db    *DB
		calls []*core.Call
		run   = int64(1)
	)
	ctx := b.Context()
	parent := b
	setup := func(b *testing.B) {
		if db != nil {
			return
		}
		db = openTest(parent)
		calls = g.calls(0, indexed)
		for i := 0; i < indexed; i += batchSize {
			if _, err := db.ApplyBatch(ctx, Batch{Upserts: calls[i : i+batchSize], SeenRunID: 1}); err != nil {
				b.Fatal(err)
			}
		}
	}

	b.Run("unchanged", func(b *testing.B) {
		setup(b)
		n, i := 0, 0
		var total time.Duration
		for b.Loop() {
			run++
			t := time.Now()
			res, err := db.ApplyBatch(ctx, Batch{Upserts: calls[i : i+batchSize], SeenRunID: run})
			total += time.Since(t)
			if err != nil {
				b.Fatal(err)
			}
			if res.Unchanged != batchSize {
				b.Fatalf("got %+v, want all unchanged", res)
			}
			n += batchSize
			i = (i + batchSize) % indexed
		}
		report(b, n, total)
	})

	b.Run("changed", func(b *testing.B) {
		setup(b)
		n, i, gen := 0, 0, 0
		var total time.Duration
		for b.Loop() {
			b.StopTimer()
			gen++
			batch := make([]*core.Call, batchSize)
			for j := range batch {
				c := *calls[i+j]
				c.Brief = fmt.Sprintf("%s Revision %d.", calls[i+j].Brief, gen)
				c.KeyPoints = slices.Clone(c.KeyPoints)
				c.KeyPoints[0] = g.sentence(14)
				batch[j] = &c
			}
			run++
			b.StartTimer()
			t := time.Now()
			res, err := db.ApplyBatch(ctx, Batch{Upserts: batch, SeenRunID: run})
			total += time.Since(t)
			if err != nil {
				b.Fatal(err)
			}
			if res.Updated != batchSize {
				b.Fatalf("got %+v, want all updated", res)
			}
			n += batchSize
			i = (i + batchSize) % indexed
		}
		report(b, n, total)
	})
}

func report(b *testing.B, calls int, d time.Duration) {
	if d > 0 {
		rate := float64(calls) / d.Seconds()
		b.ReportMetric(rate, "calls/s")
		b.Logf("%d calls in %v: %.0f calls/s", calls, d.Round(time.Millisecond), rate)
	}
}

// BenchmarkSearch measures ranked searches at 100,000 calls. The index is
// built once in GC_BENCH_INDEX (or a temporary directory) and reused:
//
//	GC_BENCH_INDEX=/tmp/bench100k.db go test -run XXX -bench Search -benchtime 200x ./internal/sqlite/
func BenchmarkSearch(b *testing.B) {
	const size = 100_000
	db := benchIndex(b, size)
	ctx := b.Context()
	queries := []struct{ name, text string }{
		{"rare", "Acct01234"},              // ~5 matches, ranked
		{"ranked 5k", "acct00*"},           // ~5,000 matches, ranked
		{"two words", "security timeline"}, // most calls: newest first
		{"common", "pricing"},              // every call: newest first
		{"prefix", "integr*"},              // most calls, many terms

	}
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			var lat []time.Duration
			var total int
			for b.Loop() {
				t := time.Now()
				res, err := db.Search(ctx, core.Query{Text: q.text, Visibility: everything})
				lat = append(lat, time.Since(t))
				if err != nil {
					b.Fatal(err)
				}
				total = res.Total
			}
			slices.Sort(lat)
			p50 := lat[len(lat)/2]
			p99 := lat[len(lat)*99/100]
			b.ReportMetric(float64(p50.Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(total), "matches")
		})
	}
}

// benchIndex opens (and when new, fills) an index of size generated calls.
func benchIndex(b *testing.B, size int) *DB {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("GC_BENCH_INDEX")
	if path == "" {
		path = filepath.Join(b.TempDir(), "bench.db")
	}
	db, err := Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	n, err := db.CountCalls(ctx)
	if err != nil {
		b.Fatal(err)
	}
	if n == size {
		return db
	}
	if n != 0 {
		b.Fatalf("%s holds %d calls, want 0 or %d", path, n, size)
	}
	g := newGen(11)
	t := time.Now()
	for i := 0; i < size; i += batchSize {
		if _, err := db.ApplyBatch(ctx, Batch{Upserts: g.calls(i, batchSize), SeenRunID: 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("indexed %s calls in %v", strconv.Itoa(size), time.Since(t).Round(time.Millisecond))
	return db
}
