package identity_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/identity"
)

// bigTenant writes a CSV directory of n people in 50 groups and returns it
// with the n Gong users that match them (every tenth by an alias only).
func bigTenant(b *testing.B, n int) (string, []core.User) {
	b.Helper()
	var csv strings.Builder
	csv.WriteString("id,upn,mail,display_name,other_mails,groups\n")
	users := make([]core.User, n)
	for i := range n {
		fmt.Fprintf(&csv, "oid-%05d,user%05d@contoso.com,User.%05d@contoso.com,User %05d,u%05d@old.example,Team %02d;All\n", i, i, i, i, i, i%50)
		users[i] = core.User{ID: fmt.Sprint(9000000 + i), Email: fmt.Sprintf("User%05d@Contoso.com", i), FirstName: "User", LastName: fmt.Sprintf("%05d", i), Active: i%20 != 0}
		if i%10 == 0 {
			users[i].Email = fmt.Sprintf("user%05d@gong.example", i)
			users[i].Aliases = []string{fmt.Sprintf("U%05d@old.example", i)}
		}
	}
	path := filepath.Join(b.TempDir(), "people.csv")
	if err := os.WriteFile(path, []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return path, users
}

func BenchmarkResolve10k(b *testing.B) {
	path, users := bigTenant(b, 10000)
	dir, err := identity.LoadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	custom := mustCompile(b, identity.Mapping{
		Properties: []identity.Property{{Property: "first_name", Regex: `^(\w+)`}, {Property: "last_name", Regex: `(\d+)$`}},
		Template:   "{0}{1}@contoso.com",
	})
	for _, bm := range []struct {
		name   string
		mapper *identity.Mapper
	}{{"default", nil}, {"custom", custom}} {
		b.Run(bm.name, func(b *testing.B) {
			var m *identity.Map
			for b.Loop() {
				if m, err = identity.Resolve(b.Context(), users, dir, bm.mapper, m); err != nil {
					b.Fatal(err)
				}
			}
			if c := m.Counts(); c[identity.StatusMapped]+c[identity.StatusInactive] != len(users) {
				b.Fatalf("not everyone mapped: %v", c)
			}
		})
	}
}

func BenchmarkLoadFile10k(b *testing.B) {
	path, _ := bigTenant(b, 10000)
	for b.Loop() {
		if _, err := identity.LoadFile(path); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCaller10k(b *testing.B) {
	path, users := bigTenant(b, 10000)
	dir, err := identity.LoadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	m, err := identity.Resolve(b.Context(), users, dir, nil, nil)
	if err != nil {
		b.Fatal(err)
	}
	m.Caller("warm@up") // the index is built once, on first use
	for b.Loop() {
		if e, reason := m.Caller("USER00123@contoso.com"); e == nil {
			b.Fatal(reason)
		}
	}
}
