package identity_test

import (
	"errors"
	"fmt"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/identity"
)

// FuzzCompile feeds arbitrary templates and regular expressions to the
// mapping: it must reject or accept them, never panic, and an accepted
// mapping must build keys or say which property failed.
func FuzzCompile(f *testing.F) {
	f.Add("{0}.{1}@contoso.com", `^(\w+)`, `(\w+)$`)
	f.Add("{0}@x.com", "", "")
	f.Add("{1}{0}", "(", "a|b")
	f.Add("{99999999999999999999}", `(?P<x>.)`, `()`)
	f.Add("}{", "\\", "[")
	f.Fuzz(func(t *testing.T, template, re0, re1 string) {
		m, err := identity.Compile(identity.Mapping{
			Properties: []identity.Property{{Property: "first_name", Regex: re0}, {Property: "email", Regex: re1}},
			Template:   template,
		})
		if err != nil {
			return
		}
		_, err = m.Key(core.User{ID: "1", Email: "ann@contoso.com", FirstName: "Ann Marie"})
		var ke *identity.KeyError
		if err != nil && !errors.As(err, &ke) {
			t.Errorf("Key: %v is not a *KeyError", err)
		}
	})
}

// FuzzParseFile feeds arbitrary bytes to both file formats.
func FuzzParseFile(f *testing.F) {
	f.Add([]byte(peopleCSV))
	f.Add([]byte(peopleJSON))
	f.Add([]byte(`{"groups": [{"id": "a", "members": ["a"]}]}`))
	f.Add([]byte("id,groups\nu1,a;b\nu2,b\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, name := range []string{"f.csv", "f.json"} {
			d, err := identity.ParseFile(name, b)
			if err != nil {
				continue
			}
			// Whatever loaded must answer lookups and walk every group.
			if _, err := d.Lookup(t.Context(), core.AttrUPN, []string{"a@b"}); err != nil {
				t.Errorf("%s: Lookup: %v", name, err)
			}
			for i := range 3 {
				d.Members(t.Context(), fmt.Sprint("g", i))
			}
		}
	})
}
