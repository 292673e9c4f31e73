package graphsim

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

var userPerms = []string{PermUserReadAll, "User.ReadWrite.All", PermDirectoryReadAll, "Directory.ReadWrite.All"}
var groupPerms = []string{PermGroupMemberReadAll, PermGroupReadAll, "Group.ReadWrite.All", PermDirectoryReadAll, "Directory.ReadWrite.All"}

// userProps are the selectable user properties; defaultUserProps are
// returned without $select, as Graph does.
var userProps = []string{"id", "displayName", "userPrincipalName", "mail", "otherMails", "proxyAddresses", "employeeId", "givenName", "surname"}
var defaultUserProps = []string{"displayName", "givenName", "mail", "surname", "userPrincipalName", "id"}
var groupProps = []string{"id", "displayName", "members"}

// query holds the OData system query options of a collection request.
type query struct {
	filter cond
	sel    []string
	top    int
	skip   int
}

// parseQuery reads $filter, $select, $top and $skiptoken; unknown system
// options and unsupported expressions are answered 400, as Graph does.
func (s *Sim) parseQuery(w http.ResponseWriter, r *http.Request, sch *schema, props, defaults []string) (*query, bool) {
	q := &query{top: s.pageSize, sel: defaults}
	vals := r.URL.Query()
	for k := range vals {
		switch k {
		case "$filter", "$select", "$top", "$skiptoken":
		default:
			if strings.HasPrefix(k, "$") {
				graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Query option '%s' is not supported by this simulator.", k))
				return nil, false
			}
		}
	}
	if f := vals.Get("$filter"); f != "" && sch != nil {
		c, err := parseFilter(f, sch)
		if err != nil {
			fe := err.(*filterError)
			graphError(w, http.StatusBadRequest, fe.code, fe.msg)
			return nil, false
		}
		q.filter = c
	} else if f != "" {
		graphError(w, http.StatusBadRequest, "Request_UnsupportedQuery", "$filter is not supported on this resource.")
		return nil, false
	}
	if v := vals.Get("$select"); v != "" {
		sel, msg := parseSelect(v, props, sch)
		if msg != "" {
			graphError(w, http.StatusBadRequest, "BadRequest", msg)
			return nil, false
		}
		q.sel = sel
	}
	if v := vals.Get("$top"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 999 {
			graphError(w, http.StatusBadRequest, "Request_BadRequest", fmt.Sprintf("Invalid page size specified: '%s'. Must be between 1 and 999 inclusive.", v))
			return nil, false
		}
		q.top = min(n, s.pageSize)
	}
	if v := vals.Get("$skiptoken"); v != "" {
		n, err := decodeSkipToken(v)
		if err != nil {
			graphError(w, http.StatusBadRequest, "Directory_ExpiredPageToken", "The specified page token value has expired and can no longer be included in your request.")
			return nil, false
		}
		q.skip = n
	}
	return q, true
}

// parseSelect returns the selected properties, or Graph's message for one
// it does not know.
func parseSelect(v string, props []string, sch *schema) ([]string, string) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		p = strings.TrimSpace(p)
		found := ""
		for _, known := range props {
			if strings.EqualFold(p, known) {
				found = known
			}
		}
		if found == "" {
			typ := "microsoft.graph.directoryObject"
			if sch != nil {
				typ = sch.typeName
			}
			return nil, fmt.Sprintf("Parsing OData Select and Expand failed: Could not find a property named '%s' on type '%s'.", p, typ)
		}
		out = append(out, found)
	}
	return out, ""
}

func encodeSkipToken(n int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("sim-offset:" + strconv.Itoa(n)))
}

func decodeSkipToken(t string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil {
		return 0, err
	}
	v, ok := strings.CutPrefix(string(b), "sim-offset:")
	if !ok {
		return 0, fmt.Errorf("bad skip token")
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad skip token")
	}
	return n, nil
}

// page writes one page of items with @odata.context and, when more remain,
// @odata.nextLink carrying a $skiptoken.
func page(w http.ResponseWriter, r *http.Request, q *query, context string, items []map[string]any) {
	end := min(len(items), q.skip+q.top)
	start := min(q.skip, end)
	body := map[string]any{
		"@odata.context": "https://graph.microsoft.com/v1.0/$metadata#" + context,
		"value":          items[start:end],
	}
	if end < len(items) {
		vals := r.URL.Query()
		vals.Set("$skiptoken", encodeSkipToken(end))
		body["@odata.nextLink"] = baseURL(r) + r.URL.Path + "?" + encodeQuery(vals)
	}
	writeJSON(w, http.StatusOK, body)
}

// encodeQuery encodes like url.Values.Encode but keeps '$' readable.
func encodeQuery(v url.Values) string {
	return strings.ReplaceAll(v.Encode(), "%24", "$")
}

