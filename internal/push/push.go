// Package push keeps a Microsoft Graph external connection in step with the
// index: one external item per call, with its content and an ACL of
// external groups, and the groups' members from who may see what
// (PRODUCT.md §2, §6). A push sends only what changed since the last one:
// items whose call changed, deletions of calls the index lost, and
// membership changes. Every write Graph accepts is recorded in the index,
// so a killed push resumes without sending again what it had sent.
package push

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"gongconnector/internal/core"
	"gongconnector/internal/graph"
)

// Store is the index's side of a push.
type Store interface {
	// PushQueue lists the calls changed, added (gone false) or deleted
	// (gone true) since they were last pushed.
	PushQueue(ctx context.Context, gone bool, afterID string, limit int) ([]core.PushCandidate, error)
	RecordPushed(ctx context.Context, done []core.PushCandidate) error
	// RequeuePush queues every call, or those of some workspaces.
	RequeuePush(ctx context.Context, workspaces ...string) error
	AddParticipantPairs(ctx context.Context, all bool) error
	ParticipantPairs(ctx context.Context) ([][2]string, error)
	IndexedWorkspaces(ctx context.Context) ([]string, error)
	WorkspaceNames(ctx context.Context) (map[string]string, error)
	PushedGroups(ctx context.Context) (map[string]map[string]bool, error)
	RecordGroups(ctx context.Context, created []string, added, removed []core.Membership) error
	Setting(ctx context.Context, key string) (string, bool, error)
	SetSetting(ctx context.Context, key, value string) error
}

// Settings keys of the push state.
const (
	versionKey    = "graph.push_version"
	workspacesKey = "graph.push_workspaces"
)

// Graph is the connection's side of a push (a *graph.Client).
type Graph interface {
	PutItem(ctx context.Context, connID string, s graph.Schema, it graph.Item) error
	DeleteItem(ctx context.Context, connID, id string) error
	EnsureGroup(ctx context.Context, connID, id, displayName string) error
	AddMember(ctx context.Context, connID, groupID string, m graph.Member) error
	RemoveMember(ctx context.Context, connID, groupID, memberID string) error
}

// Graph's documented limits per connection (graph-connectors.md §5): 25
// items a second, 25 operations at once.
const (
	GraphItemsPerSecond = 25
	GraphConcurrency    = 25
)

// Pusher pushes the index to one connection.
type Pusher struct {
	Store      Store
	Graph      Graph
	Connection string
	Schema     graph.Schema
	// ItemsPerSecond caps item writes (PUT and DELETE) [GraphItemsPerSecond];
	// negative means no cap (benchmarks against the test double).
	ItemsPerSecond float64
	// Concurrency is how many requests are in flight at once [20: under
	// Graph's 25, leaving room for another writer of the connection].
	Concurrency int
	Log         *slog.Logger
}

// Report is what one push did.
type Report struct {
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Pushed items were created or replaced; Deleted removed; Failed could
	// not be written and are tried again by the next push.
	Pushed  int `json:"pushed"`
	Deleted int `json:"deleted"`
	Failed  int `json:"failed"`
	// GroupsCreated, MembersAdded and MembersRemoved are the external
	// group changes.
	GroupsCreated  int `json:"groups_created"`
	MembersAdded   int `json:"members_added"`
	MembersRemoved int `json:"members_removed"`
	// Error is why the push stopped or what failed, empty if nothing did.
	Error string `json:"error,omitempty"`
}

