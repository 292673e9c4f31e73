package graphsim

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// TestSearchTrimming: /search/query returns the items whose ACL lets the
// user in, through users, Entra groups (nested), external groups (nested)
// and everyone, deny winning, and matches every word of the query.
func TestSearchTrimming(t *testing.T) {
	h := newHarness(t, Options{Apps: []App{{ClientID: testClient, Secret: testSecret, Roles: []string{PermConnectionOwnedBy, PermItemOwnedBy}}}})
	must := func(code int, body map[string]any, _ http.Header) {
		t.Helper()
		if code/100 != 2 {
			t.Fatalf("HTTP %d %v", code, body)
		}
	}
	must(h.do("POST", "/v1.0/external/connections", `{"id":"gongcalls","name":"Gong","description":"d"}`))
	_, _, hdr := h.do("PATCH", "/v1.0/external/connections/gongcalls/schema",
		`{"baseType":"microsoft.graph.externalItem","properties":[{"name":"title","type":"string","isSearchable":true,"isRetrievable":true,"labels":["title"]},{"name":"secretNote","type":"string","isSearchable":true}]}`)
	loc, _ := url.Parse(hdr.Get("Location"))
	must(h.do("GET", loc.Path, ""))
	// External groups: e1 holds alice; e2 holds the Entra group g2 (bob,
	// alice and, nested, carol) and e1.
	must(h.do("POST", "/v1.0/external/connections/gongcalls/groups", `{"id":"e1"}`))
	must(h.do("POST", "/v1.0/external/connections/gongcalls/groups/e1/members", `{"id":"u1","type":"user"}`))
	must(h.do("POST", "/v1.0/external/connections/gongcalls/groups", `{"id":"e2"}`))
	must(h.do("POST", "/v1.0/external/connections/gongcalls/groups/e2/members", `{"id":"g3","type":"group"}`))
	must(h.do("POST", "/v1.0/external/connections/gongcalls/groups/e2/members", `{"id":"e1","type":"externalGroup"}`))
	items := map[string]string{
		"1": `[{"type":"externalGroup","value":"e1","accessType":"grant"}]`,
		"2": `[{"type":"externalGroup","value":"e2","accessType":"grant"},{"type":"user","value":"u3","accessType":"deny"}]`,
		"3": `[{"type":"everyone","value":"` + testTenant + `","accessType":"grant"}]`,
		"4": `[{"type":"user","value":"u4","accessType":"grant"}]`,
	}
	for id, acl := range items {
		must(h.do("PUT", "/v1.0/external/connections/gongcalls/items/"+id,
			`{"acl":`+acl+`,"properties":{"title":"Acme pricing call `+id+`","secretNote":"hidden words"},"content":{"type":"text","value":"We discussed pricing."}}`))
	}
	search := func(user, query string) ([]string, string) {
		t.Helper()
		req, _ := http.NewRequest("POST", h.srv.URL+"/v1.0/search/query", strings.NewReader(
			`{"requests":[{"entityTypes":["externalItem"],"contentSources":["/external/connections/gongcalls"],"query":{"queryString":"`+query+`"}}]}`))
		req.Header.Set("Authorization", "Bearer "+h.tok)
		req.Header.Set(SearchUserHeader, user)
		res, err := h.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, body := decode(t, res)
		var ids []string
		for _, c := range body["value"].([]any)[0].(map[string]any)["hitsContainers"].([]any) {
			for _, hit := range c.(map[string]any)["hits"].([]any) {
				ids = append(ids, hit.(map[string]any)["hitId"].(string))
			}
		}
		slices.Sort(ids)
		return ids, fmt.Sprint(body)
	}
	for user, want := range map[string][]string{
		"u1": {"1", "2", "3"}, // e1 directly; e2 through e1
		"u2": {"2", "3"},      // e2 through g3 → g1 → g2
		"u3": {"3"},           // denied on 2 although in g3
		"u4": {"3", "4"},
		"u9": {"3"}, // anyone in the tenant
	} {
		if got, body := search(user, "acme pricing"); !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v (%s)", user, got, want, body)
		}
	}
	if got, _ := search("u1", "acme nothere"); len(got) != 0 {
		t.Errorf("every word must match: %v", got)
	}
	if _, body := search("u4", "call"); strings.Contains(body, "hidden words") || !strings.Contains(body, "Acme pricing call 4") {
		t.Errorf("hits must carry retrievable properties only: %s", body)
	}
}

func TestSnippet(t *testing.T) {
	text := strings.Repeat("lorem ipsum ", 20) + "The Pricing review with Acme went well. " + strings.Repeat("dolor sit ", 30)
	got := snippet(text, queryTerms("pricing"))
	if !strings.HasPrefix(got, "<ddd/>") || !strings.Contains(got, "The <c0>Pricing</c0> review") || !strings.HasSuffix(got, "<ddd/>") || len(got) > 260 {
		t.Errorf("snippet %q", got)
	}
	if got := snippet("short text", queryTerms("absent")); got != "short text" {
		t.Errorf("no match: %q", got)
	}
}
