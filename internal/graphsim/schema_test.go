package graphsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gongconnector/internal/graph"
)

// TestEmbeddedCSDL: the metadata the double checks against is the official
// fixture, byte for byte.
func TestEmbeddedCSDL(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "graph", "csdl", "v1.0-externalConnectors-namespace.xml"))
	if err != nil {
		t.Skipf("the shared fixtures are not beside the repository: %v", err)
	}
	if !bytes.Equal(b, externalConnectorsCSDL) {
		t.Error("internal/graphsim/csdl differs from ../shared/fixtures/graph/csdl: copy it again")
	}
	if len(mustCSDL.enums[ecNamespace+".label"]) < 40 || mustCSDL.types[ecNamespace+".property"] == nil {
		t.Errorf("the CSDL was not read: %d labels", len(mustCSDL.enums[ecNamespace+".label"]))
	}
}

func asJSON(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestSchemaBothWays: the official example and our calls' schema pass;
// each broken rule is refused with a message naming it.
func TestSchemaBothWays(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "graph", "examples", "patch-schema.request.json"))
	if err != nil {
		t.Skipf("the shared fixtures are not beside the repository: %v", err)
	}
	var official map[string]any
	if err := json.Unmarshal(b, &official); err != nil {
		t.Fatal(err)
	}
	if p := validateSchema(official); len(p) > 0 {
		t.Errorf("the official example is refused: %v", p)
	}
	if p := validateSchema(asJSON(t, graph.CallSchema())); len(p) > 0 {
		t.Errorf("the calls' schema is refused: %v", p)
	}
	for name, tc := range map[string]struct {
		change func(s *graph.Schema)
		want   string
	}{
		"name with a dash":         {func(s *graph.Schema) { s.Properties[0].Name = "call-title" }, "letters and digits"},
		"name too long":            {func(s *graph.Schema) { s.Properties[0].Name = strings.Repeat("a", 33) }, "1 to 32"},
		"two properties, one name": {func(s *graph.Schema) { s.Properties[1].Name = "Title" }, "used twice"},
		"searchable number":        {func(s *graph.Schema) { s.Properties[8].IsSearchable = true }, "only string and stringCollection"},
		"searchable and refinable": {func(s *graph.Schema) { s.Properties[9].IsSearchable = true }, "both searchable and refinable"},
		"label not retrievable":    {func(s *graph.Schema) { s.Properties[1].IsRetrievable = false }, "must be retrievable"},
		"one label twice":          {func(s *graph.Schema) { s.Properties[2].Labels = []string{"title"} }, "already on"},
		"label of another type": {func(s *graph.Schema) {
			s.Properties[8].Labels = []string{"createdDateTime"}
			s.Properties[6].Labels = nil
		}, "needs a property of type datetime"},
		"unknown label":   {func(s *graph.Schema) { s.Properties[0].Labels = []string{"headline"} }, "not a member of"},
		"unknown type":    {func(s *graph.Schema) { s.Properties[0].Type = "text" }, "not a member of"},
		"wrong base type": {func(s *graph.Schema) { s.BaseType = "microsoft.graph.item" }, "baseType"},
		"no properties":   {func(s *graph.Schema) { s.Properties = nil }, "1 to 128"},
		"too many properties": {func(s *graph.Schema) {
			for i := range 130 {
				s.Properties = append(s.Properties, graph.Property{Name: "p" + strings.Repeat("x", i%20) + string(rune('a'+i%26)) + string(rune('a'+i/26)), Type: "string"})
			}
		}, "1 to 128"},
	} {
		t.Run(name, func(t *testing.T) {
			s := graph.CallSchema()
			tc.change(&s)
			p := validateSchema(asJSON(t, s))
			if !strings.Contains(strings.Join(p, "; "), tc.want) {
				t.Errorf("problems %v, want one saying %q", p, tc.want)
			}
		})
	}
	// A field the CSDL does not declare is refused.
	m := asJSON(t, graph.CallSchema())
	m["properties"].([]any)[0].(map[string]any)["isExactMatchRequired"] = true // beta only
	if p := validateSchema(m); !strings.Contains(strings.Join(p, "; "), `no property "isExactMatchRequired"`) {
		t.Errorf("a beta-only field: %v", p)
	}
}

