package identity_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"gongconnector/internal/core"
	"gongconnector/internal/identity"
)

// fakeDirectory is a Directory whose behaviour each test sets.
type fakeDirectory struct {
	lookup  func(ctx context.Context, attr core.Attribute, values []string) (map[string][]core.DirectoryUser, error)
	members func(ctx context.Context, group string) ([]core.DirectoryUser, error)
}

func (f *fakeDirectory) Lookup(ctx context.Context, attr core.Attribute, values []string) (map[string][]core.DirectoryUser, error) {
	return f.lookup(ctx, attr, values)
}

func (f *fakeDirectory) Members(ctx context.Context, group string) ([]core.DirectoryUser, error) {
	return f.members(ctx, group)
}

// countingDirectory counts Lookup calls made on a directory.
func countingDirectory(d identity.Directory, calls *int) *fakeDirectory {
	return &fakeDirectory{
		lookup: func(ctx context.Context, attr core.Attribute, values []string) (map[string][]core.DirectoryUser, error) {
			*calls++
			return d.Lookup(ctx, attr, values)
		},
		members: d.Members,
	}
}

// contoso is the directory most resolution tests run against.
const contosoJSON = `{"users": [
  {"id": "oid-ann",   "upn": "ann@contoso.com",   "mail": "Ann.Smith@contoso.com", "display_name": "Ann Smith", "external_id": "E-ann"},
  {"id": "oid-bob",   "upn": "bob@contoso.com",   "mail": "bob@contoso.com", "other_mails": ["robert@old.example"]},
  {"id": "oid-carol", "upn": "carol@contoso.com"},
  {"id": "oid-dup1",  "upn": "dup1@contoso.com",  "mail": "shared@contoso.com"},
  {"id": "oid-dup2",  "upn": "dup2@contoso.com",  "mail": "shared@contoso.com"},
  {"id": "oid-alexis","upn": "Alexis.Vasquez@contoso.com"},
  {"id": "oid-nomail","upn": "nomail@contoso.com"}
]}`

