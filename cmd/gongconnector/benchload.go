package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
	"gongconnector/internal/sqlite"
)

// loadOp is one request of the load benchmark.
type loadOp struct {
	ask  bool
	text string
	kind int // index in loadKinds
}

// loadKinds name the kinds of request of the load benchmark's mix.
var loadKinds = []string{"account name", "account and a topic", "a topic word", "two topic words",
	"a phrase", "a prefix", "a field and a date filter",
	"Q: last meeting's action items", "Q: a demo's key insights", "Q: recurring topics",
	"Q: a meeting's decision maker", "Q: summary of the last call", "Q: next steps this quarter"}

// firstAsk is the index of the first question in loadKinds.
const firstAsk = 7

// benchLoad runs searches and questions from concurrent clients, each
// request as a caller picked at random among the tenant's users (trimming
// on), and prints latency percentiles, the serving process's peak RSS and
// the same searches through bare FTS5 (MATCH ... ORDER BY bm25 LIMIT 10,
// untrimmed) for comparison.
func benchLoad(ctx context.Context, w io.Writer, db *sqlite.DB, clients int, d time.Duration) error {
	rules, total, err := benchRules(ctx, db)
	if err != nil {
		return err
	}
	r := rand.New(rand.NewPCG(1, 2))
	var callers []core.Visibility
	users := slices.Clone(rules.Snapshot().Users)
	r.Shuffle(len(users), func(i, j int) { users[i], users[j] = users[j], users[i] })
	for _, u := range users {
		if v, _ := rules.Visibility(u.ID); !v.Nothing() && len(callers) < 48 {
			callers = append(callers, v)
		}
	}
	if len(callers) == 0 {
		return fmt.Errorf("no user of the snapshot may see any call")
	}
	names, err := db.Names(ctx)
	if err != nil {
		return err
	}
	ops := loadOps(r, names.Accounts, 2000)
	eng := answer.New(db)

	fmt.Fprintf(w, "\nload: %d clients for %v on %d calls, each request as one of %d users (trimmed); 1 in 5 requests is a question\n",
		clients, d, total, len(callers))
	var seen []int
	for _, v := range callers {
		n, err := db.CountVisible(ctx, v)
		if err != nil {
			return err
		}
		seen = append(seen, n)
	}
	// How many calls each of (up to 400 of) the users may see, to find
	// the all-access ones.
	seenBy := map[string]int{}
	users = users[:min(400, len(users))]
	for _, u := range users {
		if v, _ := rules.Visibility(u.ID); !v.Nothing() {
			n, err := db.CountVisible(ctx, v)
			if err != nil {
				return err
			}
			seenBy[u.ID] = n
		}
	}
	slices.Sort(seen)
	fmt.Fprintf(w, "  calls each user may see: fewest %d, median %d, 90th percentile %d, most %d\n",
		seen[0], seen[len(seen)/2], seen[len(seen)*9/10], seen[len(seen)-1])
	// Warm-up: every caller's visible set, the catalog of names.
	for _, v := range callers {
		if _, err := db.Search(ctx, core.Query{Text: "pricing", Visibility: v}); err != nil {
			return err
		}
	}
	if _, err := eng.Ask(ctx, answer.Request{Question: "action items with " + names.Accounts[0], Visibility: callers[0]}); err != nil {
		return err
	}

	searches, err := loadPhase(ctx, w, db, eng, ops, callers, clients, d)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  peak RSS of this process: %s\n", peakRSS())

	// The other end: users who may see most calls (all-access users),
	// whose searches read the whole index.
	var wide []core.Visibility
	for _, u := range users {
		if n := seenBy[u.ID]; n > total/2 && len(wide) < 8 {
			v, _ := rules.Visibility(u.ID)
			wide = append(wide, v)
		}
	}
	if len(wide) > 0 {
		fmt.Fprintf(w, "\nthe same load for %v as %d users who may see more than half of the calls\n", d/3, len(wide))
		if _, err := loadPhase(ctx, w, db, eng, ops, wide, clients, d/3); err != nil {
			return err
		}
	}

	// The same searches through FTS5 alone.
	bare, err := bareFTS(ctx, db.Path(), ops, clients, d/2)
	if err != nil {
		return err
	}
	loadRow(w, "bare FTS5 (untrimmed)", bare, d/2)
	slices.Sort(searches)
	fmt.Fprintf(w, "  search / bare FTS5: p50 %.2fx, p99 %.2fx\n",
		float64(pct(searches, 50))/float64(pct(bare, 50)), float64(pct(searches, 99))/float64(pct(bare, 99)))
	return nil
}

// loadPhase runs ops from clients for d, each request as one of callers,
// prints latencies by kind of request and returns the searches'.
func loadPhase(ctx context.Context, w io.Writer, db *sqlite.DB, eng *answer.Engine, ops []loadOp, callers []core.Visibility, clients int, d time.Duration) ([]time.Duration, error) {
	timed, err := runClients(ctx, clients, d, 7, len(loadKinds), func(rc *rand.Rand) (int, error) {
		op := ops[rc.IntN(len(ops))]
		v := callers[rc.IntN(len(callers))]
		if op.ask {
			_, err := eng.Ask(ctx, answer.Request{Question: op.text, Visibility: v})
			return op.kind, wrapOp(op.text, err)
		}
		_, err := db.Search(ctx, core.Query{Text: op.text, Limit: 10, Visibility: v})
		return op.kind, wrapOp(op.text, err)
	})
	if err != nil {
		return nil, err
	}
	var searches, asks []time.Duration
	for k, ds := range timed {
		if k < firstAsk {
			searches = append(searches, ds...)
		} else {
			asks = append(asks, ds...)
		}
	}
	fmt.Fprintf(w, "  %-34s %8s %9s %9s %9s %9s\n", "", "requests", "per sec", "p50", "p90", "p99")
	loadRow(w, "search (trimmed)", searches, d)
	for k, name := range loadKinds[:firstAsk] {
		loadRow(w, "  "+name, slices.Clone(timed[k]), d)
	}
	loadRow(w, "ask (trimmed)", asks, d)
	for k, name := range loadKinds[firstAsk:] {
		loadRow(w, "  "+name, slices.Clone(timed[firstAsk+k]), d)
	}
	return searches, nil
}

