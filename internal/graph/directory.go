package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"gongconnector/internal/core"
)

// Application permissions the directory needs.
const (
	PermUserReadAll        = "User.Read.All"
	PermGroupMemberReadAll = "GroupMember.Read.All"
)

// userSelect are the user properties the directory reads.
const userSelect = "id,userPrincipalName,mail,otherMails,proxyAddresses,employeeId,displayName"

// Directory is Microsoft Entra ID read through Microsoft Graph.
type Directory struct {
	c   *Client
	log *slog.Logger
}

// NewDirectory returns the directory behind c. The app needs the
// User.Read.All application permission, and GroupMember.Read.All for Members.
func NewDirectory(c *Client) *Directory {
	return &Directory{c: c, log: c.log}
}

// Name returns "entra", the directory's name in identity maps.
func (d *Directory) Name() string { return "entra" }

// graphUser is a user as Graph returns it.
type graphUser struct {
	ID                string   `json:"id"`
	UserPrincipalName string   `json:"userPrincipalName"`
	Mail              string   `json:"mail"`
	OtherMails        []string `json:"otherMails"`
	ProxyAddresses    []string `json:"proxyAddresses"`
	EmployeeID        string   `json:"employeeId"`
	DisplayName       string   `json:"displayName"`
}

type userPage struct {
	Value    []graphUser `json:"value"`
	NextLink string      `json:"@odata.nextLink"`
}

// directoryUser maps a Graph user; the SMTP proxy addresses other than the
// primary mail join OtherMails, so an alias that matched is visible.
func (g *graphUser) directoryUser() core.DirectoryUser {
	u := core.DirectoryUser{ID: g.ID, UPN: g.UserPrincipalName, Mail: g.Mail, ExternalID: g.EmployeeID, DisplayName: g.DisplayName}
	seen := map[string]bool{strings.ToLower(g.Mail): true}
	add := func(m string) {
		if m != "" && !seen[strings.ToLower(m)] {
			seen[strings.ToLower(m)] = true
			u.OtherMails = append(u.OtherMails, m)
		}
	}
	for _, m := range g.OtherMails {
		add(m)
	}
	for _, p := range g.ProxyAddresses {
		if kind, addr, ok := strings.Cut(p, ":"); ok && strings.EqualFold(kind, "smtp") {
			add(addr)
		}
	}
	return u
}

