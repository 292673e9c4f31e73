// Package eval measures search and question answering against a fixed
// simulated tenant: a set of questions and queries, written as data
// (questions.yaml), each with the calls it should find and the facts its
// answer should state. It reports recall@10, MRR and answer accuracy.
//
// The set is a measuring tool, not a target: its questions were written from
// the tenant's content, not from the code that answers them.
package eval

import (
	"bytes"
	"context"
	_ "embed"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/goccy/go-yaml"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
	"gongconnector/internal/gongsim"
)

// Questions is the evaluation set.
//
//go:embed questions.yaml
var Questions []byte

// Tenant is the simulated tenant Questions is written for. Its clock is
// fixed, so "last week" always means the same days.
func Tenant() gongsim.Options {
	return gongsim.Options{Seed: 1, Calls: 2000, Now: time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)}
}

// Who asks a case.
const (
	AsAdmin = "admin" // every call
	AsHost  = "host"  // the host of the case's first expected call (another participant who may see it when the host cannot)
	AsRep   = "rep"   // a rep who sees only their own calls, none of them the first expected call
)

// Kinds of case.
const (
	KindAsk    = "ask"
	KindSearch = "search"
)

// Case is one question or query with what it should find.
type Case struct {
	Q       string   `yaml:"q"`
	Kind    string   `yaml:"kind"`
	As      string   `yaml:"as"`
	Intent  string   `yaml:"intent"`
	Calls   []string `yaml:"calls"` // "YYYY-MM-DD | title": start date (UTC) and exact title
	Facts   []string `yaml:"facts"`
	Nothing bool     `yaml:"nothing"` // the answer must be answer.NothingFound
}

// Load parses and checks a set.
func Load(data []byte) ([]Case, error) {
	var f struct {
		Cases []Case `yaml:"cases"`
	}
	if err := yaml.UnmarshalWithOptions(data, &f, yaml.Strict()); err != nil {
		return nil, fmt.Errorf("eval: read the questions: %w", err)
	}
	for i := range f.Cases {
		c := &f.Cases[i]
		if c.Kind == "" {
			c.Kind = KindAsk
		}
		if c.As == "" {
			c.As = AsAdmin
		}
		where := fmt.Sprintf("eval: case %d (%q)", i+1, c.Q)
		switch {
		case strings.TrimSpace(c.Q) == "":
			return nil, fmt.Errorf("%s: no question", where)
		case c.Kind != KindAsk && c.Kind != KindSearch:
			return nil, fmt.Errorf("%s: kind %q is neither ask nor search", where, c.Kind)
		case c.As != AsAdmin && c.As != AsHost && c.As != AsRep:
			return nil, fmt.Errorf("%s: as %q is not admin, host or rep", where, c.As)
		case c.As != AsAdmin && len(c.Calls) == 0:
			return nil, fmt.Errorf("%s: as %s needs an expected call", where, c.As)
		case c.Nothing && c.Kind != KindAsk:
			return nil, fmt.Errorf("%s: only a question can expect nothing found", where)
		}
		for _, ref := range c.Calls {
			if _, _, ok := splitRef(ref); !ok {
				return nil, fmt.Errorf("%s: call %q is not \"YYYY-MM-DD | title\"", where, ref)
			}
		}
	}
	return f.Cases, nil
}

func splitRef(ref string) (day, title string, ok bool) {
	day, title, ok = strings.Cut(ref, " | ")
	if _, err := time.Parse(time.DateOnly, day); err != nil || strings.TrimSpace(title) == "" {
		return "", "", false
	}
	return day, title, ok
}

// System is what is measured.
type System interface {
	Search(ctx context.Context, q core.Query) (core.SearchResult, error)
	Ask(ctx context.Context, r answer.Request) (*answer.Answer, error)
}

// Env is the tenant the cases run against.
type Env struct {
	System System
	// Calls are the indexed calls, for finding the expected ones.
	Calls []*core.Call
	// Visibility returns what a case's asker may see; call is the case's
	// first expected call (nil when it has none).
	Visibility func(as string, call *core.Call) (core.Visibility, error)
	Now        time.Time
}

// Result is one case's outcome.
type Result struct {
	Case
	Returned []string // ids of the calls returned, best first
	Expected []string // ids of the expected calls
	Recall   float64  // of the expected calls in the top 10; -1 when none are expected
	RR       float64  // reciprocal rank of the first expected call; -1 when none are expected
	Correct  *bool    // for questions: the answer states every fact (or nothing found)
	Answer   string
	Missing  []string // facts the answer lacks
}

// Report sums up a run.
type Report struct {
	Results          []Result
	RecallAt10, MRR  float64
	Accuracy         float64
	Ranked, Answered int // cases with expected calls; questions
}