// Version names the form of the items under the schema and access a:
// items pushed under another version are pushed again.
func (p *Pusher) Version(a Access) string {
	b, _ := json.Marshal(struct {
		Format   string
		Schema   graph.Schema
		Everyone string
	}{itemFormat, p.Schema, a.EveryoneTenant})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// pageSize is how many candidates a push reads at a time.
const pageSize = 500

// flushEvery is how many writes are recorded in the index at once: a
// killed push sends again at most that many per kind.
const flushEvery = 100

// giveUpAfter is how many writes in a row may fail with Graph unavailable
// before the push stops (it resumes on the next).
const giveUpAfter = 25

// Push brings the connection in step with the index and a. It removes
// members first and deletes items next, so that nobody keeps access a
// moment longer than needed; then it creates groups and adds members, and
// pushes items last, so that a new item is visible to its people at once.
func (p *Pusher) Push(ctx context.Context, a Access) (Report, error) {
	r := &run{p: p, rep: Report{Started: time.Now()}, log: p.Log}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	perSecond := p.ItemsPerSecond
	if perSecond == 0 {
		perSecond = GraphItemsPerSecond
	}
	r.limit = rate.NewLimiter(rate.Inf, 0)
	if perSecond > 0 {
		// A burst of one: never more than the rate in any second.
		r.limit = rate.NewLimiter(rate.Limit(perSecond), 1)
	}
	r.workers = p.Concurrency
	if r.workers <= 0 {
		r.workers = 20
	}
	// What Graph accepted is recorded even after ctx ends.
	r.keep = context.WithoutCancel(ctx)
	ctx, r.cancel = context.WithCancelCause(ctx)
	defer r.cancel(nil)
	err := r.push(ctx, a)
	r.rep.Finished = time.Now()
	if err == nil && r.rep.Failed > 0 {
		err = fmt.Errorf("%d writes to Microsoft Graph failed and will be tried again by the next push; the first: %s", r.rep.Failed, r.firstErr)
	}
	if err != nil {
		r.rep.Error = err.Error()
	}
	return r.rep, err
}

// run is one push under way.
type run struct {
	p       *Pusher
	log     *slog.Logger
	limit   *rate.Limiter
	workers int
	cancel  context.CancelCauseFunc
	keep    context.Context // for recording in the index

	mu        sync.Mutex
	rep       Report
	firstErr  string
	unhealthy atomic.Int32 // writes failed in a row with Graph unavailable
}

func (r *run) push(ctx context.Context, a Access) error {
	st := r.p.Store
	if err := r.queue(ctx, a); err != nil {
		return err
	}
	workspaces, err := st.IndexedWorkspaces(ctx)
	if err != nil {
		return err
	}
	var pairs [][2]string
	if a.EveryoneTenant == "" {
		if pairs, err = st.ParticipantPairs(ctx); err != nil {
			return err
		}
	}
	want := Members(a.People, workspaces, pairs)
	have, err := st.PushedGroups(ctx)
	if err != nil {
		return err
	}
	if err := r.removeMembers(ctx, want, have); err != nil {
		return err
	}
	if err := r.items(ctx, a, true); err != nil {
		return err
	}
	if err := r.addMembers(ctx, want, have); err != nil {
		return err
	}
	return r.items(ctx, a, false)
}

// queue adds to the queue of calls to push what the triggers on calls do
// not see: every call when the items' form changed (schema, ACL form),
// the calls of renamed workspaces otherwise. It records the participant
// pairs of the queued calls (of all calls, for a new form).
func (r *run) queue(ctx context.Context, a Access) error {
	st := r.p.Store
	version := r.p.Version(a)
	had, _, err := st.Setting(ctx, versionKey)
	if err != nil {
		return err
	}
	names, err := st.WorkspaceNames(ctx)
	if err != nil {
		return err
	}
	all := had != version
	if all {
		if had != "" {
			r.log.Info("push: the items' form changed (schema or access mode): every call will be pushed again")
		}
		if err := st.RequeuePush(ctx); err != nil {
			return err
		}
	} else {
		var before map[string]string
		if v, ok, err := st.Setting(ctx, workspacesKey); err != nil {
			return err
		} else if ok {
			_ = json.Unmarshal([]byte(v), &before)
		}
		var renamed []string
		for id, name := range names {
			if old, ok := before[id]; ok && old != name {
				renamed = append(renamed, id)
			}
		}
		if len(renamed) > 0 {
			if err := st.RequeuePush(ctx, renamed...); err != nil {
				return err
			}
		}
	}
	if a.EveryoneTenant == "" {
		if err := st.AddParticipantPairs(ctx, all); err != nil {
			return err
		}
	}
	b, err := json.Marshal(names)
	if err != nil {
		return err
	}
	if err := st.SetSetting(ctx, workspacesKey, string(b)); err != nil {
		return err
	}
	return st.SetSetting(ctx, versionKey, version)
}

func (r *run) removeMembers(ctx context.Context, want, have map[string]map[string]bool) error {
	gone := missing(have, want)
	rec := newRecorder(func(done []core.Membership) error { return r.p.Store.RecordGroups(r.keep, nil, nil, done) })
	err := r.each(ctx, len(gone), func(ctx context.Context, i int) error {
		m := gone[i]
		if err := r.p.Graph.RemoveMember(ctx, r.p.Connection, m.Group, m.Member); err != nil {
			return err
		}
		r.count(func(rep *Report) { rep.MembersRemoved++ })
		return rec.add(m)
	})
	return errors.Join(err, rec.flush())
}

func (r *run) addMembers(ctx context.Context, want, have map[string]map[string]bool) error {
	var groups []string
	for g := range want {
		if _, ok := have[g]; !ok {
			groups = append(groups, g)
		}
	}
	slices.Sort(groups)
	created := newRecorder(func(done []string) error { return r.p.Store.RecordGroups(r.keep, done, nil, nil) })
	err := r.each(ctx, len(groups), func(ctx context.Context, i int) error {
		if err := r.p.Graph.EnsureGroup(ctx, r.p.Connection, groups[i], "Gong call access "+groups[i][:9]); err != nil {
			return err
		}
		r.count(func(rep *Report) { rep.GroupsCreated++ })
		return created.add(groups[i])
	})
	if err := errors.Join(err, created.flush()); err != nil {
		return err
	}
	add := missing(want, have)
	rec := newRecorder(func(done []core.Membership) error { return r.p.Store.RecordGroups(r.keep, nil, done, nil) })
	err = r.each(ctx, len(add), func(ctx context.Context, i int) error {
		m := add[i]
		err := r.p.Graph.AddMember(ctx, r.p.Connection, m.Group, graph.Member{ID: m.Member, Type: "user"})
		if core.ErrorCode(err) == core.ENotFound {
			// The group was deleted behind our back: make it again.
			if err = r.p.Graph.EnsureGroup(ctx, r.p.Connection, m.Group, "Gong call access "+m.Group[:9]); err == nil {
				err = r.p.Graph.AddMember(ctx, r.p.Connection, m.Group, graph.Member{ID: m.Member, Type: "user"})
			}
		}
		if err != nil {
			return err
		}
		r.count(func(rep *Report) { rep.MembersAdded++ })
		return rec.add(m)
	})
	return errors.Join(err, rec.flush())
}

// items pushes the queued calls the index has (gone false), or deletes
// the items of those it no longer has (gone true).
func (r *run) items(ctx context.Context, a Access, gone bool) error {
	rec := newRecorder(func(done []core.PushCandidate) error { return r.p.Store.RecordPushed(r.keep, done) })
	after := ""
	for {
		page, err := r.p.Store.PushQueue(ctx, gone, after, pageSize)
		if err != nil {
			return errors.Join(err, rec.flush())
		}
		if len(page) == 0 {
			return rec.flush()
		}
		after = page[len(page)-1].ID
		err = r.each(ctx, len(page), func(ctx context.Context, i int) error {
			c := page[i]
			switch {
			case c.Call != nil:
				it := Item(c.Call, c.WorkspaceName, c.IndexedAt, a.ACL(c.Call))
				if err := r.limit.Wait(ctx); err != nil {
					return err
				}
				if err := r.p.Graph.PutItem(ctx, r.p.Connection, r.p.Schema, it); err != nil {
					return err
				}
				r.count(func(rep *Report) { rep.Pushed++ })
			case c.Pushed:
				if err := r.limit.Wait(ctx); err != nil {
					return err
				}
				if err := r.p.Graph.DeleteItem(ctx, r.p.Connection, ItemID(c.ID)); err != nil {
					return err
				}
				r.count(func(rep *Report) { rep.Deleted++ })
			}
			return rec.add(c)
		})
		if err != nil {
			return errors.Join(err, rec.flush())
		}
	}
}

// each runs fn for 0..n-1 on the run's workers. A write that fails is
// counted and left for the next push, unless the failure stops the whole
// push: Graph refusing the app (401, 403), the connection missing, Graph
// unavailable for giveUpAfter writes in a row, the index failing, or ctx
// ending.
func (r *run) each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	next := atomic.Int64{}
	var wg sync.WaitGroup
	for range min(r.workers, n) {
		wg.Go(func() {
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				err := fn(ctx, i)
				if err == nil {
					r.unhealthy.Store(0)
					continue
				}
				if ctx.Err() != nil {
					return
				}
				if fatal := r.fatal(err); fatal != nil {
					r.cancel(fatal)
					return
				}
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return nil
}

// fatal counts a failed write and returns the error that stops the push,
// if it is one.
func (r *run) fatal(err error) error {
	var se *storeError
	if errors.As(err, &se) {
		return se.err
	}
	switch core.ErrorCode(err) {
	case core.EUnauthorized:
		return err
	case core.ENotFound:
		return fmt.Errorf("%w (run gongconnector graph setup to create the connection %s)", err, r.p.Connection)
	case core.EUnavailable:
		if r.unhealthy.Add(1) >= giveUpAfter {
			return fmt.Errorf("stopped after %d failed writes in a row; the next push resumes: %w", giveUpAfter, err)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.rep.Failed++
	if r.firstErr == "" {
		r.firstErr = err.Error()
	}
	r.log.Warn("push: a write to Microsoft Graph failed", "err", err)
	return nil
}

func (r *run) count(fn func(*Report)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(&r.rep)
}

// storeError marks a failure to record in the index: it stops the push.
type storeError struct{ err error }

func (e *storeError) Error() string { return e.err.Error() }

// recorder collects writes Graph accepted and records them in the index
// flushEvery at a time.
type recorder[T any] struct {
	mu     sync.Mutex
	done   []T
	record func([]T) error
}

func newRecorder[T any](record func([]T) error) *recorder[T] {
	return &recorder[T]{record: record}
}

func (r *recorder[T]) add(v T) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.done = append(r.done, v)
	if len(r.done) < flushEvery {
		return nil
	}
	return r.flushLocked()
}

func (r *recorder[T]) flush() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushLocked()
}

func (r *recorder[T]) flushLocked() error {
	if len(r.done) == 0 {
		return nil
	}
	if err := r.record(r.done); err != nil {
		return &storeError{err}
	}
	r.done = r.done[:0]
	return nil
}

// missing returns the memberships of a that b lacks, in order.
func missing(a, b map[string]map[string]bool) []core.Membership {
	var out []core.Membership
	for g, members := range a {
		for m := range members {
			if !b[g][m] {
				out = append(out, core.Membership{Group: g, Member: m})
			}
		}
	}
	slices.SortFunc(out, func(x, y core.Membership) int {
		return cmp.Or(strings.Compare(x.Group, y.Group), strings.Compare(x.Member, y.Member))
	})
	return out
}
