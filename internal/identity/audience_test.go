package identity_test

import (
	"strings"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/identity"
)

func TestResolveAudience(t *testing.T) {
	dir, err := identity.ParseFile("people.json", []byte(peopleJSON))
	if err != nil {
		t.Fatal(err)
	}
	users := []core.User{
		{ID: "1", Email: "ann@contoso.com", Active: true},
		{ID: "2", Email: "bob@contoso.com", Active: true},
		{ID: "3", Email: "carol@contoso.com", Active: true},
		{ID: "4", Email: "dan@contoso.com", Active: true},
		{ID: "5", Email: "eve@contoso.com", Active: true},
	}
	m, err := identity.Resolve(t.Context(), users, dir, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		members []string
		want    []string // Gong user ids in the audience
		wantErr []string
	}{
		{"no members means everyone mapped", nil, []string{"1", "2", "3", "4"}, nil},
		{"a user by UPN, another by object id", []string{"BOB@contoso.com", "u4"}, []string{"2", "4"}, nil},
		{"a user by other mail", []string{"ann.smith@contoso.com"}, []string{"1"}, nil},
		{"nested groups", []string{"group:Managers"}, []string{"1", "3"}, nil},
		{"groups by id and users together", []string{"group:g-exec", "dan@contoso.com"}, []string{"1", "4"}, nil},
		{"unknown user and group are all named", []string{"zoe@contoso.com", "group:Marketing", "group:"},
			nil, []string{`user "zoe@contoso.com" is not in the directory`, `group "Marketing"`, `"group:" needs a group`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := identity.ResolveAudience(t.Context(), dir, tt.members)
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("got an audience of %d, want an error", a.Len())
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, e := range m.Entries() {
				if a.Contains(&e) {
					got = append(got, e.GongUserID)
				}
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAudienceContainsIdentity(t *testing.T) {
	dir, err := identity.ParseFile("people.json", []byte(peopleJSON))
	if err != nil {
		t.Fatal(err)
	}
	a, err := identity.ResolveAudience(t.Context(), dir, []string{"group:Sales"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		identity string
		want     bool
	}{
		{"ann@contoso.com", true},
		{"Ann.Smith@Contoso.com", true},
		{"u3", true}, // through Managers
		{"dan@contoso.com", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := a.ContainsIdentity(tt.identity); got != tt.want {
			t.Errorf("ContainsIdentity(%q) = %v, want %v", tt.identity, got, tt.want)
		}
	}
	var everyone *identity.Audience
	if !everyone.ContainsIdentity("anyone@contoso.com") || everyone.Contains(&identity.Entry{GongUserID: "9", Status: identity.StatusNoMatch}) {
		t.Error("a nil audience must contain every mapped identity and no unmapped entry")
	}
}

func TestAudienceOfTheEmailDirectory(t *testing.T) {
	a, err := identity.ResolveAudience(t.Context(), identity.EmailDirectory{}, []string{"Ann@Contoso.com"})
	if err != nil || !a.ContainsIdentity("ann@contoso.com") {
		t.Errorf("a user of the email directory: %v, %v", a, err)
	}
	_, err = identity.ResolveAudience(t.Context(), identity.EmailDirectory{}, []string{"group:Sales"})
	if err == nil || !strings.Contains(err.Error(), "groups need identity.directory file or entra") {
		t.Errorf("a group of the email directory: got %v", err)
	}
}