func userJSON(u *userEntry, sel []string, annotate bool) map[string]any {
	m := map[string]any{}
	if annotate {
		m["@odata.type"] = "#microsoft.graph.user"
	}
	m["id"] = u.ID
	for _, p := range sel {
		switch p {
		case "displayName":
			m[p] = nullable(u.DisplayName)
		case "userPrincipalName":
			m[p] = nullable(u.UserPrincipalName)
		case "mail":
			m[p] = nullable(u.Mail)
		case "employeeId":
			m[p] = nullable(u.EmployeeID)
		case "givenName":
			m[p] = nullable(u.GivenName)
		case "surname":
			m[p] = nullable(u.Surname)
		case "otherMails":
			m[p] = nonNil(u.OtherMails)
		case "proxyAddresses":
			m[p] = nonNil(u.ProxyAddresses)
		}
	}
	return m
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func contextFor(set string, sel []string) string {
	if len(sel) == 0 {
		return set
	}
	return set + "(" + strings.Join(sel, ",") + ")"
}

// listUsers serves GET /users with $filter, $select, $top and paging.
func (s *Sim) listUsers(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, userPerms...) {
		return
	}
	q, ok := s.parseQuery(w, r, &userSchema, userProps, defaultUserProps)
	if !ok {
		return
	}
	var items []map[string]any
	add := func(u *userEntry) {
		if q.filter == nil || q.filter.match(&u.rec) {
			items = append(items, userJSON(u, q.sel, false))
		}
	}
	if pos, ok := s.userIndex.candidates(q.filter); ok {
		for _, i := range pos {
			add(s.users[i])
		}
	} else {
		for _, u := range s.users {
			add(u)
		}
	}
	if items == nil {
		items = []map[string]any{}
	}
	page(w, r, q, contextFor("users", selectedOrNil(r, q)), items)
}

func selectedOrNil(r *http.Request, q *query) []string {
	if r.URL.Query().Get("$select") == "" {
		return nil
	}
	return q.sel
}

// getUser serves GET /users/{id | userPrincipalName}.
func (s *Sim) getUser(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, userPerms...) {
		return
	}
	id := r.PathValue("id")
	q, ok := s.parseQuery(w, r, nil, userProps, defaultUserProps)
	if !ok {
		return
	}
	u, found := s.usersByID[strings.ToLower(id)]
	if !found {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", id))
		return
	}
	m := userJSON(u, q.sel, false)
	m["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#" + contextFor("users", selectedOrNil(r, q)) + "/$entity"
	writeJSON(w, http.StatusOK, m)
}

func groupJSON(g *Group, sel []string) map[string]any {
	m := map[string]any{"id": g.ID}
	for _, p := range sel {
		if p == "displayName" {
			m[p] = nullable(g.DisplayName)
		}
	}
	return m
}

// listGroups serves GET /groups with $filter (displayName, id, mail) and $select.
func (s *Sim) listGroups(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, groupPerms...) {
		return
	}
	q, ok := s.parseQuery(w, r, &groupSchema, groupProps[:2], []string{"id", "displayName"})
	if !ok {
		return
	}
	items := []map[string]any{}
	for _, g := range s.groups {
		rec := record{single: map[string]string{"id": g.ID, "displayname": g.DisplayName}}
		if q.filter == nil || q.filter.match(&rec) {
			items = append(items, groupJSON(g, q.sel))
		}
	}
	page(w, r, q, contextFor("groups", selectedOrNil(r, q)), items)
}

// getGroup serves GET /groups/{id}.
func (s *Sim) getGroup(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, groupPerms...) {
		return
	}
	q, ok := s.parseQuery(w, r, nil, groupProps[:2], []string{"id", "displayName"})
	if !ok {
		return
	}
	g, found := s.groupsByID[strings.ToLower(r.PathValue("id"))]
	if !found {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", r.PathValue("id")))
		return
	}
	writeJSON(w, http.StatusOK, groupJSON(g, q.sel))
}

// transitiveUsers serves GET /groups/{id}/transitiveMembers/microsoft.graph.user:
// the users in the group and in every group nested in it, each once.
func (s *Sim) transitiveUsers(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, groupPerms...) {
		return
	}
	q, ok := s.parseQuery(w, r, nil, userProps, defaultUserProps)
	if !ok {
		return
	}
	g, found := s.groupsByID[strings.ToLower(r.PathValue("id"))]
	if !found {
		graphError(w, http.StatusNotFound, "Request_ResourceNotFound", fmt.Sprintf("Resource '%s' does not exist or one of its queried reference-property objects are not present.", r.PathValue("id")))
		return
	}
	items := []map[string]any{}
	seenUser := map[string]bool{}
	seenGroup := map[string]bool{}
	var walk func(g *Group)
	walk = func(g *Group) {
		if seenGroup[strings.ToLower(g.ID)] {
			return
		}
		seenGroup[strings.ToLower(g.ID)] = true
		for _, m := range g.Members {
			key := strings.ToLower(m)
			if u, ok := s.usersByID[key]; ok && strings.EqualFold(u.ID, m) {
				if !seenUser[key] {
					seenUser[key] = true
					items = append(items, userJSON(u, q.sel, true))
				}
			} else if sub, ok := s.groupsByID[key]; ok {
				walk(sub)
			}
		}
	}
	walk(g)
	page(w, r, q, contextFor("users", selectedOrNil(r, q)), items)
}
