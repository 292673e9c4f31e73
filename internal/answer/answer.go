// Package answer answers questions about calls from the index, with
// citations, for one caller: it understands the question (package question),
// retrieves the calls the caller may see that it is about, and composes the
// answer from their Gong content (brief, key points, action items, topics,
// trackers, people, outcome). No language model is needed; one may phrase
// the answer (Phraser), from the same retrieved calls only.
//
// Every call an answer uses comes from a trimmed search: the index is never
// read for a call the caller may not see, and a question whose calls are all
// hidden gets the same answer as one about calls that do not exist.
package answer

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/question"
)

// Index is what answering needs from the store.
type Index interface {
	// Search runs a trimmed search (core.Query.Visibility).
	Search(ctx context.Context, q core.Query) (core.SearchResult, error)
	// Calls returns whole calls by id; only ids a trimmed search returned
	// are asked for.
	Calls(ctx context.Context, ids []string) ([]*core.Call, error)
	// Names returns the account and deal names questions are matched against.
	Names(ctx context.Context) (*core.CallNames, error)
}

// Phraser rewrites an answer in natural language from the answer's own
// passages. It is optional; when it fails the answer stands as composed.
type Phraser interface {
	Phrase(ctx context.Context, question string, a *Answer) (string, error)
}

// Request is a question asked by one caller.
type Request struct {
	Question   string
	Visibility core.Visibility
	// Location is the caller's time zone, for dates in the question and
	// the answer; nil is UTC.
	Location *time.Location
	// Now is when the question is asked; zero is the engine's clock.
	Now time.Time
}

// Answer is the reply to a question.
type Answer struct {
	Answer    string     `json:"answer"`
	Intent    string     `json:"intent"`
	Calls     []CallRef  `json:"calls"`
	Citations []Citation `json:"citations"`
	// Phrased is true when a language model wrote Answer.
	Phrased bool `json:"phrased,omitempty"`
}

// CallRef is a call an answer is drawn from.
type CallRef struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Started  time.Time `json:"started"`
	URL      string    `json:"url"`
	Accounts []string  `json:"accounts,omitempty"`
}

// Citation is a passage of a call that supports the answer, with the moment
// in the call it comes from when Gong gives one.
type Citation struct {
	CallID string `json:"call_id"`
	Text   string `json:"text"`
	// StartTime is seconds from the start of the call; nil when unknown.
	StartTime *float64 `json:"start_time"`
}

// NothingFound is the answer when no call the caller may see matches. It is
// the same whether or not calls they may not see would have.
const NothingFound = "Nothing found: none of the calls you can see matches this question."

// Engine answers questions. It is safe for concurrent use.
type Engine struct {
	idx     Index
	now     func() time.Time
	phraser Phraser
	log     *slog.Logger

	mu      sync.Mutex
	catalog *question.Catalog
	version int64
	built   time.Time
}

// Option configures an Engine.
type Option func(*Engine)

// WithClock sets the engine's clock (time.Now by default).
func WithClock(now func() time.Time) Option { return func(e *Engine) { e.now = now } }

// WithPhraser lets a language model phrase answers.
func WithPhraser(p Phraser) Option { return func(e *Engine) { e.phraser = p } }

// WithLogger sets where the engine reports a phraser's failures.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// New returns an engine over idx.
func New(idx Index, opts ...Option) *Engine {
	e := &Engine{idx: idx, now: time.Now, log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(e)
	}
	return e
}

// catalogRefresh is how long a catalog of names serves after the calls
// changed: during a crawl the names change with every batch, and a name
// added a few seconds ago can wait.
const catalogRefresh = 10 * time.Second

// names returns the catalog of account and deal names, rebuilt when the
// calls changed (at most every catalogRefresh once built).
func (e *Engine) names(ctx context.Context) (*question.Catalog, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.catalog != nil && time.Since(e.built) < catalogRefresh {
		return e.catalog, nil
	}
	n, err := e.idx.Names(ctx)
	if err != nil {
		return nil, err
	}
	if e.catalog == nil || n.Version != e.version {
		e.catalog, e.version = question.NewCatalog(n.Accounts, n.Deals), n.Version
	}
	e.built = time.Now()
	return e.catalog, nil
}

// Ask answers a question for the caller.
func (e *Engine) Ask(ctx context.Context, r Request) (*Answer, error) {
	loc := r.Location
	if loc == nil {
		loc = time.UTC
	}
	now := r.Now
	if now.IsZero() {
		now = e.now()
	}
	cat, err := e.names(ctx)
	if err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	q := question.Understand(r.Question, now, loc, cat)
	a := &asking{e: e, ctx: ctx, q: q, vis: r.Visibility, loc: loc, latest: asksLatest(r.Question)}
	ans, err := a.answer()
	if err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	if e.phraser != nil && len(ans.Calls) > 0 {
		if text, err := e.phraser.Phrase(ctx, r.Question, ans); err != nil {
			e.log.Warn("the language model could not phrase the answer; the composed answer is used", "err", err)
		} else if strings.TrimSpace(text) != "" {
			ans.Answer, ans.Phrased = strings.TrimSpace(text), true
		}
	}
	return ans, nil
}

// asksLatest reports whether a question asks for the most recent meeting
// ("my last call with Acme", "the latest demo").
func asksLatest(q string) bool {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !core.IsWordRune(r) })
	for i, w := range words {
		switch w {
		case "latest", "last", "recent", "previous", "newest":
			for _, next := range words[i+1 : min(i+4, len(words))] {
				if meetingNouns[next] {
					return true
				}
			}
		}
	}
	return false
}

var meetingNouns = map[string]bool{"call": true, "meeting": true, "demo": true, "sync": true, "review": true,
	"conversation": true, "session": true, "discussion": true, "qbr": true, "kickoff": true, "touchpoint": true,
	"checkin": true, "check": true}