// loadRow prints one line of latencies; it sorts ds.
func loadRow(w io.Writer, name string, ds []time.Duration, over time.Duration) {
	slices.Sort(ds)
	fmt.Fprintf(w, "  %-34s %8d %9.0f %9s %9s %9s\n", name, len(ds), float64(len(ds))/over.Seconds(),
		ms(pct(ds, 50)), ms(pct(ds, 90)), ms(pct(ds, 99)))
}

func pct(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, len(sorted)*p/100)]
}

// loadOps makes a request mix: searches for account names, topics, pairs
// of words, phrases, prefixes and filters, and questions of the shapes of
// PRODUCT.md §5 about random accounts.
func loadOps(r *rand.Rand, accounts []string, n int) []loadOp {
	topics := []string{"pricing", "security", "integration", "timeline", "budget", "onboarding", "renewal",
		"procurement", "legal", "champion", "competitor", "discount", "migration", "roadmap", "forecast",
		"reporting", "dashboard", "sso", "sandbox", "pilot", "contract", "expansion", "training", "support"}
	phrases := []string{`"next steps"`, `"security review"`, `"decision maker"`, `"price increase"`, `"data migration"`}
	prefixes := []string{"integr*", "secur*", "migrat*", "onboard*", "procure*"}
	asks := []string{"What are the action items from the last meeting with %s?",
		"What were the key insights from the demo with %s?",
		"What topics come up repeatedly in calls with %s?",
		"Who was the decision maker in the contract review with %s?",
		"summarize the last call with %s", "next steps with %s this quarter"}
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	var ops []loadOp
	for range n {
		acct := pick(accounts)
		switch x := r.IntN(100); {
		case x < 20:
			i := r.IntN(len(asks))
			ops = append(ops, loadOp{ask: true, text: fmt.Sprintf(asks[i], acct), kind: firstAsk + i})
		case x < 45:
			ops = append(ops, loadOp{text: acct, kind: 0})
		case x < 55:
			ops = append(ops, loadOp{text: acct + " " + pick(topics), kind: 1})
		case x < 70:
			ops = append(ops, loadOp{text: pick(topics), kind: 2})
		case x < 80:
			ops = append(ops, loadOp{text: pick(topics) + " " + pick(topics), kind: 3})
		case x < 88:
			ops = append(ops, loadOp{text: pick(phrases), kind: 4})
		case x < 94:
			ops = append(ops, loadOp{text: pick(prefixes), kind: 5})
		default:
			ops = append(ops, loadOp{text: "topic:" + pick(topics) + " from:2026-01-01", kind: 6})
		}
	}
	return ops
}

// bareFTS runs the searches of ops through FTS5 alone on the same file,
// from as many clients, and returns the sorted latencies.
func bareFTS(ctx context.Context, path string, ops []loadOp, clients int, d time.Duration) ([]time.Duration, error) {
	conn, err := sql.Open("sqlite", "file:"+url.PathEscape(path)+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	conn.SetMaxOpenConns(clients)
	var exprs []string
	for _, op := range ops {
		if e := sqlite.MatchExpression(op.text); !op.ask && e != "" && !strings.Contains(op.text, "from:") {
			exprs = append(exprs, e)
		}
	}
	timed, err := runClients(ctx, clients, d, 9, 1, func(rc *rand.Rand) (int, error) {
		e := exprs[rc.IntN(len(exprs))]
		rows, err := conn.QueryContext(ctx, `SELECT rowid FROM call_fts WHERE call_fts MATCH ? ORDER BY bm25(call_fts) LIMIT 10`, e)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		return 0, wrapOp("bare FTS5 "+e, err)
	})
	all := timed[0]
	slices.Sort(all)
	return all, err
}

func wrapOp(text string, err error) error {
	if err != nil {
		return fmt.Errorf("%q: %w", text, err)
	}
	return nil
}

// runClients runs op from concurrent clients for d and returns the
// latencies by the kind op reports (0 to kinds-1); the first error stops
// it.
func runClients(ctx context.Context, clients int, d time.Duration, salt uint64, kinds int, op func(rc *rand.Rand) (kind int, err error)) ([][]time.Duration, error) {
	var mu sync.Mutex
	out := make([][]time.Duration, kinds)
	var errs []error
	deadline := time.Now().Add(d)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			rc := rand.New(rand.NewPCG(uint64(c), salt))
			mine := make([][]time.Duration, kinds)
			var err error
			for time.Now().Before(deadline) && ctx.Err() == nil && err == nil {
				start := time.Now()
				var kind int
				kind, err = op(rc)
				mine[kind] = append(mine[kind], time.Since(start))
			}
			mu.Lock()
			for k := range out {
				out[k] = append(out[k], mine[k]...)
			}
			if err != nil {
				errs = append(errs, err)
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return out, errors.Join(errs...)
}
