package graph

import (
	"strings"
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
