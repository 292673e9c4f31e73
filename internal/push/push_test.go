package push

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/graph"
	"gongconnector/internal/graphsim"
)

func calls(from, to int) []*core.Call {
	var out []*core.Call
	for i := from; i < to; i++ {
		out = append(out, testCall(i))
	}
	return out
}

func ids(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, testCall(i).ID)
	}
	slices.Sort(out)
	return out
}

// visibleTo is what person p of people() may see among calls [0, n).
func visibleTo(p, n int) []string {
	var out []string
	for i := range n {
		c := testCall(i)
		if people()[p].Visibility.Allows(c.WorkspaceID, c.ParticipantKeys()) {
			out = append(out, c.ID)
		}
	}
	slices.Sort(out)
	return out
}

// TestPushSendsOnlyChanges: a first push sends every call, the next
// nothing, then exactly the edited calls and the deletions.
func TestPushSendsOnlyChanges(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, nil)
	ctx := t.Context()
	e.index(t, calls(0, 60)...)
	a := Access{People: people()}
	rep, err := e.pusher.Push(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Pushed != 60 || rep.Deleted != 0 || rep.Failed != 0 {
		t.Errorf("first push: %+v", rep)
	}
	if got := e.sortedItems(); !slices.Equal(got, ids(0, 60)) {
		t.Fatalf("the connection holds %d items, want 60", len(got))
	}
	// The item as Graph holds it.
	acl, props, _ := e.sim.Item(testConn, testCall(3).ID)
	if props["title"] != "Call 3 with Acme Corp" || props["workspace"] != "Customer Success" || props["durationMinutes"] != float64(45) ||
		props["host"] != "Host u3" || props["started"] != "2026-05-12T12:00:00Z" {
		t.Errorf("item properties: %v", props)
	}
	var granted []string
	for _, ace := range acl {
		granted = append(granted, ace.(map[string]any)["value"].(string))
	}
	if want := graph.CallACL("ws2", testCall(3).ParticipantKeys()); len(granted) != len(want) || granted[0] != want[0].Value {
		t.Errorf("ACL grants %v, want %v", granted, want)
	}

	// Nothing changed: not one request.
	before := e.sim.Counts().Graph
	if rep, err = e.pusher.Push(ctx, a); err != nil || rep.Pushed+rep.Deleted+rep.MembersAdded+rep.MembersRemoved != 0 {
		t.Errorf("second push: %+v, %v", rep, err)
	}
	if n := e.sim.Counts().Graph - before; n != 0 {
		t.Errorf("an unchanged index sent %d requests", n)
	}

	// Three edits and two deletions.
	edited := calls(10, 13)
	for _, c := range edited {
		c.Brief = "Edited: the customer asked for a pilot."
	}
	e.index(t, edited...)
	e.remove(t, testCall(20).ID, testCall(21).ID)
	items := e.sim.Counts().Items
	if rep, err = e.pusher.Push(ctx, a); err != nil || rep.Pushed != 3 || rep.Deleted != 2 {
		t.Errorf("after edits: %+v, %v", rep, err)
	}
	if n := e.sim.Counts().Items - items; n != 3 {
		t.Errorf("%d items written, want 3", n)
	}
	want := slices.DeleteFunc(ids(0, 60), func(id string) bool { return id == testCall(20).ID || id == testCall(21).ID })
	if got := e.sortedItems(); !slices.Equal(got, want) {
		t.Errorf("the connection holds %d items, want %d", len(got), len(want))
	}
	if got := e.search(t, entraID(7), "pilot"); len(got) != 2 { // 10 and 12 are in ws1
		t.Errorf("person 7 finds %v for pilot, want calls 10 and 12", got)
	}
}

// TestSearchTrimmedByGroups: what each person finds in Microsoft 365 is
// what their Visibility allows, through the external groups.
func TestSearchTrimmedByGroups(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, nil)
	e.index(t, calls(0, 50)...)
	if _, err := e.pusher.Push(t.Context(), Access{People: people()}); err != nil {
		t.Fatal(err)
	}
	for p := range people() {
		if got, want := e.search(t, entraID(p), ""), visibleTo(p, 50); !slices.Equal(got, want) {
			t.Errorf("person %d finds %d calls, want %d", p, len(got), len(want))
		}
	}
	if got := e.search(t, entraID(99), ""); len(got) != 0 {
		t.Errorf("a stranger finds %d calls", len(got))
	}
	// 7 groups per workspace for the hosts, one per workspace; the
	// customer's email key has no member, hence no group.
	groups := e.sim.ExternalGroups(testConn)
	if len(groups) != 15 {
		t.Errorf("%d external groups, want 15", len(groups))
	}
	if m := groups[graph.WorkspaceGroup("ws1")]; len(m) != 1 || m[entraID(7)] != "user" {
		t.Errorf("the group of ws1 holds %v", m)
	}
}