// Lookup returns, for each of values, the directory users whose attribute attr equals it
// (case-insensitively for upn and mail; mail lookups also match otherMails/proxyAddresses).
// Values with no user are absent from the map. Values that differ only in
// case are looked up once; an object id that is not a GUID matches no one.
func (d *Directory) Lookup(ctx context.Context, attr core.Attribute, values []string) (map[string][]core.DirectoryUser, error) {
	if !attr.Valid() {
		return nil, core.Errorf(core.EInvalid, "cannot look up users by %q: use upn, mail, object_id or external_id", attr)
	}
	// Entra compares these values without regard to case.
	keys := map[string][]string{}
	var order []string
	for _, v := range values {
		if v == "" || attr == core.AttrObjectID && !IsGUID(v) {
			continue
		}
		k := strings.ToLower(v)
		if _, ok := keys[k]; !ok {
			order = append(order, k)
		}
		if !contains(keys[k], v) {
			keys[k] = append(keys[k], v)
		}
	}
	reqs := make([]BatchRequest, len(order))
	for i, k := range order {
		reqs[i] = BatchRequest{Method: http.MethodGet, URL: lookupURL(attr, keys[k][0])}
	}
	res, err := d.c.Batch(ctx, reqs)
	if err != nil {
		return nil, fmt.Errorf("look up %s by %s in Microsoft Entra ID: %w", plural(len(reqs), "user"), attr, err)
	}
	out := map[string][]core.DirectoryUser{}
	for i, r := range res {
		v := keys[order[i]][0]
		users, err := d.lookupResult(ctx, attr, v, reqs[i], r)
		if err != nil {
			return nil, err
		}
		if len(users) == 0 {
			continue
		}
		for _, orig := range keys[order[i]] {
			out[orig] = users
		}
	}
	d.log.Debug("graph: looked up users", slog.String("attribute", string(attr)), slog.Int("values", len(values)),
		slog.Int("requests", len(reqs)), slog.Int("found", len(out)))
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// lookupURL is the request that finds the users whose attr is v.
func lookupURL(attr core.Attribute, v string) string {
	var filter string
	switch attr {
	case core.AttrObjectID:
		return "/users/" + v + "?$select=" + userSelect
	case core.AttrUPN:
		filter = "userPrincipalName eq " + Literal(v)
	case core.AttrMail:
		filter = "mail eq " + Literal(v) +
			" or otherMails/any(x:x eq " + Literal(v) + ")" +
			" or proxyAddresses/any(x:x eq " + Literal("smtp:"+v) + ")"
	case core.AttrExternalID:
		filter = "employeeId eq " + Literal(v)
	}
	return "/users?$filter=" + QueryEscape(filter) + "&$select=" + userSelect
}

// lookupResult reads the answer to one lookup.
func (d *Directory) lookupResult(ctx context.Context, attr core.Attribute, v string, req BatchRequest, r BatchResponse) ([]core.DirectoryUser, error) {
	switch {
	case r.Status == http.StatusNotFound && attr == core.AttrObjectID:
		return nil, nil
	case r.Status != http.StatusOK:
		err := statusError(newAPIError(req.Method, pathOf(req.URL), r.Status, r.Body), PermUserReadAll, 1)
		return nil, fmt.Errorf("look up the user whose %s is %q: %w", attr, v, err)
	case attr == core.AttrObjectID:
		var g graphUser
		if err := json.Unmarshal(r.Body, &g); err != nil {
			return nil, fmt.Errorf("graph: decode user %s: %w", v, err)
		}
		return []core.DirectoryUser{g.directoryUser()}, nil
	}
	var p userPage
	if err := json.Unmarshal(r.Body, &p); err != nil {
		return nil, fmt.Errorf("graph: decode users whose %s is %q: %w", attr, v, err)
	}
	var users []core.DirectoryUser
	for {
		for i := range p.Value {
			users = append(users, p.Value[i].directoryUser())
		}
		if p.NextLink == "" {
			return users, nil
		}
		next := p.NextLink
		p = userPage{}
		if err := d.c.GetJSON(ctx, next, PermUserReadAll, &p); err != nil {
			return nil, fmt.Errorf("look up the users whose %s is %q: %w", attr, v, err)
		}
	}
}

// Members returns a group's users, transitively; group is its object id or display name.
func (d *Directory) Members(ctx context.Context, group string) ([]core.DirectoryUser, error) {
	if strings.TrimSpace(group) == "" {
		return nil, core.Errorf(core.EInvalid, "no group given: name a group by its object id or display name")
	}
	id := group
	if !IsGUID(group) {
		var err error
		if id, err = d.groupID(ctx, group); err != nil {
			return nil, err
		}
	}
	next := "/groups/" + id + "/transitiveMembers/microsoft.graph.user?$select=" + userSelect + "&$top=999"
	var users []core.DirectoryUser
	seen := map[string]bool{}
	for pageNo := 1; next != ""; pageNo++ {
		var p userPage
		if err := d.c.GetJSON(ctx, next, PermGroupMemberReadAll, &p); err != nil {
			var ae *APIError
			if errors.As(err, &ae) && ae.Status == http.StatusNotFound && pageNo == 1 {
				return nil, &core.Error{Code: core.ENotFound, Message: fmt.Sprintf("no group with object id %s in Microsoft Entra ID", id), Err: ae}
			}
			return nil, fmt.Errorf("list the members of group %q (page %d): %w", group, pageNo, err)
		}
		for i := range p.Value {
			if !seen[p.Value[i].ID] {
				seen[p.Value[i].ID] = true
				users = append(users, p.Value[i].directoryUser())
			}
		}
		next = p.NextLink
	}
	return users, nil
}

// groupID resolves a group's display name to its object id.
func (d *Directory) groupID(ctx context.Context, name string) (string, error) {
	var p struct {
		Value []struct {
			ID          string `json:"id"`
			DisplayName string `json:"displayName"`
		} `json:"value"`
	}
	u := "/groups?$filter=" + QueryEscape("displayName eq "+Literal(name)) + "&$select=id,displayName"
	if err := d.c.GetJSON(ctx, u, PermGroupMemberReadAll, &p); err != nil {
		return "", fmt.Errorf("find the group named %q: %w", name, err)
	}
	switch len(p.Value) {
	case 0:
		return "", core.Errorf(core.ENotFound, "no group named %q in Microsoft Entra ID: check the name or use the group's object id", name)
	case 1:
		return p.Value[0].ID, nil
	}
	ids := make([]string, len(p.Value))
	for i, g := range p.Value {
		ids[i] = g.ID
	}
	return "", core.Errorf(core.EConflict, "%d groups are named %q in Microsoft Entra ID: use the object id of the one you mean (%s)", len(ids), name, strings.Join(ids, ", "))
}

// plural returns "1 user", "2 users".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