// TestOfficialConnectionExample: the official create-connection request is
// accepted by the double and answered like the official response.
func TestOfficialConnectionExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "graph", "examples", "create-connection.request.json"))
	if err != nil {
		t.Skipf("the shared fixtures are not beside the repository: %v", err)
	}
	var body map[string]any
	if err := json.Unmarshal(b, &body); err != nil {
		t.Fatal(err)
	}
	if p := mustCSDL.check("connection", ecNamespace+".externalConnection", body, true); len(p) > 0 {
		t.Errorf("the official create request is refused: %v", p)
	}
}

// TestOfficialItemExample: with a schema holding its properties, the
// official put-item request is stored; an item lacking the annotations
// Graph requires, or with a property the schema lacks, is refused.
func TestOfficialItemExample(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "fixtures", "graph", "examples", "put-item.request.json"))
	if err != nil {
		t.Skipf("the shared fixtures are not beside the repository: %v", err)
	}
	h := newHarness(t, Options{Apps: []App{{ClientID: testClient, Secret: testSecret, Roles: []string{PermConnectionOwnedBy, PermItemOwnedBy}}}})
	if code, body, _ := h.do("POST", "/v1.0/external/connections", `{"id":"contosohr","name":"Contoso HR","description":"HR"}`); code != 201 {
		t.Fatalf("create: %d %v", code, body)
	}
	schema := `{"baseType":"microsoft.graph.externalItem","properties":[{"name":"title","type":"String","isSearchable":"true","isRetrievable":"true","labels":["title"]},` +
		`{"name":"priority","type":"Int64","isQueryable":"true","isRetrievable":"true"},{"name":"assignee","type":"String","isRetrievable":"true"},` +
		`{"name":"tags","type":"stringCollection","isRetrievable":true}]}`
	code, body, hdr := h.do("PATCH", "/v1.0/external/connections/contosohr/schema", schema)
	if code != 202 || hdr.Get("Location") == "" {
		t.Fatalf("schema: %d %v", code, body)
	}
	loc, _ := url.Parse(hdr.Get("Location"))
	if code, body, _ := h.do("GET", loc.Path, ""); code != 200 || body["status"] != "completed" {
		t.Fatalf("operation: %d %v", code, body)
	}
	if code, body, _ := h.do("PUT", "/v1.0/external/connections/contosohr/items/TSP228082938", string(b)); code != 200 {
		t.Errorf("the official item: %d %v", code, body)
	}
	for name, tc := range map[string]struct{ item, want string }{
		"collection without annotation": {`{"acl":[{"type":"everyone","value":"t","accessType":"grant"}],"properties":{"tags":["a"]}}`, `needs "tags@odata.type"`},
		"non-ASCII without annotation":  {`{"acl":[{"type":"everyone","value":"t","accessType":"grant"}],"properties":{"title":"Äpfel"}}`, `not ASCII`},
		"property not in the schema":    {`{"acl":[{"type":"everyone","value":"t","accessType":"grant"}],"properties":{"mood":"ok"}}`, `not in the schema`},
		"no ACL":                        {`{"acl":[],"properties":{"title":"x"}}`, `at least one entry`},
		"bad access type":               {`{"acl":[{"type":"user","value":"u","accessType":"allow"}],"properties":{"title":"x"}}`, `not a member of`},
		"number as text":                {`{"acl":[{"type":"everyone","value":"t","accessType":"grant"}],"properties":{"priority":"high"}}`, `whole number`},
	} {
		code, body, _ := h.do("PUT", "/v1.0/external/connections/contosohr/items/x1", tc.item)
		if msg := fmt.Sprint(body); code != 400 || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: %d %v, want 400 saying %q", name, code, body, tc.want)
		}
	}
}
