package graphsim

import (
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
)

// External connections and their schemas (graph-connectors.md §2): create,
// read and update a connection, register its schema asynchronously, and
// poll the operation. The schema is checked when it is sent (validateSchema)
// and provisioned after a few polls of its operation.

// Permissions of the connectors API.
const (
	PermConnectionOwnedBy = "ExternalConnection.ReadWrite.OwnedBy"
	PermConnectionAll     = "ExternalConnection.ReadWrite.All"
	PermItemOwnedBy       = "ExternalItem.ReadWrite.OwnedBy"
	PermItemAll           = "ExternalItem.ReadWrite.All"
)

var connectionPerms = []string{PermConnectionOwnedBy, PermConnectionAll}

// connectionIDRule and reservedIDs are the documented id rules.
var connectionIDRule = regexp.MustCompile(`^[A-Za-z0-9]{3,32}$`)

var reservedIDs = map[string]bool{}

func init() {
	for _, id := range strings.Fields(`None Directory Exchange ExchangeArchive LinkedIn Mailbox OneDriveBusiness SharePoint Teams
		Yammer Connectors TaskFabric PowerBI Assistant TopicEngine MSFT_All_Connectors`) {
		reservedIDs[strings.ToLower(id)] = true
	}
}

// connection is one external connection the double holds.
type connection struct {
	body       map[string]any // id, name, description, contentCategory, ...
	schema     map[string]any // registered (provisioned) schema; nil before
	operations map[string]*operation
	items      map[string]*item
	groups     map[string]*externalGroup
}

// operation is a schema registration in progress.
type operation struct {
	polls  int // GETs left before it completes
	schema map[string]any
	failed string
}

// connections holds the double's connections; its own lock.
type connections struct {
	mu sync.Mutex
	m  map[string]*connection // by lower-case id
	// provisionPolls is how many GETs of an operation answer inprogress.
	provisionPolls int
	// limits are the ingestion limits of each connection, by id.
	limits map[string]*connLimits
}

func (s *Sim) connectionRoutes() {
	s.graphMux.HandleFunc("POST /v1.0/external/connections", s.createConnection)
	s.graphMux.HandleFunc("GET /v1.0/external/connections/{id}", s.getConnection)
	s.graphMux.HandleFunc("PATCH /v1.0/external/connections/{id}", s.updateConnection)
	s.graphMux.HandleFunc("PATCH /v1.0/external/connections/{id}/schema", s.patchSchema)
	s.graphMux.HandleFunc("GET /v1.0/external/connections/{id}/schema", s.getSchema)
	s.graphMux.HandleFunc("GET /v1.0/external/connections/{id}/operations/{op}", s.getOperation)
	s.itemRoutes()
	s.groupRoutes()
	s.searchRoutes()
}

// readBody decodes a JSON object body, answering 400 when it is not one.
func readBody(w http.ResponseWriter, r *http.Request) (map[string]any, bool) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		b = nil
	}
	return parseObject(w, b)
}

// parseObject decodes a JSON object, answering 400 when it is not one.
func parseObject(w http.ResponseWriter, b []byte) (map[string]any, bool) {
	var m map[string]any
	err := json.Unmarshal(b, &m)
	if err != nil || m == nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.")
		return nil, false
	}
	return m, true
}

func (s *Sim) createConnection(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, connectionPerms...) {
		return
	}
	body, ok := checkedBody(w, r, "connection", "externalConnection", true)
	if !ok {
		return
	}
	id, _ := body["id"].(string)
	name, _ := body["name"].(string)
	switch {
	case !connectionIDRule.MatchString(id) || strings.HasPrefix(strings.ToLower(id), "microsoft") || reservedIDs[strings.ToLower(id)]:
		graphError(w, http.StatusBadRequest, "InvalidRequest", "The connection id must be 3 to 32 letters and digits, must not start with Microsoft and must not be a reserved name.")
		return
	case name == "" || len([]rune(name)) > 128:
		graphError(w, http.StatusBadRequest, "InvalidRequest", "The connection name is required and at most 128 characters.")
		return
	case body["state"] != nil:
		graphError(w, http.StatusBadRequest, "InvalidRequest", "state is computed and cannot be set.")
		return
	}
	c := &s.conns
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*connection{}
	}
	if c.m[strings.ToLower(id)] != nil {
		graphError(w, http.StatusConflict, "Conflict", "A connection with this id already exists.")
		return
	}
	body["state"] = "draft"
	if body["contentCategory"] == nil {
		body["contentCategory"] = "uncategorized"
	}
	c.m[strings.ToLower(id)] = &connection{body: body, operations: map[string]*operation{}}
	writeJSON(w, http.StatusCreated, body)
}

// connection returns the connection of the request's {id}, locked until
// unlock is called, or answers 404 when there is none.
func (s *Sim) connection(w http.ResponseWriter, r *http.Request) (conn *connection, unlock func(), ok bool) {
	s.conns.mu.Lock()
	conn = s.conns.m[strings.ToLower(r.PathValue("id"))]
	if conn == nil {
		s.conns.mu.Unlock()
		graphError(w, http.StatusNotFound, "ItemNotFound", "The requested connection was not found.")
		return nil, nil, false
	}
	return conn, s.conns.mu.Unlock, true
}

