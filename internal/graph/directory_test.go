package graph

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/graphsim"
)

// ids maps each looked-up value to the sorted ids of the users found.
func ids(m map[string][]core.DirectoryUser) map[string]string {
	out := map[string]string{}
	for v, users := range m {
		var l []string
		for _, u := range users {
			l = append(l, u.ID)
		}
		slices.Sort(l)
		out[v] = strings.Join(l, ",")
	}
	return out
}

func TestLookup(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{Seed: 1})
	u1, u2, u3, u4 := userID(1), userID(2), userID(3), userID(4)
	tests := map[string]struct {
		attr   core.Attribute
		values []string
		want   map[string]string
	}{
		"upn": {attr: core.AttrUPN, values: []string{"Alice.Smith@contoso.com", "nobody@contoso.com"},
			want: map[string]string{"Alice.Smith@contoso.com": u1}},
		"upn case differs, both spellings kept": {attr: core.AttrUPN, values: []string{"alice.smith@CONTOSO.com", "ALICE.SMITH@contoso.com"},
			want: map[string]string{"alice.smith@CONTOSO.com": u1, "ALICE.SMITH@contoso.com": u1}},
		"upn with a quote": {attr: core.AttrUPN, values: []string{"O'Brien@contoso.com"},
			want: map[string]string{"O'Brien@contoso.com": u4}},
		"mail case differs": {attr: core.AttrMail, values: []string{"ALICE@contoso.com"},
			want: map[string]string{"ALICE@contoso.com": u1}},
		"mail alias in otherMails": {attr: core.AttrMail, values: []string{"a.smith@fabrikam.com"},
			want: map[string]string{"a.smith@fabrikam.com": u1}},
		"mail alias in proxyAddresses": {attr: core.AttrMail, values: []string{"ASmith@contoso.com"},
			want: map[string]string{"ASmith@contoso.com": u1}},
		"two users for one mail": {attr: core.AttrMail, values: []string{"sales@contoso.com"},
			want: map[string]string{"sales@contoso.com": u2 + "," + u3}},
		"mail with a quote": {attr: core.AttrMail, values: []string{"sean.o'brien@contoso.com"},
			want: map[string]string{"sean.o'brien@contoso.com": u4}},
		"mail is not upn": {attr: core.AttrMail, values: []string{"bob@contoso.com"},
			want: map[string]string{}},
		"object id": {attr: core.AttrObjectID, values: []string{strings.ToUpper(u2), userID(99)},
			want: map[string]string{strings.ToUpper(u2): u2}},
		"object id that is not a GUID": {attr: core.AttrObjectID, values: []string{"../groups", "alice@contoso.com"},
			want: map[string]string{}},
		"external id": {attr: core.AttrExternalID, values: []string{"E001", "e002", "E999"},
			want: map[string]string{"E001": u1, "e002": u2}},
		"external id with URL and OData characters": {attr: core.AttrExternalID, values: []string{"E 4&x=#%+?/"},
			want: map[string]string{"E 4&x=#%+?/": u4}},
		"injection stays a literal": {attr: core.AttrUPN,
			values: []string{"x' or userPrincipalName eq 'bob@contoso.com", "') or (mail eq 'alice@contoso.com"},
			want:   map[string]string{}},
		"characters no mail has": {attr: core.AttrMail, values: []string{"a b\t\"<>\\;,()[]:'é\x7f@"},
			want: map[string]string{}},
		"empty and duplicate values": {attr: core.AttrUPN, values: []string{"", "bob@contoso.com", "bob@contoso.com"},
			want: map[string]string{"bob@contoso.com": u2}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := e.dir.Lookup(t.Context(), tc.attr, tc.values)
			if err != nil {
				t.Fatalf("Lookup: %v", err)
			}
			if g := ids(got); fmt.Sprint(g) != fmt.Sprint(tc.want) {
				t.Errorf("Lookup(%s, %q) = %v, want %v", tc.attr, tc.values, g, tc.want)
			}
		})
	}
}

func TestLookupMapsUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	got, err := e.dir.Lookup(t.Context(), core.AttrExternalID, []string{"E001"})
	if err != nil {
		t.Fatal(err)
	}
	want := core.DirectoryUser{ID: userID(1), UPN: "Alice.Smith@contoso.com", Mail: "alice@contoso.com", ExternalID: "E001",
		OtherMails: []string{"a.smith@fabrikam.com", "asmith@contoso.com"}, DisplayName: "Alice Smith"}
	if u := got["E001"]; len(u) != 1 || fmt.Sprintf("%+v", u[0]) != fmt.Sprintf("%+v", want) {
		t.Errorf("got %+v, want %+v", u, want)
	}
}

func TestLookupInvalidAttribute(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	_, err := e.dir.Lookup(t.Context(), core.Attribute("sid"), []string{"x"})
	assertErr(t, err, "upn, mail, object_id or external_id")
}

// bigDirectory has n users with mail user<i>@contoso.com.
func bigDirectory(n int) []graphsim.User {
	users := make([]graphsim.User, n)
	for i := range users {
		users[i] = graphsim.User{ID: userID(i), UserPrincipalName: fmt.Sprintf("u%d@contoso.onmicrosoft.com", i),
			Mail: fmt.Sprintf("user%d@contoso.com", i), DisplayName: fmt.Sprintf("User %d", i)}
	}
	return users
}

func TestLookupTenThousandInBatches(t *testing.T) {
	t.Parallel()
	const n = 10000
	e := newEnv(t, graphsim.Options{Users: bigDirectory(n)})
	values := make([]string, n)
	for i := range values {
		values[i] = fmt.Sprintf("USER%d@contoso.com", i)
	}
	e.sim.ResetCounts()
	start := time.Now()
	got, err := e.dir.Lookup(t.Context(), core.AttrMail, values)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if len(got) != n {
		t.Errorf("found %d users, want %d", len(got), n)
	}
	c := e.sim.Counts()
	wantBatches := int64((n + MaxBatch - 1) / MaxBatch)
	if c.Batches != wantBatches || c.Graph != wantBatches || c.SubRequests != n || c.Tokens != 1 {
		t.Errorf("counts = %+v, want %d batches carrying %d requests and one token", c, wantBatches, n)
	}
	t.Logf("%d lookups: %d HTTP requests to Graph (%d batches, %d sub-requests), %d token requests, %s",
		n, c.Graph, c.Batches, c.SubRequests, c.Tokens, elapsed.Round(time.Millisecond))
}

func TestLookupThrottledInsideBatches(t *testing.T) {
	t.Parallel()
	const n, throttled = 400, 30
	e := newEnv(t, graphsim.Options{Users: bigDirectory(n), Seed: 3})
	e.sim.SetFaults(graphsim.Faults{SubThrottleFirst: throttled, RetryAfter: time.Second})
	values := make([]string, n)
	for i := range values {
		values[i] = fmt.Sprintf("user%d@contoso.com", i)
	}
	start := time.Now()
	got, err := e.dir.Lookup(t.Context(), core.AttrMail, values)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("found %d users, want %d: lookups were lost", len(got), n)
	}
	if elapsed < time.Second {
		t.Errorf("lookups took %s; Retry-After asked for 1s", elapsed)
	}
	// The 30 throttled requests are resent together: 2 more batches, not 30.
	c := e.sim.Counts()
	if want := int64(n/MaxBatch + 2); c.Batches != want || c.Throttled != throttled || c.SubRequests != n+throttled {
		t.Errorf("counts = %+v, want %d batches, %d throttled, %d sub-requests", c, want, throttled, n+throttled)
	}
	t.Logf("%d lookups, %d throttled inside batches with Retry-After 1s: %d batches, %s", n, c.Throttled, c.Batches, elapsed.Round(time.Millisecond))
}

