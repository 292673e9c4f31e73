package graphsim

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// POST /search/query over externalItem (graph-connectors.md §8), trimmed as
// Microsoft Search trims: a user sees an item when a grant in its ACL names
// them, an Entra group they are in (nested), an external group they are in
// (nested, through Entra groups and other external groups) or the tenant
// (everyone), and no deny does (deny wins).
//
// Searches run as a signed-in user; the double has no delegated sign-in,
// so the user's Entra object id comes in the SearchUserHeader header.

// SearchUserHeader names the user a /search/query runs as.
const SearchUserHeader = "X-Graphsim-User"

func (s *Sim) searchRoutes() {
	s.graphMux.HandleFunc("POST /v1.0/search/query", s.searchQuery)
}

type searchRequest struct {
	Requests []struct {
		EntityTypes    []string `json:"entityTypes"`
		ContentSources []string `json:"contentSources"`
		Query          struct {
			QueryString string `json:"queryString"`
		} `json:"query"`
		From   int      `json:"from"`
		Size   int      `json:"size"`
		Fields []string `json:"fields"`
	} `json:"requests"`
}

func (s *Sim) searchQuery(w http.ResponseWriter, r *http.Request) {
	user := r.Header.Get(SearchUserHeader)
	if user == "" {
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Searches over externalItem run as a signed-in user (delegated ExternalItem.Read.All); name the user in "+SearchUserHeader+".")
		return
	}
	var req searchRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || len(req.Requests) != 1 {
		graphError(w, http.StatusBadRequest, "BadRequest", "The body must hold one search request.")
		return
	}
	q := req.Requests[0]
	if len(q.EntityTypes) != 1 || q.EntityTypes[0] != "externalItem" || len(q.ContentSources) == 0 {
		graphError(w, http.StatusBadRequest, "BadRequest", "Search externalItem in named content sources (/external/connections/{id}).")
		return
	}
	if q.Size == 0 {
		q.Size = 25
	}
	if q.Size < 1 || q.Size > 500 || q.From < 0 {
		graphError(w, http.StatusBadRequest, "BadRequest", "size must be 1 to 500 and from not negative.")
		return
	}
	terms := queryTerms(q.Query.QueryString)
	type hit struct {
		conn, id string
		score    int
		props    map[string]any
		summary  string
	}
	var hits []hit
	s.conns.mu.Lock()
	for _, src := range q.ContentSources {
		connID := strings.TrimPrefix(src, "/external/connections/")
		conn := s.conns.m[strings.ToLower(connID)]
		if conn == nil || conn.schema == nil {
			continue
		}
		retrievable := map[string]bool{}
		for _, raw := range conn.schema["properties"].([]any) {
			p := raw.(map[string]any)
			retrievable[p["name"].(string)] = flag(p["isRetrievable"])
		}
		in := s.memberOf(conn, user)
		for id, it := range conn.items {
			if !s.allowed(user, in, it.aces) {
				continue
			}
			summary := ""
			if it.content != nil {
				summary, _ = it.content["value"].(string)
			}
			score := match(terms, it.text)
			if score == 0 && len(terms) > 0 {
				continue
			}
			props := map[string]any{}
			for k, v := range it.properties {
				if strings.Contains(k, "@") || !retrievable[k] || (len(q.Fields) > 0 && !slices.Contains(q.Fields, k)) {
					continue
				}
				props[k] = v
			}
			hits = append(hits, hit{conn: connID, id: id, score: score, props: props, summary: snippet(summary, terms)})
		}
	}
	s.conns.mu.Unlock()
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(b.score, a.score), strings.Compare(a.id, b.id)) })
	total := len(hits)
	page := hits[min(q.From, total):min(q.From+q.Size, total)]
	out := []map[string]any{}
	for i, h := range page {
		out = append(out, map[string]any{"hitId": h.id, "rank": q.From + i + 1, "summary": h.summary,
			"contentSource": "/external/connections/" + h.conn,
			"resource":      map[string]any{"@odata.type": "#microsoft.graph.externalConnectors.externalItem", "properties": h.props}})
	}
	var searchTerms []string
	for _, t := range terms {
		searchTerms = append(searchTerms, t...)
	}
	writeJSON(w, http.StatusOK, map[string]any{"value": []any{map[string]any{"searchTerms": searchTerms,
		"hitsContainers": []any{map[string]any{"total": total, "moreResultsAvailable": q.From+len(page) < total, "hits": out}}}}})
}

// words splits text into lower-case words without diacritics, as
// Microsoft Search matches them ("Seán" is found by "sean").
func words(s string) []string {
	folded := make([]rune, 0, len(s))
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		if !unicode.Is(unicode.Mn, r) {
			folded = append(folded, r)
		}
	}
	return strings.FieldsFunc(string(folded), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
}

// snippet is Graph's hit summary: about 200 characters of the content
// around the first query word found, that word marked <c0>...</c0>, and
// <ddd/> where text was left out.
func snippet(text string, terms [][]string) string {
	text = strings.Join(strings.Fields(text), " ")
	lower := strings.ToLower(text)
	at, n := -1, 0
	for _, t := range terms {
		if i := strings.Index(lower, t[0]); i >= 0 && (at < 0 || i < at) {
			at, n = i, len(t[0])
		}
	}
	if at < 0 || len(lower) != len(text) { // no match, or case folding moved bytes
		return cut(text, 200)
	}
	from := max(0, at-80)
	for from > 0 && !utf8.RuneStart(text[from]) {
		from--
	}
	out := text[from:at] + "<c0>" + text[at:at+n] + "</c0>" + cut(text[at+n:], 120)
	if from > 0 {
		out = "<ddd/>" + out
	}
	return out
}

