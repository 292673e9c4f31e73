package graph

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/graphsim"
)

func connectorEnv(t *testing.T, roles ...string) *env {
	t.Helper()
	return newEnv(t, graphsim.Options{ProvisionPolls: 2, Apps: []graphsim.App{{ClientID: testClient, Secret: testSecret, Roles: roles}}})
}

func TestConnectionAndSchema(t *testing.T) {
	e := connectorEnv(t, graphsim.PermConnectionOwnedBy, graphsim.PermItemOwnedBy)
	ctx := t.Context()
	want := Connection{ID: "gongcalls", Name: "Gong calls", Description: "Calls and meetings recorded in Gong", ContentCategory: "meetingTranscripts"}
	got, err := e.client.EnsureConnection(ctx, want)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "gongcalls" || got.State != "draft" || got.ContentCategory != "meetingTranscripts" {
		t.Errorf("created %+v", got)
	}
	// Again with a new name: updated, not created twice.
	want.Name = "Gong calls (EMEA)"
	if got, err = e.client.EnsureConnection(ctx, want); err != nil || got.Name != want.Name {
		t.Fatalf("update: %+v, %v", got, err)
	}
	if body, _ := e.sim.Connection("gongcalls"); body["name"] != "Gong calls (EMEA)" {
		t.Errorf("the double holds %v", body)
	}
	if err := e.client.RegisterSchema(ctx, "gongcalls", CallSchema(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if body, ready := e.sim.Connection("gongcalls"); !ready || body["state"] != "ready" {
		t.Errorf("after the schema: ready %v, state %v", ready, body["state"])
	}
	// Registering the same schema again is fine; adding a refinable
	// property to it is refused with Graph's reason.
	if err := e.client.RegisterSchema(ctx, "gongcalls", CallSchema(), time.Millisecond); err != nil {
		t.Errorf("the same schema again: %v", err)
	}
	s := CallSchema()
	s.Properties = append(s.Properties, Property{Name: "stage", Type: "string", IsRetrievable: true, IsRefinable: true})
	err = e.client.RegisterSchema(ctx, "gongcalls", s, time.Millisecond)
	assertErr(t, err, "refinable property cannot be added")
}

func TestConnectionErrors(t *testing.T) {
	e := connectorEnv(t, graphsim.PermConnectionOwnedBy)
	ctx := t.Context()
	for _, id := range []string{"gong-calls", "ab", "MicrosoftGong", "SharePoint", strings.Repeat("a", 33)} {
		before := e.sim.Counts().Graph
		_, err := e.client.EnsureConnection(ctx, Connection{ID: id, Name: "x"})
		if core.ErrorCode(err) != core.EInvalid || !strings.Contains(err.Error(), "connection id") || e.sim.Counts().Graph != before {
			t.Errorf("id %q: %v (requests sent: %d)", id, err, e.sim.Counts().Graph-before)
		}
	}
	if _, err := e.client.EnsureConnection(ctx, Connection{ID: "gongcalls", Name: "Gong", Description: "d"}); err != nil {
		t.Fatal(err)
	}
	s := CallSchema()
	s.Properties[8].IsSearchable = true // an int64
	err := e.client.RegisterSchema(ctx, "gongcalls", s, time.Millisecond)
	assertErr(t, err, "only string and stringCollection properties can be searchable")

	denied := connectorEnv(t, graphsim.PermUserReadAll)
	_, err = denied.client.EnsureConnection(ctx, Connection{ID: "gongcalls", Name: "Gong"})
	assertErr(t, err, "ExternalConnection.ReadWrite.OwnedBy", "admin consent")
}

func readyConnection(t *testing.T, e *env) {
	t.Helper()
	if _, err := e.client.EnsureConnection(t.Context(), Connection{ID: "gongcalls", Name: "Gong calls", Description: "d", ContentCategory: "meetingTranscripts"}); err != nil {
		t.Fatal(err)
	}
	if err := e.client.RegisterSchema(t.Context(), "gongcalls", CallSchema(), time.Millisecond); err != nil {
		t.Fatal(err)
	}
}

func testItem(id string) Item {
	return Item{ID: id, ACL: []ACE{{Type: "externalGroup", Value: "wsAparticipantB", AccessType: "grant"}},
		Properties: map[string]any{"title": "Müller GmbH <> Brightwave | Q2 planning", "url": "https://app.gong.io/call?id=" + id,
			"accounts": []string{"Müller GmbH"}, "participants": []string{"Jane Doe", "Jörg Müller"}, "started": "2026-05-12T15:00:00Z",
			"durationMinutes": 55, "topics": []string{"Pricing", "Next Steps"}, "workspace": "EMEA Sales"},
		Content: "Brief: planning the rollout.\nAction items: send the SOW."}
}

func TestPutAndDeleteItems(t *testing.T) {
	e := connectorEnv(t, graphsim.PermConnectionOwnedBy, graphsim.PermItemOwnedBy)
	ctx := t.Context()
	// Before the schema is registered, items are refused.
	if _, err := e.client.EnsureConnection(ctx, Connection{ID: "gongcalls", Name: "Gong calls", Description: "d"}); err != nil {
		t.Fatal(err)
	}
	assertErr(t, e.client.PutItem(ctx, "gongcalls", CallSchema(), testItem("1")), "register the schema before adding items")
	readyConnection(t, e)
	if err := e.client.PutItem(ctx, "gongcalls", CallSchema(), testItem("1")); err != nil {
		t.Fatalf("put: %v", err)
	}
	acl, props, ok := e.sim.Item("gongcalls", "1")
	if !ok || len(acl) != 1 || props["title"] != "Müller GmbH <> Brightwave | Q2 planning" || props["accounts@odata.type"] != "Collection(String)" || props["title@odata.type"] != "String" {
		t.Errorf("stored %v %v", acl, props)
	}
	// An item too big for Graph keeps its ACL and properties; its text is cut.
	big := testItem("2")
	big.Content = strings.Repeat("Lorem ipsum dolor sit amet, «quoted» text. ", 120_000) // ~5 MB
	if err := e.client.PutItem(ctx, "gongcalls", CallSchema(), big); err != nil {
		t.Fatalf("a big item: %v", err)
	}
	if _, _, ok := e.sim.Item("gongcalls", "2"); !ok {
		t.Error("the big item was not stored")
	}
	// Local refusals: no ACL, a property the schema lacks.
	noACL := testItem("3")
	noACL.ACL = nil
	assertErr(t, e.client.PutItem(ctx, "gongcalls", CallSchema(), noACL), "has no ACL")
	extra := testItem("3")
	extra.Properties["mood"] = "great"
	assertErr(t, e.client.PutItem(ctx, "gongcalls", CallSchema(), extra), `"mood" is not in the schema`)
	if err := e.client.DeleteItem(ctx, "gongcalls", "1"); err != nil {
		t.Fatal(err)
	}
	if err := e.client.DeleteItem(ctx, "gongcalls", "1"); err != nil {
		t.Errorf("deleting an item already gone: %v", err)
	}
	if ids := e.sim.Items("gongcalls"); len(ids) != 1 || ids[0] != "2" {
		t.Errorf("items left %v, want [2]", ids)
	}
	// Without the item permission, the error names it.
	denied := connectorEnv(t, graphsim.PermConnectionOwnedBy)
	readyConnection(t, denied)
	assertErr(t, denied.client.PutItem(ctx, "gongcalls", CallSchema(), testItem("1")), "ExternalItem.ReadWrite.OwnedBy")
}

func TestExternalGroups(t *testing.T) {
	e := connectorEnv(t, graphsim.PermConnectionOwnedBy, graphsim.PermItemOwnedBy)
	ctx := t.Context()
	readyConnection(t, e)
	for range 2 { // the second time, everything already exists
		if err := e.client.EnsureGroup(ctx, "gongcalls", "ws1u42", "Calls of u42 in ws1"); err != nil {
			t.Fatal(err)
		}
		for _, m := range []Member{{ID: userID(1), Type: "user"}, {ID: groupID(2), Type: "group"}} {
			if err := e.client.AddMember(ctx, "gongcalls", "ws1u42", m); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := e.client.RemoveMember(ctx, "gongcalls", "ws1u42", groupID(2)); err != nil {
		t.Fatal(err)
	}
	if err := e.client.RemoveMember(ctx, "gongcalls", "ws1u42", groupID(2)); err != nil {
		t.Errorf("removing a member already gone: %v", err)
	}
	if got := e.sim.GroupMembers("gongcalls", "ws1u42"); len(got) != 1 || got[userID(1)] != "user" {
		t.Errorf("members %v", got)
	}
	assertErr(t, e.client.EnsureGroup(ctx, "gongcalls", "ws-1", "bad id"), "Microsoft Graph rejected")
	assertErr(t, e.client.AddMember(ctx, "gongcalls", "nogroup", Member{ID: userID(1), Type: "user"}), "found nothing")
}

// TestRetryAfterHoldsEveryRequest: while a Retry-After runs, no goroutine
// of the client sends anything, and every item still arrives.
func TestRetryAfterHoldsEveryRequest(t *testing.T) {
	e := connectorEnv(t, graphsim.PermConnectionOwnedBy, graphsim.PermItemOwnedBy)
	readyConnection(t, e)
	var mu sync.Mutex
	var times []time.Time
	var throttledAt time.Time
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		e.sim.ServeHTTP(rec, r)
		mu.Lock()
		if strings.Contains(r.URL.Path, "/items/") {
			times = append(times, time.Now())
			if rec.Code == http.StatusTooManyRequests && throttledAt.IsZero() {
				throttledAt = time.Now()
			}
		}
		mu.Unlock()
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.WriteHeader(rec.Code)
		w.Write(rec.Body.Bytes())
	}))
	defer srv.Close()
	creds := e.creds
	creds.AuthorityHost = srv.URL
	cred, err := NewTokenCredential(creds, srv.Client())
	if err != nil {
		t.Fatal(err)
	}
	client := NewClient(srv.URL+"/v1.0", cred, srv.Client(), nil)
	client.Retry = fastRetry
	e.sim.SetFaults(graphsim.Faults{ThrottleFirst: 1, RetryAfter: time.Second})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() {
			time.Sleep(time.Duration(i) * 50 * time.Millisecond) // some start during the pause
			errs <- client.PutItem(t.Context(), "gongcalls", CallSchema(), testItem(fmt.Sprint(10+i)))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if n := len(e.sim.Items("gongcalls")); n != 8 {
		t.Errorf("%d items stored, want 8", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if throttledAt.IsZero() {
		t.Fatal("nothing was throttled")
	}
	for _, at := range times {
		if at.After(throttledAt) && at.Before(throttledAt.Add(900*time.Millisecond)) {
			t.Errorf("a request was sent %v into a 1s Retry-After", at.Sub(throttledAt))
		}
	}
}

// TestIngestionLimits: with the connection's limits enforced (25 items a
// second, 25 at once), a push from many goroutines stores every item and
// is paced by Graph's limit.
func TestIngestionLimits(t *testing.T) {
	e := newEnv(t, graphsim.Options{ItemLimits: true, Apps: []graphsim.App{{ClientID: testClient, Secret: testSecret,
		Roles: []string{graphsim.PermConnectionOwnedBy, graphsim.PermItemOwnedBy}}}})
	readyConnection(t, e)
	e.client.Retry.MaxAttempts = 10
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for w := range 12 {
		wg.Go(func() {
			for i := w; i < 60; i += 12 {
				errs <- e.client.PutItem(t.Context(), "gongcalls", CallSchema(), testItem(fmt.Sprint(100+i)))
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	took := time.Since(start)
	if n := len(e.sim.Items("gongcalls")); n != 60 {
		t.Errorf("%d items stored, want 60", n)
	}
	if e.sim.Counts().Throttled == 0 || took < time.Second {
		t.Errorf("60 items in %v with %d throttled answers: the limit was not applied", took, e.sim.Counts().Throttled)
	}
}
