package identity_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/identity"
)

const peopleCSV = "\xef\xbb\xbfid,UPN,mail,external_id,display name,other_mails,groups\n" +
	"u1,Ann@Contoso.com,ann@contoso.com,E1,Ann Smith,ann.smith@contoso.com;a.s@old.example,Sales;EMEA\n" +
	"u2,bob@contoso.com,,E2,Bob,,sales\n" +
	",carol@contoso.com,carol@contoso.com,,\"Carol, Jr.\",,\n"

const peopleJSON = `{
  "users": [
    {"id": "u1", "upn": "ann@contoso.com", "mail": "Ann@Contoso.com", "other_mails": ["ann.smith@contoso.com"], "display_name": "Ann Smith"},
    {"id": "u2", "upn": "bob@contoso.com"},
    {"id": "u3", "upn": "carol@contoso.com", "external_id": "E3"},
    {"id": "u4", "upn": "dan@contoso.com"}
  ],
  "groups": [
    {"id": "g-sales", "name": "Sales", "members": ["u1", "BOB@contoso.com", "Managers"]},
    {"id": "g-mgr", "name": "Managers", "members": ["carol@contoso.com", "g-exec"]},
    {"id": "g-exec", "name": "Executives", "members": ["u1"]}
  ]
}`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func ids(users []core.DirectoryUser) []string {
	var out []string
	for _, u := range users {
		out = append(out, u.ID)
	}
	slices.Sort(out)
	return out
}

func TestLoadFileCSV(t *testing.T) {
	d, err := identity.LoadFile(writeFile(t, "people.csv", peopleCSV))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	tests := []struct {
		name   string
		attr   core.Attribute
		value  string
		wantID []string
	}{
		{"upn without regard to case", core.AttrUPN, "ANN@contoso.COM", []string{"u1"}},
		{"mail", core.AttrMail, "Ann@contoso.com", []string{"u1"}},
		{"other mails count as mail", core.AttrMail, "A.S@OLD.example", []string{"u1"}},
		{"other mails are not UPNs", core.AttrUPN, "a.s@old.example", nil},
		{"object id is the file's id", core.AttrObjectID, "u2", []string{"u2"}},
		{"id defaults to the upn", core.AttrObjectID, "carol@contoso.com", []string{"carol@contoso.com"}},
		{"external id", core.AttrExternalID, "E2", []string{"u2"}},
		{"nobody", core.AttrUPN, "zoe@contoso.com", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := d.Lookup(ctx, tt.attr, []string{tt.value})
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got[tt.value]); !slices.Equal(g, tt.wantID) {
				t.Errorf("got %q, want %q", g, tt.wantID)
			}
		})
	}
	sales, err := d.Members(ctx, "SALES")
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(sales); !slices.Equal(got, []string{"u1", "u2"}) {
		t.Errorf("Sales (named in two cases): got %q, want u1 and u2", got)
	}
	got, _ := d.Lookup(ctx, core.AttrObjectID, []string{"carol@contoso.com"})
	if u := got["carol@contoso.com"]; len(u) != 1 || u[0].DisplayName != "Carol, Jr." {
		t.Errorf("a quoted display name with a comma: got %+v", u)
	}
}

func TestLoadFileJSONNestedGroups(t *testing.T) {
	d, err := identity.LoadFile(writeFile(t, "people.json", peopleJSON))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		group string
		want  []string
	}{
		{"Sales", []string{"u1", "u2", "u3"}}, // u1 directly and through Executives, once
		{"g-mgr", []string{"u1", "u3"}},
		{"executives", []string{"u1"}},
	}
	for _, tt := range tests {
		t.Run(tt.group, func(t *testing.T) {
			got, err := d.Members(t.Context(), tt.group)
			if err != nil {
				t.Fatal(err)
			}
			if g := ids(got); !slices.Equal(g, tt.want) || len(got) != len(tt.want) {
				t.Errorf("got %q, want %q", ids(got), tt.want)
			}
		})
	}
	if _, err := d.Members(t.Context(), "Marketing"); err == nil || !strings.Contains(err.Error(), `no group "Marketing"`) {
		t.Errorf("unknown group: got %v", err)
	}
}

func TestFileReturnsCopies(t *testing.T) {
	d, err := identity.ParseFile("people.json", []byte(peopleJSON))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := d.Lookup(t.Context(), core.AttrObjectID, []string{"u1"})
	got["u1"][0].OtherMails[0] = "mallory@evil.example"
	again, _ := d.Lookup(t.Context(), core.AttrMail, []string{"mallory@evil.example"})
	if len(again["mallory@evil.example"]) > 0 {
		t.Error("changing a returned user changed the directory")
	}
}

func TestParseFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		content string
		want    []string
	}{
		{"CSV without a header", "p.csv", "u1,ann@contoso.com\n", []string{"p.csv line 1", `unknown column "u1"`, "first line must name the columns"}},
		{"CSV empty", "p.csv", "", []string{"p.csv is empty"}},
		{"CSV without an id column", "p.csv", "display_name,groups\nAnn,Sales\n", []string{"line 1", "must include id, upn or mail"}},
		{"CSV row with too many fields", "p.csv", "id,upn\nu1,ann@contoso.com\nu2,bob@contoso.com,Bob\n", []string{"p.csv line 3", "different number of fields", "double quotes"}},
		{"CSV bare quote", "p.csv", "id,upn\nu1,ann\"@contoso.com\n", []string{"p.csv line 2"}},
		{"CSV duplicate id", "p.csv", "id,upn\nu1,ann@contoso.com\nu2,bob@contoso.com\n\nu1,carol@contoso.com\n", []string{"p.csv line 5", `user id "u1" is already used at line 2`}},
		{"CSV user with no name at all", "p.csv", "id,upn,display_name\nu1,a@x,Ann\n,,Ghost\n", []string{"line 3", "a user needs an id, upn or mail"}},
		{"JSON syntax error", "p.json", "{\"users\": [\n  {\"id\": \"u1\"},\n  {\"id\": \"u2\",}\n]}", []string{"p.json line 3", "invalid character"}},
		{"JSON unknown field", "p.json", "{\"users\": [\n  {\"id\": \"u1\"},\n  {\"id\": \"u2\", \"email\": \"b@x\"}\n]}", []string{"p.json line 3", `unknown user field "email"`, "upn, mail"}},
		{"JSON wrong type", "p.json", "{\"users\": [\n  {\"id\": \"u1\",\n   \"other_mails\": \"a@x\"}\n]}", []string{"p.json line 2", "user other_mails must be a list of strings, not a string"}},
		{"JSON user not an object", "p.json", "{\"users\": [\"u1\"]}", []string{"line 1", "a user must be an object"}},
		{"JSON unknown top-level key", "p.json", "{\"users\": [],\n \"people\": []}", []string{"line 2", `unknown key "people"`}},
		{"JSON not an object", "p.json", "[]", []string{"one JSON object"}},
		{"JSON duplicate id", "p.json", "{\"users\": [\n {\"id\": \"u1\"},\n {\"id\": \"u1\"}]}", []string{"p.json line 3", `user id "u1" is already used at line 2`}},
		{"JSON duplicate group id", "p.json", "{\"groups\": [\n {\"name\": \"Sales\"},\n {\"id\": \"Sales\"}]}", []string{"line 3", `group id "Sales" is already used at line 2`}},
		{"JSON unknown member", "p.json", "{\"users\": [{\"id\": \"u1\"}],\n \"groups\": [\n {\"name\": \"Sales\", \"members\": [\"u1\", \"u9\"]}]}", []string{"line 3", `member "u9" of group "Sales" is no user`}},
		{"JSON member that is a user and a group", "p.json", "{\"users\": [{\"id\": \"ops\"}],\n \"groups\": [{\"name\": \"ops\"},\n {\"name\": \"All\", \"members\": [\"ops\"]}]}", []string{"line 3", `member "ops" of group "All" is ambiguous: it names user id ops and group "ops"`, "distinct ids"}},
		{"JSON groups in a cycle", "p.json", `{"groups": [
 {"id": "a", "name": "A", "members": ["b"]},
 {"id": "b", "name": "B", "members": ["c"]},
 {"id": "c", "name": "C", "members": ["A"]}]}`, []string{"line 2", `"A" → "B" → "C" → "A"`, "nested groups must end in users"}},
		{"JSON group containing itself", "p.json", `{"groups": [{"id": "a", "members": ["a"]}]}`, []string{`"a" → "a"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := identity.ParseFile(tt.file, []byte(tt.content))
			if err == nil {
				t.Fatalf("got a directory of %d users, want an error", d.Len())
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
		})
	}
}

func TestLoadFileMissing(t *testing.T) {
	_, err := identity.LoadFile(filepath.Join(t.TempDir(), "people.csv"))
	if err == nil || !strings.Contains(err.Error(), "read the directory file") {
		t.Errorf("got %v, want an error about reading the file", err)
	}
}

func TestEmailDirectory(t *testing.T) {
	var d identity.EmailDirectory
	got, err := d.Lookup(t.Context(), core.AttrMail, []string{"Ann@Contoso.com", "not an address", "bob@"})
	if err != nil {
		t.Fatal(err)
	}
	want := core.DirectoryUser{ID: "ann@contoso.com", UPN: "ann@contoso.com", Mail: "ann@contoso.com"}
	if u := got["Ann@Contoso.com"]; len(u) != 1 || u[0].ID != want.ID || u[0].UPN != want.UPN || u[0].Mail != want.Mail {
		t.Errorf("got %+v, want %+v", u, want)
	}
	if len(got) != 1 {
		t.Errorf("values that are not addresses found users: %+v", got)
	}
	if _, err := d.Members(t.Context(), "Sales"); err == nil || !strings.Contains(err.Error(), "groups need identity.directory file or entra") {
		t.Errorf("Members: got %v", err)
	}
}