// cut shortens s to about n bytes at a rune boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "<ddd/>"
}

// queryTerms splits a query string into terms, each a phrase of one or
// more words: a quoted string, or a word that has several ("Acme's",
// "multi-language"), is a phrase, as in KQL.
func queryTerms(q string) [][]string {
	var out [][]string
	for i, part := range strings.Split(q, `"`) {
		if i%2 == 1 {
			if ws := words(part); len(ws) > 0 {
				out = append(out, ws)
			}
			continue
		}
		for _, f := range strings.Fields(part) {
			if ws := words(f); len(ws) > 0 {
				out = append(out, ws)
			}
		}
	}
	return out
}

// match counts the occurrences of terms in an item's fields, a phrase
// within one field; 0 unless every term is in.
func match(terms [][]string, fields [][]string) int {
	n := 0
	for _, t := range terms {
		c := 0
		for _, f := range fields {
			for i := 0; i+len(t) <= len(f); i++ {
				if slices.Equal(f[i:i+len(t)], t) {
					c++
				}
			}
		}
		if c == 0 {
			return 0
		}
		n += c
	}
	return n
}

// ace is one ACL entry, lower-cased.
type ace struct {
	typ, value string
	deny       bool
}

func parseACL(acl []any) []ace {
	out := make([]ace, 0, len(acl))
	for _, raw := range acl {
		m, _ := raw.(map[string]any)
		typ, _ := m["type"].(string)
		value, _ := m["value"].(string)
		out = append(out, ace{typ: strings.ToLower(typ), value: value, deny: strings.EqualFold(fmt.Sprint(m["accessType"]), "deny")})
	}
	return out
}

// allowed evaluates an ACL for a user who is in the external groups in:
// deny wins over grant. conn is locked.
func (s *Sim) allowed(user string, in map[string]bool, acl []ace) bool {
	granted := false
	for _, a := range acl {
		var match bool
		switch a.typ {
		case "user":
			match = strings.EqualFold(a.value, user)
		case "everyone", "everyoneexceptguests":
			match = strings.EqualFold(a.value, s.tenant)
		case "group":
			match = s.inEntraGroup(user, a.value, map[string]bool{})
		case "externalgroup":
			match = in[a.value]
		}
		if !match {
			continue
		}
		if a.deny {
			return false
		}
		granted = true
	}
	return granted
}

// memberOf returns the external groups of conn that user is in: directly,
// through an Entra group, or through another external group, nested to
// any depth. conn is locked.
func (s *Sim) memberOf(conn *connection, user string) map[string]bool {
	in := map[string]bool{}
	entra := map[string]bool{} // Entra groups decided, by id
	for changed := true; changed; {
		changed = false
		for id, g := range conn.groups {
			if in[id] {
				continue
			}
			for mid, typ := range g.members {
				var yes bool
				switch typ {
				case "user":
					yes = strings.EqualFold(mid, user)
				case "group":
					v, ok := entra[mid]
					if !ok {
						v = s.inEntraGroup(user, mid, map[string]bool{})
						entra[mid] = v
					}
					yes = v
				case "externalgroup":
					yes = in[mid]
				}
				if yes {
					in[id], changed = true, true
					break
				}
			}
		}
	}
	return in
}

// inEntraGroup reports whether user is in the Entra group id, nested.
func (s *Sim) inEntraGroup(user, id string, seen map[string]bool) bool {
	if seen[id] {
		return false
	}
	seen[id] = true
	g := s.groupsByID[strings.ToLower(id)]
	if g == nil {
		return false
	}
	for _, m := range g.Members {
		if strings.EqualFold(m, user) || s.inEntraGroup(user, m, seen) {
			return true
		}
	}
	return false
}

// Visible returns the ids of the items of a connection that user (an
// Entra object id) may see, as /search/query trims them (tests).
func (s *Sim) Visible(connID, user string) []string {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	conn := s.conns.m[strings.ToLower(connID)]
	if conn == nil {
		return nil
	}
	var out []string
	in := s.memberOf(conn, user)
	for id, it := range conn.items {
		if s.allowed(user, in, it.aces) {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}

// SearchHits runs POST /v1.0/search/query at base (the double's URL) with
// an app token, as user over one connection, reads every page and returns
// the ids of the hits, sorted (tests).
func SearchHits(ctx context.Context, c *http.Client, base, token, user, connID, query string) ([]string, error) {
	var ids []string
	for from := 0; ; from += 500 {
		body, err := json.Marshal(map[string]any{"requests": []any{map[string]any{"entityTypes": []string{"externalItem"},
			"contentSources": []string{"/external/connections/" + connID}, "query": map[string]string{"queryString": query},
			"from": from, "size": 500, "fields": []string{"title"}}}})
		if err != nil {
			return nil, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(base, "/")+"/v1.0/search/query", bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(SearchUserHeader, user)
		res, err := c.Do(req)
		if err != nil {
			return nil, err
		}
		var out struct {
			Value []struct {
				HitsContainers []struct {
					More bool `json:"moreResultsAvailable"`
					Hits []struct {
						HitID string `json:"hitId"`
					} `json:"hits"`
				} `json:"hitsContainers"`
			} `json:"value"`
		}
		err = json.NewDecoder(res.Body).Decode(&out)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK || len(out.Value) != 1 || len(out.Value[0].HitsContainers) != 1 {
			return nil, fmt.Errorf("search/query: status %d: %v", res.StatusCode, err)
		}
		hc := out.Value[0].HitsContainers[0]
		for _, h := range hc.Hits {
			ids = append(ids, h.HitID)
		}
		if !hc.More {
			break
		}
	}
	slices.Sort(ids)
	return ids, nil
}
