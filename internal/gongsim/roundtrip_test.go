package gongsim

import (
	"encoding/json"
	"reflect"
	"testing"

	"gongconnector/internal/gong"
)

// TestRoundTrip: every response decodes into the gong types and re-encodes
// to the same JSON (compared as decoded values). Profiles carry extra
// capability fields gong.Profile does not read; those are set aside.
func TestRoundTrip(t *testing.T) {
	ts := newTestServer(t, Options{Calls: 1500})
	ws := ts.sim.Workspaces()[0].ID
	profiles := ts.sim.Profiles(string(ws))
	user := ts.sim.Users()[10].ID
	call := truthIDs(ts.sim)[100]
	sel := func(ctx string, timing []string) gong.ExtensiveRequest {
		r := fullRequest(gong.CallsFilter{}, "")
		r.ContentSelector.Context, r.ContentSelector.ContextTiming = ctx, timing
		return r
	}
	cases := map[string]struct {
		method, path string
		body         any
		into         func() any
		strip        []string // keys of profile objects the gong types ignore
	}{
		"calls":            {"GET", "/v2/calls", nil, func() any { return new(gong.CallsResponse) }, nil},
		"call":             {"GET", "/v2/calls/" + call, nil, func() any { return new(gong.CallResponse) }, nil},
		"extensive":        {"POST", "/v2/calls/extensive", fullRequest(gong.CallsFilter{}, ""), func() any { return new(gong.ExtensiveResponse) }, nil},
		"extensive basic":  {"POST", "/v2/calls/extensive", sel("Basic", nil), func() any { return new(gong.ExtensiveResponse) }, nil},
		"extensive timing": {"POST", "/v2/calls/extensive", sel("Extended", []string{"Now", "TimeOfCall"}), func() any { return new(gong.ExtensiveResponse) }, nil},
		"extensive speakers and occurrences": {"POST", "/v2/calls/extensive",
			`{"filter":{},"contentSelector":{"exposedFields":{"parties":true,"interaction":{"speakers":true},"content":{"trackers":true,"trackerOccurrences":true}}}}`,
			func() any { return new(gong.ExtensiveResponse) }, nil},
		"extensive metadata only": {"POST", "/v2/calls/extensive", `{"filter":{}}`, func() any { return new(gong.ExtensiveResponse) }, nil},
		"transcript":              {"POST", "/v2/calls/transcript", `{"filter":{}}`, func() any { return new(gong.TranscriptResponse) }, nil},
		"users":                   {"GET", "/v2/users", nil, func() any { return new(gong.UsersResponse) }, nil},
		"users extensive":         {"POST", "/v2/users/extensive", `{"filter":{}}`, func() any { return new(gong.UsersResponse) }, nil},
		"user": {"GET", "/v2/users/" + string(user), nil, func() any {
			return new(struct {
				RequestID string    `json:"requestId"`
				User      gong.User `json:"user"`
			})
		}, nil},
		"workspaces":    {"GET", "/v2/workspaces", nil, func() any { return new(gong.WorkspacesResponse) }, nil},
		"profiles":      {"GET", "/v2/all-permission-profiles?workspaceId=" + string(ws), nil, func() any { return new(gong.ProfilesResponse) }, profileExtraKeys},
		"profile users": {"GET", "/v2/permission-profile/users?profileId=" + string(profiles[3].Profile.ID), nil, func() any { return new(gong.ProfileUsersResponse) }, nil},
		"trackers":      {"GET", "/v2/settings/trackers", nil, func() any { return new(gong.TrackersResponse) }, nil},
		"error 404":     {"GET", "/v2/calls/1", nil, func() any { return new(gong.ErrorResponse) }, nil},
		"error 400":     {"POST", "/v2/calls/extensive", `{}`, func() any { return new(gong.ErrorResponse) }, nil},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			r := ts.do(tc.method, tc.path, tc.body)
			if r.err != nil {
				t.Fatal(r.err)
			}
			v := tc.into()
			if err := json.Unmarshal(r.body, v); err != nil {
				t.Fatalf("decode into %T: %v", v, err)
			}
			again, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			var want, got any
			if err := json.Unmarshal(r.body, &want); err != nil {
				t.Fatal(err)
			}
			json.Unmarshal(again, &got)
			if tc.strip != nil {
				extra := 0
				for _, p := range want.(map[string]any)["profiles"].([]any) {
					for _, k := range tc.strip {
						if _, ok := p.(map[string]any)[k]; ok {
							extra++
						}
						delete(p.(map[string]any), k)
					}
				}
				if extra == 0 {
					t.Errorf("profiles carry no fields beyond gong.Profile; want aiBuilder and friends")
				}
			}
			if !reflect.DeepEqual(want, got) {
				wb, _ := json.Marshal(want)
				t.Errorf("round trip differs:\nsent %.600s\ngot  %.600s", wb, again)
			}
		})
	}
}
