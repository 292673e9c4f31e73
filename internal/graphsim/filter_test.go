package graphsim

import (
	"errors"
	"strings"
	"testing"
)

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func TestFilter(t *testing.T) {
	alice := userRecord(User{
		ID: "a1", UserPrincipalName: "Alice@contoso.com", Mail: "alice.smith@contoso.com",
		OtherMails: []string{"al@fabrikam.com"}, ProxyAddresses: []string{"SMTP:alice.smith@contoso.com", "smtp:asmith@contoso.com"},
		EmployeeID: "E'1", DisplayName: "Alice Smith",
	})
	tests := map[string]struct {
		filter   string
		want     bool
		wantCode string // non-empty: the parse fails with this code
	}{
		"upn":                 {filter: "userPrincipalName eq 'alice@contoso.com'", want: true},
		"upn case":            {filter: "userprincipalname eq 'ALICE@CONTOSO.COM'", want: true},
		"upn other":           {filter: "userPrincipalName eq 'bob@contoso.com'", want: false},
		"mail or other mails": {filter: "mail eq 'al@fabrikam.com' or otherMails/any(x:x eq 'al@fabrikam.com')", want: true},
		"proxy alias":         {filter: "proxyAddresses/any(p:p eq 'smtp:asmith@contoso.com')", want: true},
		"quote in literal":    {filter: "employeeId eq 'E''1'", want: true},
		"and":                 {filter: "mail eq 'alice.smith@contoso.com' and employeeId eq 'nope'", want: false},
		"parentheses":         {filter: "(mail eq 'x' or id eq 'a1') and displayName eq 'alice smith'", want: true},
		"injection stays a literal": {
			filter: "userPrincipalName eq " + quote("x' or mail eq 'alice.smith@contoso.com"), want: false},
		"unknown property":    {filter: "shoeSize eq '42'", wantCode: "BadRequest"},
		"ne":                  {filter: "mail ne 'x'", wantCode: "Request_UnsupportedQuery"},
		"startswith":          {filter: "startswith(mail,'a')", wantCode: "Request_UnsupportedQuery"},
		"function after prop": {filter: "mail eq 'a' or startswith(mail,'a')", wantCode: "Request_UnsupportedQuery"},
		"eq on collection":    {filter: "otherMails eq 'a'", wantCode: "Request_UnsupportedQuery"},
		"any on single":       {filter: "mail/any(x:x eq 'a')", wantCode: "Request_UnsupportedQuery"},
		"wrong range var":     {filter: "otherMails/any(x:y eq 'a')", wantCode: "BadRequest"},
		"unterminated":        {filter: "mail eq 'abc", wantCode: "BadRequest"},
		"number literal":      {filter: "mail eq 42", wantCode: "Request_UnsupportedQuery"},
		"trailing junk":       {filter: "mail eq 'a' 'b'", wantCode: "BadRequest"},
		"empty parens":        {filter: "()", wantCode: "BadRequest"},
		"dangling or":         {filter: "mail eq 'a' or", wantCode: "BadRequest"},
		"unbalanced":          {filter: "(mail eq 'a'", wantCode: "BadRequest"},
		"upper-case EQ":       {filter: "mail EQ 'a'", wantCode: "Request_UnsupportedQuery"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			c, err := parseFilter(tc.filter, &userSchema)
			if tc.wantCode != "" {
				var fe *filterError
				if !errors.As(err, &fe) || fe.code != tc.wantCode {
					t.Fatalf("parseFilter(%q) = %v, want error with code %s", tc.filter, err, tc.wantCode)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseFilter(%q): %v", tc.filter, err)
			}
			if got := c.match(&alice); got != tc.want {
				t.Errorf("match(%q) = %v, want %v", tc.filter, got, tc.want)
			}
		})
	}
}

func TestIndexCandidates(t *testing.T) {
	ix := index{}
	recs := []record{
		userRecord(User{ID: "1", Mail: "a@x.com", OtherMails: []string{"b@x.com"}}),
		userRecord(User{ID: "2", Mail: "B@x.com"}),
		userRecord(User{ID: "3", UserPrincipalName: "c@x.com"}),
	}
	for i := range recs {
		ix.add(i, &recs[i])
	}
	c, err := parseFilter("mail eq 'b@x.com' or otherMails/any(x:x eq 'b@x.com')", &userSchema)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := ix.candidates(c)
	if !ok || len(got) != 2 || got[0] != 0 || got[1] != 1 {
		t.Errorf("candidates = %v, %v; want [0 1], true", got, ok)
	}
}

// FuzzFilter checks that the parser never panics and that any string,
// quoted as an OData literal, comes back unchanged.
func FuzzFilter(f *testing.F) {
	for _, s := range []string{"alice@contoso.com", "o'brien", "''", "a' or 'b", "x) or (mail eq 'y", "\x00é'"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = parseFilter(s, &userSchema)
		c, err := parseFilter("mail eq "+quote(s), &userSchema)
		if err != nil {
			t.Fatalf("quoted %q: %v", s, err)
		}
		if eq, ok := c.(eqCond); !ok || eq.value != s || eq.prop != "mail" {
			t.Fatalf("quoted %q parsed to %#v", s, c)
		}
	})
}