func contoso(t testing.TB) *identity.FileDirectory {
	t.Helper()
	d, err := identity.ParseFile("contoso.json", []byte(contosoJSON))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func mustCompile(t testing.TB, m identity.Mapping) *identity.Mapper {
	t.Helper()
	mp, err := identity.Compile(m)
	if err != nil {
		t.Fatal(err)
	}
	return mp
}

// want is what the report must show for one Gong user.
type want struct {
	status   identity.Status
	identity string
	reason   []string
}

func checkEntries(t *testing.T, m *identity.Map, wants map[string]want) {
	t.Helper()
	for id, w := range wants {
		e := m.ByGongID(id)
		if e == nil {
			t.Errorf("%s: no entry", id)
			continue
		}
		if e.Status != w.status || e.Identity != w.identity {
			t.Errorf("%s: got %s %q (%s), want %s %q", id, e.Status, e.Identity, e.Reason, w.status, w.identity)
		}
		for _, r := range w.reason {
			if !strings.Contains(e.Reason, r) {
				t.Errorf("%s: reason %q does not say %q", id, e.Reason, r)
			}
		}
	}
}

func TestResolveDefaultMapping(t *testing.T) {
	users := []core.User{
		{ID: "1", Email: "ANN@Contoso.com", FirstName: "Ann", Active: true},
		{ID: "2", Email: "bob@gong-only.example", Aliases: []string{"Robert@Old.Example"}, Active: true},
		{ID: "3", Email: "carol@contoso.com", Aliases: []string{"carol@contoso.com"}, Active: true},
		{ID: "4", Email: "zoe@contoso.com", Aliases: []string{"z@contoso.com"}, Active: true},
		{ID: "5", Active: true},
		{ID: "6", Email: "ann.smith@CONTOSO.com", Active: true},
	}
	m, err := identity.Resolve(t.Context(), users, contoso(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, m, map[string]want{
		"1": {identity.StatusConflict, "", []string{"also matched by Gong user", "(6)"}},
		"2": {identity.StatusMapped, "bob@contoso.com", []string{"mail robert@old.example"}},
		"3": {identity.StatusMapped, "carol@contoso.com", []string{"UPN carol@contoso.com"}},
		"4": {identity.StatusNoMatch, "", []string{"zoe@contoso.com or z@contoso.com as UPN or mail"}},
		"5": {identity.StatusNoMatch, "", []string{"no email address"}},
		"6": {identity.StatusConflict, "", []string{"Ann Smith (ann@contoso.com, id oid-ann)", "(1)"}},
	})
	if m.Directory != "file" || m.Target != core.AttrUPN || m.Taken.IsZero() {
		t.Errorf("map header: %q %q %v", m.Directory, m.Target, m.Taken)
	}
}

func TestResolveTargets(t *testing.T) {
	users := []core.User{
		{ID: "1", Email: "ann@contoso.com", Active: true},
		{ID: "2", Email: "nomail@contoso.com", Active: true},
	}
	tests := []struct {
		target core.Attribute
		wants  map[string]want
	}{
		{core.AttrUPN, map[string]want{"1": {identity.StatusMapped, "ann@contoso.com", nil}}},
		{core.AttrMail, map[string]want{
			"1": {identity.StatusMapped, "Ann.Smith@contoso.com", nil},
			"2": {identity.StatusNoMatch, "", []string{"which has no mail"}},
		}},
		{core.AttrObjectID, map[string]want{"1": {identity.StatusMapped, "oid-ann", nil}}},
		{core.AttrExternalID, map[string]want{"1": {identity.StatusMapped, "E-ann", nil}}},
	}
	for _, tt := range tests {
		t.Run(string(tt.target), func(t *testing.T) {
			m, err := identity.Resolve(t.Context(), users, contoso(t), mustCompile(t, identity.Mapping{Target: tt.target}), nil)
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, m, tt.wants)
		})
	}
}

func TestResolveCustomMapping(t *testing.T) {
	mp := mustCompile(t, identity.Mapping{
		Properties: []identity.Property{{Property: "first_name", Regex: `^(\w+)`}, {Property: "last_name", Regex: `(\w+)$`}},
		Template:   "{0}.{1}@contoso.com",
	})
	users := []core.User{
		{ID: "1", Email: "av@gong.example", FirstName: "alexis maria", LastName: "de vasquez", Active: true},
		{ID: "2", Email: "x@gong.example", FirstName: "Xavier", LastName: "Unknown", Active: true},
		{ID: "3", Email: "y@gong.example", FirstName: "Yann", LastName: "-", Active: true},
	}
	m, err := identity.Resolve(t.Context(), users, contoso(t), mp, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, m, map[string]want{
		"1": {identity.StatusMapped, "Alexis.Vasquez@contoso.com", []string{"UPN alexis.vasquez@contoso.com"}},
		"2": {identity.StatusNoMatch, "", []string{`the mapping built "Xavier.Unknown@contoso.com", but no directory user has it as UPN`}},
		"3": {identity.StatusRegexNoMatch, "", []string{`last_name "-" does not match the regex (\w+)$`}},
	})
}

func TestResolveSeveralMatchesKeepsThePreviousMapping(t *testing.T) {
	users := []core.User{{ID: "1", Email: "shared@contoso.com", FirstName: "Sam", Active: true}}
	tests := []struct {
		name string
		prev *identity.Map
		want want
	}{
		{"no previous map", nil, want{identity.StatusSeveralMatches, "", []string{"matches 2 directory users", "dup1@contoso.com", "dup2@contoso.com", "not mapped"}}},
		{"previously mapped", &identity.Map{Directory: "file", Target: core.AttrUPN, Users: []identity.Entry{
			{GongUserID: "1", Identity: "dup1@contoso.com", User: &core.DirectoryUser{ID: "oid-dup1", UPN: "dup1@contoso.com"}, Status: identity.StatusMapped},
		}}, want{identity.StatusSeveralMatches, "dup1@contoso.com", []string{"matches 2 directory users", "the previous mapping to dup1@contoso.com stays in force"}}},
		{"previously unmapped", &identity.Map{Directory: "file", Target: core.AttrUPN, Users: []identity.Entry{
			{GongUserID: "1", Status: identity.StatusNoMatch},
		}}, want{identity.StatusSeveralMatches, "", []string{"not mapped"}}},
		{"previous map to another attribute", &identity.Map{Directory: "file", Target: core.AttrMail, Users: []identity.Entry{
			{GongUserID: "1", Identity: "shared@contoso.com", Status: identity.StatusMapped},
		}}, want{identity.StatusSeveralMatches, "", []string{"not mapped"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := identity.Resolve(t.Context(), users, contoso(t), nil, tt.prev)
			if err != nil {
				t.Fatal(err)
			}
			checkEntries(t, m, map[string]want{"1": tt.want})
			// The kept mapping answers to the previous directory user only.
			e, _ := m.Caller("dup1@contoso.com")
			if got := e != nil; got != (tt.want.identity != "") {
				t.Errorf("Caller(dup1@contoso.com) found someone: %v, want %v", got, tt.want.identity != "")
			}
		})
	}
}

func TestResolveDirectoryUnreachable(t *testing.T) {
	down := &fakeDirectory{lookup: func(context.Context, core.Attribute, []string) (map[string][]core.DirectoryUser, error) {
		return nil, errors.New("Graph answered 503")
	}}
	users := []core.User{{ID: "1", Email: "ann@contoso.com", Active: true}}
	prev, err := identity.Resolve(t.Context(), users, contoso(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		prev *identity.Map
		want string
	}{
		{"with a previous map", prev, "identity: directory unreachable: Graph answered 503; the previous mapping stays in force"},
		{"first resolution", nil, "identity: directory unreachable: Graph answered 503; nobody is mapped until it answers"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := identity.Resolve(t.Context(), users, down, nil, tt.prev)
			if m != nil || err == nil || err.Error() != tt.want {
				t.Fatalf("got %v, %v; want no map and %q", m, err, tt.want)
			}
			if core.ErrorCode(err) != core.EUnavailable {
				t.Errorf("code %q, want %q", core.ErrorCode(err), core.EUnavailable)
			}
			if e, _ := prev.Caller("ann@contoso.com"); e == nil || e.GongUserID != "1" {
				t.Errorf("the previous map no longer answers: %+v", e)
			}
		})
	}
}

func TestResolveInactive(t *testing.T) {
	users := []core.User{
		{ID: "1", Email: "ann@contoso.com", Active: false},
		{ID: "2", Email: "nobody@contoso.com", Active: false},
	}
	m, err := identity.Resolve(t.Context(), users, contoso(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, m, map[string]want{
		"1": {identity.StatusInactive, "ann@contoso.com", []string{"inactive", "participant", "see nothing"}},
		"2": {identity.StatusNoMatch, "", nil},
	})
	if e, reason := m.Caller("ann@contoso.com"); e != nil || !strings.Contains(reason, "inactive") {
		t.Errorf("an inactive user signed in: %+v, %q", e, reason)
	}
}

func TestResolveEmailDirectory(t *testing.T) {
	users := []core.User{
		{ID: "1", Email: "Ann@Contoso.com", Aliases: []string{"ann.smith@contoso.com"}, Active: true},
		{ID: "2", Email: "bob@contoso.com", Aliases: []string{"ann.smith@contoso.com"}, Active: true},
		{ID: "3", Email: "ANN@contoso.com", Active: true},
		{ID: "4", Email: "carol@contoso.com", Active: true},
	}
	m, err := identity.Resolve(t.Context(), users, identity.EmailDirectory{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkEntries(t, m, map[string]want{
		"1": {identity.StatusConflict, "", []string{"(3)"}},
		"2": {identity.StatusMapped, "bob@contoso.com", nil},
		"3": {identity.StatusConflict, "", []string{"(1)"}},
		"4": {identity.StatusMapped, "carol@contoso.com", nil},
	})
}

func TestResolveBatchesLookups(t *testing.T) {
	var users []core.User
	for i := range 500 {
		users = append(users, core.User{ID: fmt.Sprint(i), Email: fmt.Sprintf("user%d@contoso.com", i), Aliases: []string{fmt.Sprintf("u%d@contoso.com", i)}, Active: true})
	}
	tests := []struct {
		name      string
		mapper    *identity.Mapper
		wantCalls int
	}{
		{"default mapping asks UPN and mail once each", nil, 2},
		{"custom mapping asks the target once", mustCompile(t, identity.Mapping{Target: core.AttrMail, Properties: []identity.Property{{Property: "id"}}, Template: "user{0}@contoso.com"}), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			if _, err := identity.Resolve(t.Context(), users, countingDirectory(contoso(t), &calls), tt.mapper, nil); err != nil {
				t.Fatal(err)
			}
			if calls != tt.wantCalls {
				t.Errorf("got %d Lookup calls for %d users, want %d", calls, len(users), tt.wantCalls)
			}
		})
	}
}

func TestCaller(t *testing.T) {
	users := []core.User{
		{ID: "1", Email: "ann@gong.example", FirstName: "Ann", Aliases: []string{"ann.smith@contoso.com"}, Active: true},
		{ID: "2", Email: "bob@contoso.com", FirstName: "Bob", Active: true},
		{ID: "3", Email: "zoe@contoso.com", FirstName: "Zoe", Active: true},
	}
	fileMap, err := identity.Resolve(t.Context(), users, contoso(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	emailUsers := []core.User{
		{ID: "1", Email: "ann@contoso.com", FirstName: "Ann", Aliases: []string{"Ann.Smith@Contoso.com", "team@contoso.com"}, Active: true},
		{ID: "2", Email: "bob@contoso.com", FirstName: "Bob", Aliases: []string{"team@contoso.com"}, Active: true},
	}
	emailMap, err := identity.Resolve(t.Context(), emailUsers, identity.EmailDirectory{}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		m          *identity.Map
		identity   string
		wantGongID string
		wantReason string
	}{
		{"by UPN", fileMap, "ANN@contoso.com", "1", ""},
		{"by mail", fileMap, "ann.smith@contoso.com", "1", ""},
		{"by other mail", fileMap, "robert@old.example", "2", ""},
		{"by object id", fileMap, "oid-bob", "2", ""},
		{"a Gong alias is not a sign-in name with a real directory", fileMap, "ann@gong.example", "", "not mapped to any Gong user"},
		{"unknown", fileMap, "mallory@contoso.com", "", "mallory@contoso.com is not mapped to any Gong user"},
		{"a Gong user whose mapping failed", fileMap, "zoe@contoso.com", "", "is Gong user Zoe, who is not mapped (no_match)"},
		{"empty", fileMap, " ", "", "carries no identity"},
		{"email directory by email", emailMap, "Bob@Contoso.com", "2", ""},
		{"email directory by alias", emailMap, "ann.smith@contoso.com", "1", ""},
		{"ambiguous alias", emailMap, "team@contoso.com", "", "names 2 Gong users (Ann, Bob)"},
		{"no map yet", nil, "ann@contoso.com", "", "no identity mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, reason := tt.m.Caller(tt.identity)
			got := ""
			if e != nil {
				got = e.GongUserID
			}
			if got != tt.wantGongID || !strings.Contains(reason, tt.wantReason) || (e != nil) == (reason != "") {
				t.Errorf("got %q, %q; want %q, %q", got, reason, tt.wantGongID, tt.wantReason)
			}
		})
	}
	for _, id := range []string{"1", "2"} {
		if r := emailMap.ByGongID(id).Reason; !strings.Contains(r, "signing in as team@contoso.com is refused") {
			t.Errorf("report of %s does not warn about the shared alias: %q", id, r)
		}
	}
}

func TestMapSurvivesJSON(t *testing.T) {
	users := []core.User{
		{ID: "2", Email: "bob@contoso.com", FirstName: "bob", Active: true},
		{ID: "1", Email: "ann@contoso.com", FirstName: "Ann", Active: true},
		{ID: "3", Email: "zoe@contoso.com", FirstName: "Ann", Active: true},
	}
	m, err := identity.Resolve(t.Context(), users, contoso(t), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	var back identity.Map
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if e, _ := back.Caller("oid-ann"); e == nil || e.GongUserID != "1" {
		t.Errorf("stored map: Caller(oid-ann) = %+v", e)
	}
	if !back.Taken.Equal(m.Taken) || back.Directory != "file" {
		t.Errorf("stored map header: %v %q", back.Taken, back.Directory)
	}
	var order []string
	for _, e := range back.Entries() {
		order = append(order, e.GongUserID)
	}
	if got := strings.Join(order, ","); got != "1,3,2" {
		t.Errorf("Entries order %s, want by name then id: 1,3,2", got)
	}
	if c := back.Counts(); c[identity.StatusMapped] != 2 || c[identity.StatusNoMatch] != 1 {
		t.Errorf("Counts: %v", c)
	}
}
