package graphsim

import (
	"net/http"
	"regexp"
	"strings"
)

// External groups and their members (graph-connectors.md §4): a group is
// created once, members are added and removed one by one; a member is an
// Entra user or group, or another external group.

var groupIDRule = regexp.MustCompile(`^[A-Za-z0-9]{1,128}$`)

// externalGroup is one external group of a connection.
type externalGroup struct {
	body    map[string]any
	members map[string]string // member id → type
}

func (s *Sim) groupRoutes() {
	s.graphMux.HandleFunc("POST /v1.0/external/connections/{id}/groups", s.createGroup)
	s.graphMux.HandleFunc("GET /v1.0/external/connections/{id}/groups/{group}", s.getExternalGroup)
	s.graphMux.HandleFunc("POST /v1.0/external/connections/{id}/groups/{group}/members", s.addMember)
	s.graphMux.HandleFunc("DELETE /v1.0/external/connections/{id}/groups/{group}/members/{member}", s.removeMember)
}

func (s *Sim) createGroup(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, itemPerms...) {
		return
	}
	body, ok := checkedBody(w, r, "group", "externalGroup", true)
	if !ok {
		return
	}
	id, _ := body["id"].(string)
	if !groupIDRule.MatchString(id) {
		graphError(w, http.StatusBadRequest, "InvalidRequest", "The external group id must be 1 to 128 letters and digits.")
		return
	}
	conn, unlock, ok := s.connection(w, r)
	if !ok {
		return
	}
	defer unlock()
	if conn.groups == nil {
		conn.groups = map[string]*externalGroup{}
	}
	if conn.groups[id] != nil {
		graphError(w, http.StatusConflict, "Conflict", "An external group with this id already exists.")
		return
	}
	conn.groups[id] = &externalGroup{body: body, members: map[string]string{}}
	writeJSON(w, http.StatusCreated, body)
}

// group returns the request's {group} of a locked connection, answering
// 404 when missing.
func group(w http.ResponseWriter, r *http.Request, conn *connection) *externalGroup {
	g := conn.groups[r.PathValue("group")]
	if g == nil {
		graphError(w, http.StatusNotFound, "ItemNotFound", "The requested external group was not found.")
	}
	return g
}

func (s *Sim) getExternalGroup(w http.ResponseWriter, r *http.Request) {
	conn, unlock, ok := s.permittedConnection(w, r, itemPerms)
	if !ok {
		return
	}
	defer unlock()
	if g := group(w, r, conn); g != nil {
		writeJSON(w, http.StatusOK, g.body)
	}
}

func (s *Sim) addMember(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, itemPerms...) {
		return
	}
	body, ok := checkedBody(w, r, "member", "identity", true)
	if !ok {
		return
	}
	id, _ := body["id"].(string)
	typ, _ := body["type"].(string)
	if id == "" || typ == "" || strings.EqualFold(typ, "unknownFutureValue") {
		graphError(w, http.StatusBadRequest, "InvalidRequest", "A member needs an id and a type: user, group or externalGroup.")
		return
	}
	conn, unlock, ok := s.connection(w, r)
	if !ok {
		return
	}
	defer unlock()
	g := group(w, r, conn)
	if g == nil {
		return
	}
	if _, dup := g.members[id]; dup {
		graphError(w, http.StatusConflict, "Conflict", "The member is already in the group.")
		return
	}
	g.members[id] = strings.ToLower(typ)
	s.counts.members.Add(1)
	writeJSON(w, http.StatusCreated, body)
}

func (s *Sim) removeMember(w http.ResponseWriter, r *http.Request) {
	conn, unlock, ok := s.permittedConnection(w, r, itemPerms)
	if !ok {
		return
	}
	defer unlock()
	g := group(w, r, conn)
	if g == nil {
		return
	}
	if _, ok := g.members[r.PathValue("member")]; !ok {
		graphError(w, http.StatusNotFound, "ItemNotFound", "The member is not in the group.")
		return
	}
	delete(g.members, r.PathValue("member"))
	s.counts.members.Add(1)
	w.WriteHeader(http.StatusNoContent)
}

// GroupMembers returns an external group's members by id, with their type
// (tests); nil when the group does not exist.
func (s *Sim) GroupMembers(connID, groupID string) map[string]string {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	c := s.conns.m[strings.ToLower(connID)]
	if c == nil || c.groups[groupID] == nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range c.groups[groupID].members {
		out[k] = v
	}
	return out
}

// ExternalGroups returns a connection's external groups, each with its
// members by id and their type (tests).
func (s *Sim) ExternalGroups(connID string) map[string]map[string]string {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	c := s.conns.m[strings.ToLower(connID)]
	if c == nil {
		return nil
	}
	out := map[string]map[string]string{}
	for id, g := range c.groups {
		out[id] = map[string]string{}
		for k, v := range g.members {
			out[id][k] = v
		}
	}
	return out
}
