package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"gongconnector/internal/access"
	"gongconnector/internal/core"
	"gongconnector/internal/sqlite"
)

// benchSearch compares trimmed searches with the same searches untrimmed,
// for three callers picked from the tenant by what they may see: a rep
// (~0.1% of the calls), a manager (~5%) and a user with access to every
// call. Each query runs alternately trimmed and untrimmed; the figures are
// medians. The first trimmed query of a caller also builds their visible
// set, reported apart.
func benchSearch(ctx context.Context, w io.Writer, db *sqlite.DB, rounds int) error {
	rules, total, err := benchRules(ctx, db)
	if err != nil {
		return err
	}
	callers, err := pickCallers(ctx, db, rules, total)
	if err != nil {
		return err
	}
	queries, err := pickQueries(ctx, db, total)
	if err != nil {
		return err
	}
	everything := core.Visibility{Everything: true}
	fmt.Fprintf(w, "\ntrimmed vs untrimmed search on %d calls (median of %d runs each, alternating)\n", total, rounds)
	var ratios []float64
	for _, c := range callers {
		start := time.Now()
		if _, err := db.CountVisible(ctx, c.v); err != nil {
			return err
		}
		fmt.Fprintf(w, "\n%s: user %s sees %d calls (%.2f%%); visible set built in %s\n",
			c.role, c.id, c.visible, 100*float64(c.visible)/float64(total), time.Since(start).Round(time.Microsecond))
		fmt.Fprintf(w, "  %-34s %9s %9s %11s %11s %7s\n", "query", "matches", "visible", "untrimmed", "trimmed", "ratio")
		var mine []float64
		for _, q := range queries {
			var plain, trimmed []time.Duration
			var all, vis int
			for range rounds {
				for _, v := range []core.Visibility{everything, c.v} {
					t := time.Now()
					res, err := db.Search(ctx, core.Query{Text: q.text, Limit: 10, Visibility: v})
					d := time.Since(t)
					if err != nil {
						return err
					}
					if v.Everything {
						plain, all = append(plain, d), res.Total
					} else {
						trimmed, vis = append(trimmed, d), res.Total
					}
				}
			}
			p, tr := median(plain), median(trimmed)
			ratio := float64(tr) / float64(p)
			mine = append(mine, ratio)
			fmt.Fprintf(w, "  %-34s %9d %9d %11s %11s %6.2fx\n", q.name+" "+strconvQuote(q.text), all, vis, ms(p), ms(tr), ratio)
		}
		slices.Sort(mine)
		fmt.Fprintf(w, "  median ratio for the %s: %.2fx\n", c.role, mine[len(mine)/2])
		ratios = append(ratios, mine...)
	}
	slices.Sort(ratios)
	fmt.Fprintf(w, "\nmedian ratio over every caller and query: %.2fx (worst %.2fx)\n", ratios[len(ratios)/2], ratios[len(ratios)-1])
	return nil
}

type benchCaller struct {
	role, id string
	v        core.Visibility
	visible  int
}

// pickCallers finds, among active users, the rep closest to 0.1% of the
// calls, the manager closest to 5%, and a user who sees every call.
func pickCallers(ctx context.Context, db *sqlite.DB, rules *access.Rules, total int) ([]benchCaller, error) {
	var reps, managers, alls []string
	wss := rules.Workspaces()
	for _, u := range rules.Snapshot().Users {
		if !u.Active {
			continue
		}
		levels := map[string]int{}
		for _, ws := range wss {
			levels[rules.Grant(u.ID, ws).Level]++
		}
		team := levels[core.LevelReportToThem] + levels[core.LevelManagersTeam]
		switch {
		case levels[core.LevelAll] == len(wss):
			alls = append(alls, u.ID)
		case levels[core.LevelAll] > 0:
			// sees a workspace in full: neither a rep nor a manager
		case team > 0:
			managers = append(managers, u.ID)
		case levels[core.LevelOwn] > 0:
			reps = append(reps, u.ID)
		}
	}
	closest := func(role string, ids []string, share float64) (benchCaller, error) {
		best := benchCaller{role: role}
		bestGap := -1.0
		for i, id := range ids {
			if i >= 400 { // enough candidates; each costs a visible-set build
				break
			}
			v, _ := rules.Visibility(id)
			n, err := db.CountVisible(ctx, v)
			if err != nil {
				return best, err
			}
			gap := abs(float64(n)/float64(total) - share)
			if bestGap < 0 || gap < bestGap {
				best.id, best.v, best.visible, bestGap = id, v, n, gap
			}
		}
		if best.id == "" {
			return best, fmt.Errorf("the tenant has no %s", role)
		}
		return best, nil
	}
	rep, err := closest("rep", reps, 0.001)
	if err != nil {
		return nil, err
	}
	mgr, err := closest("manager", managers, 0.05)
	if err != nil {
		return nil, err
	}
	all, err := closest("all-access user", alls, 1)
	if err != nil {
		return nil, err
	}
	return []benchCaller{rep, mgr, all}, nil
}

type benchQuery struct{ name, text string }

// pickQueries chooses queries by how many calls they match: an account
// name (rare), two words, a medium word (~5%), a common word (most calls)
// and a prefix.
func pickQueries(ctx context.Context, db *sqlite.DB, total int) ([]benchQuery, error) {
	everything := core.Visibility{Everything: true}
	count := func(text string) (int, []core.Hit, error) {
		res, err := db.Search(ctx, core.Query{Text: text, Limit: 1, Visibility: everything})
		return res.Total, res.Hits, err
	}
	var out []benchQuery
	_, hits, err := count("renewal")
	if err != nil {
		return nil, err
	}
	if len(hits) > 0 && len(hits[0].Accounts) > 0 {
		out = append(out, benchQuery{"rare (an account)", hits[0].Accounts[0]})
	}
	medium, common := "", ""
	mediumGap, commonN := -1.0, 0
	for _, word := range []string{"pricing", "security", "integration", "timeline", "budget", "onboarding",
		"renewal", "procurement", "legal", "champion", "competitor", "discount", "migration", "roadmap", "next", "team",
		"maya", "priya", "kenji", "ingrid", "chen", "patel", "nakamura", "sso", "sandbox", "forecast"} {
		n, _, err := count(word)
		if err != nil {
			return nil, err
		}
		if gap := abs(float64(n)/float64(total) - 0.05); n > 0 && (mediumGap < 0 || gap < mediumGap) {
			medium, mediumGap = word, gap
		}
		if n > commonN {
			common, commonN = word, n
		}
	}
	out = append(out,
		benchQuery{"two words", "security timeline"},
		benchQuery{"medium (~5%)", medium},
		benchQuery{"common", common},
		benchQuery{"prefix", "integr*"},
	)
	return out, nil
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f ms", float64(d.Microseconds())/1000) }

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

func strconvQuote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

// benchRules returns the index's access rules and its number of calls.
func benchRules(ctx context.Context, db *sqlite.DB) (*access.Rules, int, error) {
	snap, err := db.Snapshot(ctx)
	if err != nil {
		return nil, 0, err
	}
	if snap == nil {
		return nil, 0, fmt.Errorf("the index has no permission snapshot: crawl first")
	}
	total, err := db.CountCalls(ctx)
	if err != nil {
		return nil, 0, err
	}
	return access.New(snap), total, nil
}