// TestPermissionChangeMovesMembersOnly: access changes reach Microsoft 365
// through memberships; no item is pushed, and a request count shows it.
func TestPermissionChangeMovesMembersOnly(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, nil)
	ctx := t.Context()
	e.index(t, calls(0, 5000)...)
	ps := people()
	if _, err := e.pusher.Push(ctx, Access{People: ps}); err != nil {
		t.Fatal(err)
	}
	// Person 0 now sees all of ws2 (2,500 calls), and person 7 loses ws1.
	ps[0].Visibility.Workspaces = []string{"ws2"}
	ps[7].Visibility = core.Visibility{}
	e.sim.ResetCounts()
	rep, err := e.pusher.Push(ctx, Access{People: ps})
	if err != nil {
		t.Fatal(err)
	}
	c := e.sim.Counts()
	t.Logf("permission change: %d requests (%d members added, %d removed), %d items", c.Graph, rep.MembersAdded, rep.MembersRemoved, c.Items)
	if c.Items != 0 || rep.Pushed != 0 {
		t.Errorf("a permission change pushed %d items", c.Items)
	}
	// Person 0 leaves the participant group of ws2 and joins ws2's group,
	// made for them; person 7 leaves ws1's group.
	if rep.MembersAdded != 1 || rep.MembersRemoved != 2 || rep.GroupsCreated != 1 || c.Graph != 4 {
		t.Errorf("%d added, %d removed, %d groups made in %d requests; want 1, 2, 1 in 4", rep.MembersAdded, rep.MembersRemoved, rep.GroupsCreated, c.Graph)
	}
	want := 0
	for i := range 5000 {
		c := testCall(i)
		if ps[0].Visibility.Allows(c.WorkspaceID, c.ParticipantKeys()) {
			want++
		}
	}
	if got := e.search(t, entraID(0), "rollout"); len(got) != want {
		t.Errorf("person 0 finds %d calls, want %d", len(got), want)
	}
	if got := e.search(t, entraID(7), ""); len(got) != 0 {
		t.Errorf("person 7 still finds %d calls", len(got))
	}
}

// TestEveryoneMode: every item grants the tenant; no group is made.
func TestEveryoneMode(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, nil)
	e.index(t, calls(0, 20)...)
	if _, err := e.pusher.Push(t.Context(), Access{People: people()}); err != nil {
		t.Fatal(err)
	}
	// Switching mode re-pushes every item and empties the groups.
	rep, err := e.pusher.Push(t.Context(), Access{EveryoneTenant: testTenant})
	if err != nil || rep.Pushed != 20 || rep.MembersRemoved == 0 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if got := e.search(t, entraID(99), ""); len(got) != 20 {
		t.Errorf("anyone finds %d calls, want 20", len(got))
	}
	for g, m := range e.sim.ExternalGroups(testConn) {
		if len(m) > 0 {
			t.Errorf("group %s still has members %v", g, m)
		}
	}
}

