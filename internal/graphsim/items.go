package graphsim

import (
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// External items (graph-connectors.md §3): PUT creates or replaces an item,
// DELETE removes it. An item is checked against the CSDL (acl entries,
// content) and against the connection's registered schema: every property
// declared, each value of its type, and the @odata.type annotations Graph
// requires on collections and on strings that are not ASCII.

var itemPerms = []string{PermItemOwnedBy, PermItemAll}

// itemIDRule is the documented item id: alphanumeric, at most 128.
var itemIDRule = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)

// maxItemBytes is the documented request size limit of an item (4 MB).
const maxItemBytes = 4_000_000

// admitItem applies a connection's limits to an item write when
// Options.ItemLimits is on: at most 25 writes a second (a token bucket)
// and 25 at once, as Graph documents them. Past either, it answers 429
// with a Retry-After of one second.
func (s *Sim) admitItem(w http.ResponseWriter, connID string) (release func(), ok bool) {
	if !s.itemLimits {
		return func() {}, true
	}
	s.conns.mu.Lock()
	if s.conns.limits == nil {
		s.conns.limits = map[string]*connLimits{}
	}
	l := s.conns.limits[strings.ToLower(connID)]
	if l == nil {
		l = &connLimits{bucket: rate.NewLimiter(ItemsPerSecond, ItemsPerSecond)}
		s.conns.limits[strings.ToLower(connID)] = l
	}
	admitted := l.inFlight < ConcurrentPerConnection && l.bucket.Allow()
	if admitted {
		l.inFlight++
	}
	s.conns.mu.Unlock()
	if !admitted {
		s.counts.throttled.Add(1)
		w.Header().Set("Retry-After", "1")
		graphError(w, http.StatusTooManyRequests, "TooManyRequests", "The connection's ingestion limit was exceeded. Please retry after the time in the Retry-After header.")
		return nil, false
	}
	return func() {
		s.conns.mu.Lock()
		l.inFlight--
		s.conns.mu.Unlock()
	}, true
}

// Graph's documented per-connection limits.
const (
	ItemsPerSecond          = 25
	ConcurrentPerConnection = 25
)

// connLimits are one connection's ingestion limits in force.
type connLimits struct {
	bucket   *rate.Limiter
	inFlight int
}

// item is one stored external item.
type item struct {
	acl        []any
	properties map[string]any
	content    map[string]any
	// aces is acl parsed, for trimming.
	aces []ace
	// text is the words of each searchable property and of the content,
	// for /search/query.
	text [][]string
}

func (s *Sim) itemRoutes() {
	s.graphMux.HandleFunc("PUT /v1.0/external/connections/{id}/items/{item}", s.putItem)
	s.graphMux.HandleFunc("DELETE /v1.0/external/connections/{id}/items/{item}", s.deleteItem)
}

func (s *Sim) putItem(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, itemPerms...) {
		return
	}
	release, ok := s.admitItem(w, r.PathValue("id"))
	if !ok {
		return
	}
	defer release()
	id := r.PathValue("item")
	if !itemIDRule.MatchString(id) {
		graphError(w, http.StatusBadRequest, "InvalidRequest", "The item id must be 1 to 128 letters and digits.")
		return
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, maxItemBytes+1))
	if err != nil || len(raw) > maxItemBytes {
		graphError(w, http.StatusRequestEntityTooLarge, "PayloadTooLarge", "The item is larger than 4 MB.")
		return
	}
	body, ok := parseObject(w, raw)
	if !ok {
		return
	}
	if p := mustCSDL.check("item", ecNamespace+".externalItem", body, true); len(p) > 0 {
		graphError(w, http.StatusBadRequest, "InvalidRequest", strings.Join(p, "; "))
		return
	}
	conn, unlock, ok := s.connection(w, r)
	if !ok {
		return
	}
	defer unlock()
	if conn.schema == nil {
		graphError(w, http.StatusBadRequest, "InvalidRequest", "The connection has no registered schema: register the schema before adding items.")
		return
	}
	acl, _ := body["acl"].([]any)
	props, _ := body["properties"].(map[string]any)
	var problems []string
	if len(acl) == 0 {
		problems = append(problems, "acl must hold at least one entry")
	}
	if len(props) == 0 {
		problems = append(problems, "properties must hold at least one property")
	}
	problems = append(problems, checkProperties(conn.schema, props)...)
	if len(problems) > 0 {
		graphError(w, http.StatusBadRequest, "InvalidRequest", strings.Join(problems, "; "))
		return
	}
	content, _ := body["content"].(map[string]any)
	if conn.items == nil {
		conn.items = map[string]*item{}
	}
	conn.items[id] = &item{acl: acl, aces: parseACL(acl), properties: props, content: content, text: itemText(conn.schema, props, content)}
	s.counts.items.Add(1)
	w.WriteHeader(http.StatusOK)
}