// Run runs every case.
func Run(ctx context.Context, env Env, cases []Case) (*Report, error) {
	byRef := map[string][]*core.Call{}
	for _, c := range env.Calls {
		ref := c.Started.UTC().Format(time.DateOnly) + " | " + c.Title
		byRef[ref] = append(byRef[ref], c)
	}
	rep := &Report{}
	var recall, rr, correct float64
	for _, c := range cases {
		res := Result{Case: c, Recall: -1, RR: -1}
		for _, ref := range c.Calls {
			found := byRef[ref]
			if len(found) == 0 {
				return nil, fmt.Errorf("eval: %q expects the call %q, which the index does not hold", c.Q, ref)
			}
			for _, x := range found {
				res.Expected = append(res.Expected, x.ID)
			}
		}
		var first *core.Call
		if len(c.Calls) > 0 {
			first = byRef[c.Calls[0]][0]
		}
		v, err := env.Visibility(c.As, first)
		if err != nil {
			return nil, fmt.Errorf("eval: %q: %w", c.Q, err)
		}
		switch c.Kind {
		case KindSearch:
			sr, err := env.System.Search(ctx, core.Query{Text: c.Q, Limit: 10, Visibility: v})
			if err != nil {
				return nil, fmt.Errorf("eval: search %q: %w", c.Q, err)
			}
			for _, h := range sr.Hits {
				res.Returned = append(res.Returned, h.ID)
			}
		default:
			a, err := env.System.Ask(ctx, answer.Request{Question: c.Q, Visibility: v, Location: time.UTC, Now: env.Now})
			if err != nil {
				return nil, fmt.Errorf("eval: ask %q: %w", c.Q, err)
			}
			res.Answer = a.Answer
			for _, x := range a.Calls {
				res.Returned = append(res.Returned, x.ID)
			}
			ok := true
			if c.Nothing {
				ok = a.Answer == answer.NothingFound && len(a.Calls) == 0
			} else {
				low := strings.ToLower(a.Answer)
				for _, f := range c.Facts {
					if !strings.Contains(low, strings.ToLower(f)) {
						res.Missing = append(res.Missing, f)
					}
				}
				ok = len(res.Missing) == 0 && a.Answer != answer.NothingFound && (c.Intent == "" || c.Intent == a.Intent)
			}
			res.Correct = &ok
			rep.Answered++
			if ok {
				correct++
			}
		}
		if len(res.Expected) > 0 && !c.Nothing {
			top := res.Returned[:min(10, len(res.Returned))]
			hit := 0
			res.RR = 0
			for _, id := range res.Expected {
				if slices.Contains(top, id) {
					hit++
				}
			}
			for i, id := range top {
				if slices.Contains(res.Expected, id) {
					res.RR = 1 / float64(i+1)
					break
				}
			}
			// An expected call found in the top 10 counts; the recall of
			// a case expecting more than 10 calls is over its best 10.
			res.Recall = float64(hit) / float64(min(len(res.Expected), 10))
			recall += res.Recall
			rr += res.RR
			rep.Ranked++
		}
		rep.Results = append(rep.Results, res)
	}
	if rep.Ranked > 0 {
		rep.RecallAt10, rep.MRR = recall/float64(rep.Ranked), rr/float64(rep.Ranked)
	}
	if rep.Answered > 0 {
		rep.Accuracy = correct / float64(rep.Answered)
	}
	return rep, nil
}

// Print writes the report: the figures, then the cases that fell short
// (every case when verbose).
func (r *Report) Print(w io.Writer, verbose bool) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d cases: %d with expected calls, %d questions answered\n", len(r.Results), r.Ranked, r.Answered)
	fmt.Fprintf(&b, "  recall@10        %.3f\n", r.RecallAt10)
	fmt.Fprintf(&b, "  MRR              %.3f\n", r.MRR)
	fmt.Fprintf(&b, "  answer accuracy  %.3f\n", r.Accuracy)
	for _, res := range r.Results {
		failed := (res.Correct != nil && !*res.Correct) || (res.Recall >= 0 && res.Recall < 1)
		if !failed && !verbose {
			continue
		}
		mark := "ok  "
		if failed {
			mark = "MISS"
		}
		fmt.Fprintf(&b, "\n%s [%s as %s] %s\n", mark, res.Kind, res.As, res.Q)
		if res.Recall >= 0 {
			fmt.Fprintf(&b, "     recall@10 %.2f, reciprocal rank %.2f\n", res.Recall, res.RR)
		}
		if len(res.Missing) > 0 {
			fmt.Fprintf(&b, "     missing facts: %q\n", res.Missing)
		}
		if res.Correct != nil && (failed || verbose) {
			fmt.Fprintf(&b, "     answer: %s\n", strings.ReplaceAll(firstLines(res.Answer, 6), "\n", "\n             "))
		}
	}
	w.Write(b.Bytes())
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = append(lines[:n], "…")
	}
	return strings.Join(lines, "\n")
}
