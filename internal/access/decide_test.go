package access

import (
	"strings"
	"testing"

	"gongconnector/internal/core"
)

func TestConfigValidate(t *testing.T) {
	tests := map[string]struct {
		cfg  Config
		want string
	}{
		"default":        {DefaultConfig(), ""},
		"everyone":       {Config{Mode: ModeEveryone, Audience: []string{"a@contoso.com", "group:Pilot"}}, ""},
		"unknown mode":   {Config{Mode: "public"}, `access.mode "public" must be`},
		"empty audience": {Config{Mode: ModeGong, Audience: []string{"group: "}}, "access.audience[0] is empty"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if (err == nil) != (tt.want == "") || (err != nil && !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("Validate() = %v; want %q", err, tt.want)
			}
		})
	}
}

type fakePeople map[string]string

func (f fakePeople) GongUser(id string) (string, string) {
	if g, ok := f[id]; ok {
		return g, ""
	}
	return "", id + " is not mapped"
}

type fakeAudience []string

func (f fakeAudience) Contains(id string) bool {
	for _, a := range f {
		if strings.EqualFold(a, id) {
			return true
		}
	}
	return false
}

func TestDecide(t *testing.T) {
	s := org()
	s.Profiles = []core.Profile{{ID: "p", WorkspaceID: "w1", CallsLevel: "own", MemberIDs: []string{"r1", "r3"}}}
	rules := New(s)
	ppl := fakePeople{"r1@contoso.com": "r1", "r3@contoso.com": "r3", "r2@contoso.com": "r2"}
	tests := map[string]struct {
		mode     string
		audience Audience
		who      string
		sees     string // a user whose w1 call must be visible; "" = nothing
		why      string
	}{
		"gong mode":            {mode: ModeGong, who: "r1@contoso.com", sees: "r1"},
		"unmapped":             {mode: ModeGong, who: "x@contoso.com", why: "not mapped"},
		"inactive":             {mode: ModeGong, who: "r2@contoso.com", why: "inactive"},
		"outside the audience": {mode: ModeGong, audience: fakeAudience{"r3@contoso.com"}, who: "r1@contoso.com", why: "outside the rollout audience"},
		"inside the audience":  {mode: ModeGong, audience: fakeAudience{"r3@contoso.com"}, who: "r3@contoso.com", sees: "r3"},
		"everyone":             {mode: ModeEveryone, who: "anyone@contoso.com", sees: "ceo"},
		"everyone, audience":   {mode: ModeEveryone, audience: fakeAudience{"r3@contoso.com"}, who: "anyone@contoso.com", why: "outside"},
		"no identity":          {mode: ModeEveryone, who: " ", why: "no identity"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			d := NewAuthorizer(rules, ppl, tt.audience, tt.mode).Decide(tt.who)
			if tt.sees == "" {
				if !d.Visibility.Nothing() || !strings.Contains(d.Reason, tt.why) {
					t.Errorf("Decide(%q) = %+v; want nothing because %q", tt.who, d, tt.why)
				}
				return
			}
			if !d.Visibility.Allows("w1", []string{core.UserKey(tt.sees)}) || d.Reason != "" {
				t.Errorf("Decide(%q) = %+v; want %s's call visible", tt.who, d, tt.sees)
			}
			if tt.mode == ModeGong && d.Visibility.Allows("w1", []string{core.UserKey("ceo")}) {
				t.Errorf("Decide(%q) shows the ceo's call", tt.who)
			}
		})
	}
}