func (s *Sim) deleteItem(w http.ResponseWriter, r *http.Request) {
	conn, unlock, ok := s.permittedConnection(w, r, itemPerms)
	if !ok {
		return
	}
	defer unlock()
	if conn.items[r.PathValue("item")] == nil {
		graphError(w, http.StatusNotFound, "ItemNotFound", "The requested item was not found.")
		return
	}
	delete(conn.items, r.PathValue("item"))
	w.WriteHeader(http.StatusNoContent)
}

// annotations of collection property types, as Graph requires them.
var collectionAnnotation = map[string]string{
	"stringcollection": "Collection(String)", "int64collection": "Collection(Int64)",
	"doublecollection": "Collection(Double)", "datetimecollection": "Collection(DateTimeOffset)",
}

// checkProperties checks an item's properties against a registered schema.
func checkProperties(schema map[string]any, props map[string]any) []string {
	types := map[string]string{} // lower-case name → lower-case type
	for _, raw := range schema["properties"].([]any) {
		p := raw.(map[string]any)
		types[strings.ToLower(p["name"].(string))] = strings.ToLower(fmt.Sprint(p["type"]))
	}
	var out []string
	for k, v := range props {
		name, annotation, isAnnotation := strings.Cut(k, "@")
		typ, known := types[strings.ToLower(name)]
		if !known {
			out = append(out, fmt.Sprintf("property %q is not in the schema", name))
			continue
		}
		if isAnnotation {
			if annotation != "odata.type" {
				out = append(out, fmt.Sprintf("%s: unknown annotation @%s", name, annotation))
			}
			continue
		}
		want := collectionAnnotation[typ]
		got, _ := props[name+"@odata.type"].(string)
		switch {
		case want != "" && got != want:
			out = append(out, fmt.Sprintf("%s: a %s property needs \"%s@odata.type\": %q", name, typ, name, want))
		case typ == "string":
			if s, ok := v.(string); ok && !isASCII(s) && got != "String" {
				out = append(out, fmt.Sprintf("%s: a string that is not ASCII needs \"%s@odata.type\": \"String\"", name, name))
			}
		}
		if p := valueOf(typ, v); p != "" {
			out = append(out, fmt.Sprintf("%s: %s", name, p))
		}
	}
	return out
}

// valueOf says what is wrong with v as a value of a schema type.
func valueOf(typ string, v any) string {
	if elem, ok := strings.CutSuffix(typ, "collection"); ok && typ != "principalcollection" {
		arr, ok := v.([]any)
		if !ok {
			return "want an array"
		}
		for _, e := range arr {
			if p := valueOf(elem, e); p != "" {
				return "an element: " + p
			}
		}
		return ""
	}
	switch typ {
	case "string":
		if _, ok := v.(string); !ok {
			return "want a string"
		}
	case "int64":
		if f, ok := v.(float64); !ok || f != float64(int64(f)) {
			return "want a whole number"
		}
	case "double":
		if _, ok := v.(float64); !ok {
			return "want a number"
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "want true or false"
		}
	case "datetime":
		s, ok := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); !ok || err != nil {
			return "want an ISO 8601 date and time"
		}
	}
	return ""
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Item returns a stored item's ACL and properties (tests).
func (s *Sim) Item(connID, id string) (acl []any, props map[string]any, ok bool) {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	c := s.conns.m[strings.ToLower(connID)]
	if c == nil || c.items[id] == nil {
		return nil, nil, false
	}
	it := c.items[id]
	return it.acl, it.properties, true
}

// Items returns the ids of a connection's items (tests).
func (s *Sim) Items(connID string) []string {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	c := s.conns.m[strings.ToLower(connID)]
	if c == nil {
		return nil
	}
	var out []string
	for id := range c.items {
		out = append(out, id)
	}
	return out
}

// itemText returns the words /search/query finds an item by: those of
// each searchable property (each element of a collection apart) and of
// its content, each as a field of its own.
func itemText(schema, props, content map[string]any) [][]string {
	searchable := map[string]bool{}
	for _, raw := range schema["properties"].([]any) {
		p := raw.(map[string]any)
		searchable[p["name"].(string)] = flag(p["isSearchable"])
	}
	var out [][]string
	for k, v := range props {
		if !searchable[k] {
			continue
		}
		if list, ok := v.([]any); ok {
			for _, e := range list {
				out = append(out, words(fmt.Sprint(e)))
			}
		} else {
			out = append(out, words(fmt.Sprint(v)))
		}
	}
	if content != nil {
		text, _ := content["value"].(string)
		out = append(out, words(text))
	}
	return out
}