// permittedConnection is connection once the app is found to hold one of
// perms (403 otherwise).
func (s *Sim) permittedConnection(w http.ResponseWriter, r *http.Request, perms []string) (*connection, func(), bool) {
	if !s.requirePerm(w, r, perms...) {
		return nil, nil, false
	}
	return s.connection(w, r)
}

// checkedBody reads a JSON object body and checks it as a value of the
// externalConnectors type typ, answering 400 with the problems.
func checkedBody(w http.ResponseWriter, r *http.Request, path, typ string, create bool) (map[string]any, bool) {
	body, ok := readBody(w, r)
	if !ok {
		return nil, false
	}
	if p := mustCSDL.check(path, ecNamespace+"."+typ, body, create); len(p) > 0 {
		graphError(w, http.StatusBadRequest, "InvalidRequest", strings.Join(p, "; "))
		return nil, false
	}
	return body, true
}

func (s *Sim) getConnection(w http.ResponseWriter, r *http.Request) {
	conn, unlock, ok := s.permittedConnection(w, r, connectionPerms)
	if !ok {
		return
	}
	defer unlock()
	writeJSON(w, http.StatusOK, conn.body)
}

func (s *Sim) updateConnection(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, connectionPerms...) {
		return
	}
	body, ok := checkedBody(w, r, "connection", "externalConnection", false)
	if !ok {
		return
	}
	if body["id"] != nil || body["state"] != nil {
		graphError(w, http.StatusBadRequest, "InvalidRequest", "id and state cannot be changed.")
		return
	}
	conn, unlock, ok := s.connection(w, r)
	if !ok {
		return
	}
	defer unlock()
	for k, v := range body {
		conn.body[k] = v
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Sim) patchSchema(w http.ResponseWriter, r *http.Request) {
	if !s.requirePerm(w, r, connectionPerms...) {
		return
	}
	body, ok := readBody(w, r)
	if !ok {
		return
	}
	if p := validateSchema(body); len(p) > 0 {
		graphError(w, http.StatusBadRequest, "InvalidRequest", strings.Join(p, "; "))
		return
	}
	conn, unlock, ok := s.connection(w, r)
	if !ok {
		return
	}
	defer unlock()
	if old := conn.schema; old != nil {
		if why := schemaChangeRefused(old, body); why != "" {
			graphError(w, http.StatusBadRequest, "InvalidRequest", why)
			return
		}
	}
	id := newID()
	conn.operations[id] = &operation{polls: s.conns.provisionPolls, schema: body}
	w.Header().Set("Location", "https://graph.microsoft.com/v1.0/external/connections/"+r.PathValue("id")+"/operations/"+id)
	w.WriteHeader(http.StatusAccepted)
}

// schemaChangeRefused says why a schema update is not allowed: a refinable
// property cannot be added to a registered schema (graph-connectors.md
// §2.4), nor can a property be removed.
func schemaChangeRefused(old, next map[string]any) string {
	had := map[string]bool{}
	for _, p := range old["properties"].([]any) {
		had[strings.ToLower(p.(map[string]any)["name"].(string))] = true
	}
	kept := map[string]bool{}
	for _, raw := range next["properties"].([]any) {
		p := raw.(map[string]any)
		name := strings.ToLower(p["name"].(string))
		kept[name] = true
		if !had[name] && flag(p["isRefinable"]) {
			return "A refinable property cannot be added to a registered schema: " + name + "."
		}
	}
	for name := range had {
		if !kept[name] {
			return "A property cannot be removed from a registered schema: " + name + "."
		}
	}
	return ""
}

func (s *Sim) getOperation(w http.ResponseWriter, r *http.Request) {
	conn, unlock, ok := s.permittedConnection(w, r, connectionPerms)
	if !ok {
		return
	}
	defer unlock()
	op := conn.operations[r.PathValue("op")]
	if op == nil {
		graphError(w, http.StatusNotFound, "ItemNotFound", "The requested operation was not found.")
		return
	}
	out := map[string]any{"id": r.PathValue("op")}
	switch {
	case op.failed != "":
		out["status"], out["error"] = "failed", map[string]any{"message": op.failed}
	case op.polls > 0:
		op.polls--
		out["status"] = "inprogress"
	default:
		out["status"] = "completed"
		conn.schema = op.schema
		conn.body["state"] = "ready"
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Sim) getSchema(w http.ResponseWriter, r *http.Request) {
	conn, unlock, ok := s.permittedConnection(w, r, connectionPerms)
	if !ok {
		return
	}
	defer unlock()
	if conn.schema == nil {
		graphError(w, http.StatusNotFound, "ItemNotFound", "The connection has no schema yet.")
		return
	}
	writeJSON(w, http.StatusOK, conn.schema)
}

// Connection returns a connection's body and whether its schema is
// registered (tests).
func (s *Sim) Connection(id string) (body map[string]any, schemaReady bool) {
	s.conns.mu.Lock()
	defer s.conns.mu.Unlock()
	c := s.conns.m[strings.ToLower(id)]
	if c == nil {
		return nil, false
	}
	return c.body, c.schema != nil
}
