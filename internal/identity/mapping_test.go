package identity_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/identity"
)

func TestKey(t *testing.T) {
	alexis := core.User{ID: "g1", Email: "Alexis.Vasquez@Gong.example", FirstName: "Alexis Maria", LastName: "de Vasquez", Title: "AE"}
	prop := func(p, re string) identity.Property { return identity.Property{Property: p, Regex: re} }
	tests := []struct {
		name    string
		mapping identity.Mapping
		user    core.User
		want    string
		wantErr []string
	}{
		{"default mapping is the lower-cased email", identity.Mapping{}, alexis, "alexis.vasquez@gong.example", nil},
		{"first and last name into a template",
			identity.Mapping{Properties: []identity.Property{prop("first_name", `^(\w+)`), prop("last_name", `(\w+)$`)}, Template: "{0}.{1}@contoso.com"},
			alexis, "Alexis.Vasquez@contoso.com", nil},
		{"a regex without groups gives the whole match",
			identity.Mapping{Properties: []identity.Property{prop("email", `^[^@]+`)}, Template: "{0}@contoso.com"},
			alexis, "Alexis.Vasquez@contoso.com", nil},
		{"no regex gives the whole value",
			identity.Mapping{Properties: []identity.Property{prop("id", "")}, Template: "gong-{0}"},
			alexis, "gong-g1", nil},
		{"a property may be used twice",
			identity.Mapping{Properties: []identity.Property{prop("first_name", `^(\w)`), prop("last_name", `(\w+)$`)}, Template: "{0}{1}@contoso.com"},
			alexis, "AVasquez@contoso.com", nil},
		{"a regex that does not match names the property and value",
			identity.Mapping{Properties: []identity.Property{prop("title", `^(\d+)$`)}, Template: "{0}"},
			alexis, "", []string{`title "AE" does not match the regex ^(\d+)$`}},
		{"an empty property is named",
			identity.Mapping{Properties: []identity.Property{prop("last_name", `(\w+)$`)}, Template: "{0}"},
			core.User{ID: "g2", FirstName: "Cher"}, "", []string{"the Gong user has no last_name"}},
		{"default mapping without an email",
			identity.Mapping{}, core.User{ID: "g3"}, "", []string{"no email"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := identity.Compile(tt.mapping)
			if err != nil {
				t.Fatal(err)
			}
			got, err := m.Key(tt.user)
			if len(tt.wantErr) > 0 {
				var ke *identity.KeyError
				if !errors.As(err, &ke) {
					t.Fatalf("got %q, %v; want a *KeyError", got, err)
				}
				for _, w := range tt.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("error %q does not say %q", err, w)
					}
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

func TestCompileRejectsWhatValidateRejects(t *testing.T) {
	_, err := identity.Compile(identity.Mapping{Properties: []identity.Property{{Property: "first_name", Regex: "(a"}}, Template: "{0}{1}"})
	if err == nil || !strings.Contains(err.Error(), "missing closing )") || !strings.Contains(err.Error(), "refers to {1}") {
		t.Errorf("got %v, want the regex and template problems", err)
	}
}

func TestCandidatesAreLowerCasedEmailThenAliases(t *testing.T) {
	m, err := identity.Compile(identity.Mapping{})
	if err != nil {
		t.Fatal(err)
	}
	got := m.Candidates(core.User{Email: " Ann@Contoso.COM", Aliases: []string{"ann@contoso.com", "", "A.Smith@Contoso.com"}})
	want := []string{"ann@contoso.com", "a.smith@contoso.com"}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
	if !m.IsDefault() || m.Target() != core.AttrUPN {
		t.Errorf("default mapping: IsDefault %v, Target %q", m.IsDefault(), m.Target())
	}
}