func TestLookupFlakyBatches(t *testing.T) {
	t.Parallel()
	const n = 400
	e := newEnv(t, graphsim.Options{Users: bigDirectory(n), Seed: 5})
	e.client.Retry.MaxAttempts = 15
	// No Retry-After: the client backs off on its own.
	e.sim.SetFaults(graphsim.Faults{SubThrottle: 0.3, SubServerError: 0.1, RequestThrottle: 0.05, RequestServerError: 0.05})
	values := make([]string, n)
	for i := range values {
		values[i] = fmt.Sprintf("user%d@contoso.com", i)
	}
	got, err := e.dir.Lookup(t.Context(), core.AttrMail, values)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n {
		t.Errorf("found %d users, want %d: lookups were lost", len(got), n)
	}
	c := e.sim.Counts()
	if c.Throttled == 0 || c.ServerErrors == 0 {
		t.Errorf("no faults were injected: %+v", c)
	}
	t.Logf("%d lookups with faults: %+v", n, c)
}

func TestMembers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{PageSize: 2})
	tests := map[string]struct {
		group string
		want  string // sorted user ids
	}{
		"by name, nested with a cycle": {group: "Sales", want: strings.Join([]string{userID(1), userID(2), userID(3), userID(5)}, ",")},
		"by name, other case":          {group: "sales emea interns", want: strings.Join([]string{userID(1), userID(2), userID(3), userID(5)}, ",")},
		"by id":                        {group: groupID(2), want: strings.Join([]string{userID(1), userID(2), userID(3), userID(5)}, ",")},
		"name with a quote":            {group: "O'Brien's team", want: userID(4)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			users, err := e.dir.Members(t.Context(), tc.group)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, u := range users {
				got = append(got, u.ID)
			}
			slices.Sort(got)
			if strings.Join(got, ",") != tc.want {
				t.Errorf("Members(%q) = %v, want %v", tc.group, got, tc.want)
			}
		})
	}
}

func TestMembersPaging(t *testing.T) {
	t.Parallel()
	users := bigDirectory(25)
	g := graphsim.Group{ID: groupID(1), DisplayName: "Everyone"}
	for _, u := range users {
		g.Members = append(g.Members, u.ID)
	}
	e := newEnv(t, graphsim.Options{Users: users, Groups: []graphsim.Group{g}, PageSize: 10})
	e.sim.ResetCounts()
	got, err := e.dir.Members(t.Context(), "Everyone")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 25 || got[24].Mail != "user24@contoso.com" {
		t.Errorf("got %d members, want 25 ending with user24", len(got))
	}
	if c := e.sim.Counts(); c.Graph != 4 { // the name, then pages of 10, 10, 5
		t.Errorf("%d requests, want 4", c.Graph)
	}
}

func TestMembersErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	tests := map[string]struct {
		group    string
		wantCode string
		wants    []string
	}{
		"no group named":    {group: "Nobody", wantCode: core.ENotFound, wants: []string{`no group named "Nobody"`}},
		"two groups":        {group: "Twins", wantCode: core.EConflict, wants: []string{`2 groups are named "Twins"`, groupID(4), groupID(5)}},
		"unknown object id": {group: groupID(42), wantCode: core.ENotFound, wants: []string{"no group with object id " + groupID(42)}},
		"empty":             {group: " ", wantCode: core.EInvalid, wants: []string{"no group given"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, err := e.dir.Members(t.Context(), tc.group)
			assertErr(t, err, tc.wants...)
			if got := core.ErrorCode(err); got != tc.wantCode {
				t.Errorf("code = %s, want %s", got, tc.wantCode)
			}
		})
	}
}

func TestMissingPermission(t *testing.T) {
	t.Parallel()
	e := newEnv(t, graphsim.Options{})
	e.sim.SetRoles(testClient) // consent revoked
	e.sim.ResetCounts()
	_, err := e.dir.Lookup(t.Context(), core.AttrMail, []string{"alice@contoso.com", "bob@contoso.com"})
	assertErr(t, err, "User.Read.All", "admin consent")
	if core.ErrorCode(err) != core.EUnauthorized {
		t.Errorf("code = %s, want %s", core.ErrorCode(err), core.EUnauthorized)
	}
	if c := e.sim.Counts(); c.Graph != 1 {
		t.Errorf("%d requests; a 403 must not be retried", c.Graph)
	}
	_, err = e.dir.Members(t.Context(), "Sales")
	assertErr(t, err, "GroupMember.Read.All", "admin consent")
}