// TestThrottlingStorm: with 30% of requests answered 429 (Retry-After 1s),
// the push ends with every item and membership, and no request is sent
// while a Retry-After the client has received runs.
func TestThrottlingStorm(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 20 s of Retry-After")
	}
	e := newEnv(t, graphsim.Options{Seed: 3}, nil)
	rec := &recordingTransport{next: e.srv.Client().Transport}
	cred, err := graph.NewTokenCredential(graph.Credentials{TenantID: testTenant, ClientID: testClient,
		ClientSecret: testSecret, AuthorityHost: e.srv.URL}, e.srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	client := graph.NewClient(e.srv.URL+"/v1.0", cred, &http.Client{Transport: rec}, nil)
	client.Retry = e.client.Retry
	e.pusher.Graph = client
	e.pusher.Concurrency = 20
	e.index(t, calls(0, 150)...)
	e.sim.SetFaults(graphsim.Faults{RequestThrottle: 0.3, RetryAfter: time.Second})
	rep, err := e.pusher.Push(t.Context(), Access{People: people()})
	if err != nil {
		t.Fatal(err)
	}
	e.sim.SetFaults(graphsim.Faults{})
	if got := e.sortedItems(); !slices.Equal(got, ids(0, 150)) || rep.Pushed != 150 {
		t.Fatalf("%d items in the connection, %+v", len(got), rep)
	}
	for p := range people() {
		if got := e.search(t, entraID(p), ""); !slices.Equal(got, visibleTo(p, 150)) {
			t.Errorf("person %d finds %d calls, want %d: a membership was lost", p, len(got), len(visibleTo(p, 150)))
		}
	}
	rec.mu.Lock()
	defer rec.mu.Unlock()
	// Between a 429 reaching the client and the client pausing there are
	// a few statements; 25 ms covers them on a loaded machine.
	for _, r := range rec.throttled {
		for _, s := range rec.sent {
			if d := s.Sub(r); d > 25*time.Millisecond && d < 975*time.Millisecond {
				t.Fatalf("a request was sent %v into a 1 s Retry-After", d)
			}
		}
	}
	t.Logf("%d requests sent, %d answered 429", len(rec.sent), len(rec.throttled))
	if len(rec.throttled) < len(rec.sent)/5 {
		t.Errorf("only %d of %d requests were throttled", len(rec.throttled), len(rec.sent))
	}
}

// recordingTransport records when requests to the connection leave and
// when 429 answers arrive.
type recordingTransport struct {
	next            http.RoundTripper
	mu              sync.Mutex
	sent, throttled []time.Time
}

func (rt *recordingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	external := strings.Contains(r.URL.Path, "/external/")
	if external {
		rt.mu.Lock()
		rt.sent = append(rt.sent, time.Now())
		rt.mu.Unlock()
	}
	res, err := rt.next.RoundTrip(r)
	if external && err == nil && res.StatusCode == http.StatusTooManyRequests {
		rt.mu.Lock()
		rt.throttled = append(rt.throttled, time.Now())
		rt.mu.Unlock()
	}
	return res, err
}

// TestStoppedPushResumes: a push stopped midway (its context cancelled, or
// the index failing as in a crash) pushes only the rest next time.
func TestStoppedPushResumes(t *testing.T) {
	for _, tc := range []struct {
		name string
		stop func(e *env, cancel context.CancelFunc) (Graph, Store)
	}{
		{"cancelled", func(e *env, cancel context.CancelFunc) (Graph, Store) {
			return &stopAfter{Graph: e.client, n: 120, stop: cancel}, e.db
		}},
		{"index fails", func(e *env, cancel context.CancelFunc) (Graph, Store) {
			return e.client, &failingStore{Store: e.db, after: 2}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, graphsim.Options{}, nil)
			e.index(t, calls(0, 400)...)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			p := *e.pusher
			p.Graph, p.Store = tc.stop(e, cancel)
			rep, err := p.Push(ctx, Access{People: people()})
			if err == nil {
				t.Fatal("the push did not stop")
			}
			first := e.sim.Counts().Items
			t.Logf("stopped: %v after %d items", err, first)
			// Items in flight when the push stopped may be stored without
			// the pusher knowing.
			if first == 0 || first >= 400 || rep.Pushed > int(first) {
				t.Fatalf("%d items written before the stop, report %+v", first, rep)
			}
			rep, err = e.pusher.Push(t.Context(), Access{People: people()})
			if err != nil {
				t.Fatal(err)
			}
			again := int(first) + rep.Pushed - 400
			if again < 0 || again > flushEvery+20 {
				t.Errorf("the second push sent %d items, %d of them again", rep.Pushed, again)
			}
			if got := e.sortedItems(); !slices.Equal(got, ids(0, 400)) {
				t.Errorf("%d items in the connection", len(got))
			}
		})
	}
}

// stopAfter cancels the push after n items.
type stopAfter struct {
	Graph
	n    int64
	done atomic.Int64
	stop context.CancelFunc
}

func (s *stopAfter) PutItem(ctx context.Context, connID string, sc graph.Schema, it graph.Item) error {
	if err := s.Graph.PutItem(ctx, connID, sc, it); err != nil {
		return err
	}
	if s.done.Add(1) == s.n {
		s.stop()
	}
	return nil
}

// failingStore fails to record items after some flushes, like a process
// dying between Graph's answer and the index.
type failingStore struct {
	Store
	after   int
	flushes atomic.Int64
}

func (s *failingStore) RecordPushed(ctx context.Context, done []core.PushCandidate) error {
	if len(done) > 0 && s.flushes.Add(1) > int64(s.after) {
		return errors.New("disk I/O error")
	}
	return s.Store.RecordPushed(ctx, done)
}

// TestFatalErrors: Graph refusing the app stops the push at once with
// the permission to grant; nothing is recorded as pushed.
func TestFatalErrors(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, nil)
	e.index(t, calls(0, 100)...)
	e.sim.SetRoles(testClient, graphsim.PermConnectionOwnedBy)
	_, err := e.pusher.Push(t.Context(), Access{People: people()})
	if err == nil || !strings.Contains(err.Error(), "ExternalItem.ReadWrite.OwnedBy") {
		t.Fatalf("got %v, want the missing permission named", err)
	}
	if n := e.sim.Counts().Graph; n > 25 {
		t.Errorf("%d requests after the first refusal", n)
	}
	if counts, _ := e.db.PushCounts(t.Context()); counts.Items != 0 || counts.Queued != 100 {
		t.Errorf("push state %+v", counts)
	}
	// Graph down: the push stops after giveUpAfter failures in a row.
	e.sim.SetRoles(testClient, graphsim.PermConnectionOwnedBy, graphsim.PermItemOwnedBy)
	e.sim.SetFaults(graphsim.Faults{RequestServerError: 1})
	e.client.Retry.MaxAttempts = 2
	_, err = e.pusher.Push(t.Context(), Access{EveryoneTenant: testTenant})
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("after %d failed writes in a row", giveUpAfter)) {
		t.Errorf("Graph down: %v", err)
	}
}

// TestRenamedWorkspace: a workspace's new name reaches its calls' items,
// and only theirs.
func TestRenamedWorkspace(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, nil)
	e.index(t, calls(0, 30)...)
	if _, err := e.pusher.Push(t.Context(), Access{People: people()}); err != nil {
		t.Fatal(err)
	}
	if err := e.db.SaveSnapshot(t.Context(), core.PermissionSnapshot{Taken: time.Now(), Workspaces: []core.Workspace{
		{ID: "ws1", Name: "Sales"}, {ID: "ws2", Name: "Customer Success EMEA"}}}); err != nil {
		t.Fatal(err)
	}
	rep, err := e.pusher.Push(t.Context(), Access{People: people()})
	if err != nil || rep.Pushed != 15 {
		t.Fatalf("after the rename: %+v, %v; want the 15 calls of ws2 pushed", rep, err)
	}
	if _, props, _ := e.sim.Item(testConn, testCall(1).ID); props["workspace"] != "Customer Success EMEA" {
		t.Errorf("call 1's workspace is %v", props["workspace"])
	}
}

// TestChangedWhilePushed: a call that changes while its item is being
// pushed stays queued and is pushed again, with the change.
func TestChangedWhilePushed(t *testing.T) {
	e := newEnv(t, graphsim.Options{}, nil)
	e.index(t, calls(0, 10)...)
	edit := testCall(4)
	edit.Title = "Renamed while pushed"
	p := *e.pusher
	var once sync.Once
	p.Graph = &hookGraph{Graph: e.client, before: func(id string) {
		if id == edit.ID {
			once.Do(func() { e.index(t, edit) })
		}
	}}
	if _, err := p.Push(t.Context(), Access{People: people()}); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.db.PushCounts(t.Context()); n.Queued != 1 {
		t.Errorf("%d calls queued after the push, want the one changed meanwhile", n.Queued)
	}
	rep, err := e.pusher.Push(t.Context(), Access{People: people()})
	if err != nil || rep.Pushed != 1 {
		t.Fatalf("%+v, %v", rep, err)
	}
	if _, props, _ := e.sim.Item(testConn, edit.ID); props["title"] != "Renamed while pushed" {
		t.Errorf("the item's title is %v", props["title"])
	}
}

// hookGraph calls before ahead of each item pushed.
type hookGraph struct {
	Graph
	before func(id string)
}

func (h *hookGraph) PutItem(ctx context.Context, connID string, s graph.Schema, it graph.Item) error {
	h.before(it.ID)
	return h.Graph.PutItem(ctx, connID, s, it)
}
