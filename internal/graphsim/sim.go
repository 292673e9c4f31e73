// Package graphsim is a local test double of the parts of Microsoft Entra ID
// and Microsoft Graph v1.0 that gongconnector uses: the client-credentials
// token endpoint and its OpenID discovery document, an App Service style
// managed identity endpoint, /users, /groups, transitive group members and
// JSON batching. It follows the documented request and response shapes
// (shared/reference/graph-connectors.md §1, §5, §7): bearer tokens, OData
// error bodies, $select, paging with @odata.nextLink, at most 20 requests per
// batch, 429 with Retry-After, 403 Authorization_RequestDenied.
//
// Serve it with httptest.NewTLSServer: MSAL only talks to https authorities.
package graphsim

import (
	"crypto/x509"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Application permissions the simulator knows about.
const (
	PermUserReadAll        = "User.Read.All"
	PermGroupMemberReadAll = "GroupMember.Read.All"
	PermGroupReadAll       = "Group.Read.All"
	PermDirectoryReadAll   = "Directory.Read.All"
)

// GraphResource is the resource whose "/.default" scope yields Graph tokens.
const GraphResource = "https://graph.microsoft.com"

// MaxBatch is the most requests Graph accepts in one JSON batch.
const MaxBatch = 20

// Options configure a simulator.
type Options struct {
	// ProvisionPolls is how many polls of a schema operation answer
	// inprogress before it completes [0].
	ProvisionPolls int
	// ItemLimits enforces Graph's per-connection ingestion limits on item
	// writes: 25 a second and 25 at once, answered 429 past them.
	ItemLimits bool
	// TenantID is the directory's tenant id, accepted in token paths
	// (case-insensitively) ["11111111-2222-3333-4444-555555555555"].
	TenantID string
	// Apps are the registered applications that may get tokens.
	Apps []App
	// Users and Groups are the directory.
	Users  []User
	Groups []Group
	// PageSize is the largest page of a collection, whatever $top asks [100].
	PageSize int
	// IdentityHeader is the secret a managed identity request must carry in
	// X-IDENTITY-HEADER; empty accepts any non-empty value.
	IdentityHeader string
	// Seed drives fault injection and the order of batch responses.
	Seed uint64
}

// App is an application registration with the application permissions an
// admin consented to.
type App struct {
	ClientID string
	// Secret is the client secret; empty means the app has none.
	Secret string
	// Certificate, when set, is the public certificate a client assertion
	// must be signed for (PS256 with an x5t#S256 header, or RS256 with x5t).
	Certificate *x509.Certificate
	// ManagedIdentity makes the app a managed identity: tokens come from the
	// /msi/token endpoint instead of the token endpoint.
	ManagedIdentity bool
	// Roles are the granted application permissions; nil means
	// User.Read.All and GroupMember.Read.All.
	Roles []string
}

// User is a directory user.
type User struct {
	ID                string
	UserPrincipalName string
	Mail              string
	OtherMails        []string
	// ProxyAddresses look like "SMTP:primary@contoso.com", "smtp:alias@contoso.com".
	ProxyAddresses []string
	EmployeeID     string
	DisplayName    string
	GivenName      string
	Surname        string
}

// Group is a directory group; Members are ids of users or of other groups.
type Group struct {
	ID          string
	DisplayName string
	Members     []string
}

// Faults are failures injected into Graph responses (never into the token
// endpoints). Shares are probabilities drawn from a generator seeded with
// Options.Seed.
type Faults struct {
	// RequestThrottle is the share of top-level Graph requests (a batch
	// counts once) answered 429 with Retry-After.
	RequestThrottle float64
	// SubThrottle is the share of batch sub-requests answered 429 with
	// Retry-After inside a 200 batch response.
	SubThrottle float64
	// RequestServerError and SubServerError answer 503 without Retry-After.
	RequestServerError, SubServerError float64
	// ThrottleFirst answers the next that many top-level Graph requests 429.
	ThrottleFirst int
	// SubThrottleFirst answers the next that many batch sub-requests 429.
	SubThrottleFirst int
	// RetryAfter is the wait suggested with each 429, sent in whole seconds
	// rounded up; zero omits the header.
	RetryAfter time.Duration
}

// Counts are the requests the simulator has served.
type Counts struct {
	// Tokens is the number of token requests (token and managed identity endpoints).
	Tokens int64
	// Graph is the number of top-level Graph requests; a batch counts once.
	Graph int64
	// Batches is the number of POST /$batch requests.
	Batches int64
	// SubRequests is the number of requests carried inside batches.
	SubRequests int64
	// Throttled is the number of 429 answers, top-level and inside batches.
	Throttled int64
	// ServerErrors is the number of injected 503 answers.
	ServerErrors int64
	// Items is the number of items stored (PUT) successfully.
	Items int64
	// Members is the number of group members added or removed.
	Members int64
}

// Sim is the simulator; it is an http.Handler safe for concurrent use.
type Sim struct {
	tenant         string
	pageSize       int
	identityHeader string

	users       []*userEntry
	userIndex   index
	usersByID   map[string]*userEntry // lower-case id and UPN
	groups      []*Group
	groupsByID  map[string]*Group
	topMux      *http.ServeMux
	graphMux    *http.ServeMux
	counts      counters
	mu          sync.Mutex
	apps        map[string]*App // by lower-case client id
	appOrder    []*App
	tokenKey    []byte
	faults      Faults
	rng         *rand.Rand
	throttleCnt int
	subThrottle int
	conns       connections
	itemLimits  bool
}

type counters struct {
	tokens, graph, batches, sub, throttled, serverErrors, items, members atomic.Int64
}

// issued is what an access token says.
type issued struct {
	ClientID string    `json:"appid"`
	Resource string    `json:"aud"`
	Expires  time.Time `json:"exp"`
	Nonce    string    `json:"nonce"`
}

type userEntry struct {
	User
	rec record
}

// New returns a simulator of one tenant.
func New(o Options) *Sim {
	if o.TenantID == "" {
		o.TenantID = "11111111-2222-3333-4444-555555555555"
	}
	if o.PageSize <= 0 {
		o.PageSize = 100
	}
	s := &Sim{
		tenant:         o.TenantID,
		pageSize:       o.PageSize,
		identityHeader: o.IdentityHeader,
		usersByID:      map[string]*userEntry{},
		userIndex:      index{},
		groupsByID:     map[string]*Group{},
		apps:           map[string]*App{},
		tokenKey:       tokenKey(o.TenantID),
		rng:            rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)),
	}
	for i := range o.Apps {
		a := o.Apps[i]
		if a.Roles == nil {
			a.Roles = []string{PermUserReadAll, PermGroupMemberReadAll}
		}
		s.apps[strings.ToLower(a.ClientID)] = &a
		s.appOrder = append(s.appOrder, &a)
	}
	for _, u := range o.Users {
		e := &userEntry{User: u, rec: userRecord(u)}
		s.userIndex.add(len(s.users), &e.rec)
		s.users = append(s.users, e)
		s.usersByID[strings.ToLower(u.ID)] = e
		if u.UserPrincipalName != "" {
			s.usersByID[strings.ToLower(u.UserPrincipalName)] = e
		}
	}
	for i := range o.Groups {
		g := o.Groups[i]
		s.groups = append(s.groups, &g)
		s.groupsByID[strings.ToLower(g.ID)] = &g
	}
	s.conns.provisionPolls, s.itemLimits = o.ProvisionPolls, o.ItemLimits
	s.routes()
	return s
}

func userRecord(u User) record {
	return record{
		single: map[string]string{
			"id": u.ID, "userprincipalname": u.UserPrincipalName, "mail": u.Mail,
			"employeeid": u.EmployeeID, "displayname": u.DisplayName,
		},
		multi: map[string][]string{"othermails": u.OtherMails, "proxyaddresses": u.ProxyAddresses},
	}
}

func (s *Sim) routes() {
	s.topMux = http.NewServeMux()
	s.topMux.HandleFunc("POST /{tenant}/oauth2/v2.0/token", s.token)
	s.topMux.HandleFunc("GET /{tenant}/v2.0/.well-known/openid-configuration", s.openIDConfig)
	s.topMux.HandleFunc("GET /msi/token", s.managedIdentityToken)

	s.graphMux = http.NewServeMux()
	s.graphMux.HandleFunc("GET /v1.0/users", s.listUsers)
	s.graphMux.HandleFunc("GET /v1.0/users/{id}", s.getUser)
	s.graphMux.HandleFunc("GET /v1.0/groups", s.listGroups)
	s.graphMux.HandleFunc("GET /v1.0/groups/{id}", s.getGroup)
	s.graphMux.HandleFunc("GET /v1.0/groups/{id}/transitiveMembers/microsoft.graph.user", s.transitiveUsers)
	s.graphMux.HandleFunc("POST /v1.0/$batch", s.batch)
	s.connectionRoutes()
	s.graphMux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Resource not found for the segment '%s'.", lastSegment(r.URL.Path)))
	})
}

// ServeHTTP serves the token endpoints and Graph v1.0.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/v1.0/") {
		s.graphTop(w, r)
		return
	}
	s.topMux.ServeHTTP(w, r)
}

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
	s.throttleCnt = f.ThrottleFirst
	s.subThrottle = f.SubThrottleFirst
}

// SetRoles replaces the application permissions granted to an app; it takes
// effect on the next Graph request, even with a token issued before.
func (s *Sim) SetRoles(clientID string, roles ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.apps[strings.ToLower(clientID)]; ok {
		a.Roles = append([]string{}, roles...)
	}
}

// Counts returns the requests served so far.
func (s *Sim) Counts() Counts {
	return Counts{
		Tokens:       s.counts.tokens.Load(),
		Graph:        s.counts.graph.Load(),
		Batches:      s.counts.batches.Load(),
		SubRequests:  s.counts.sub.Load(),
		Throttled:    s.counts.throttled.Load(),
		ServerErrors: s.counts.serverErrors.Load(),
		Items:        s.counts.items.Load(),
		Members:      s.counts.members.Load(),
	}
}

// ResetCounts sets every counter back to zero.
func (s *Sim) ResetCounts() {
	for _, c := range []*atomic.Int64{&s.counts.tokens, &s.counts.graph, &s.counts.batches, &s.counts.sub, &s.counts.throttled, &s.counts.serverErrors, &s.counts.items, &s.counts.members} {
		c.Store(0)
	}
}

// graphTop serves a top-level Graph request: authentication, injected
// faults, then the route.
func (s *Sim) graphTop(w http.ResponseWriter, r *http.Request) {
	s.counts.graph.Add(1)
	if !s.authorize(w, r) {
		return
	}
	switch s.drawTop() {
	case http.StatusTooManyRequests:
		s.counts.throttled.Add(1)
		s.throttle(w.Header())
		graphError(w, http.StatusTooManyRequests, "TooManyRequests", "Too many requests. Please retry after the time in the Retry-After header.")
		return
	case http.StatusServiceUnavailable:
		s.counts.serverErrors.Add(1)
		graphError(w, http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.")
		return
	}
	s.graphMux.ServeHTTP(w, r)
}

// drawTop decides whether a top-level request gets an injected fault.
func (s *Sim) drawTop() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.throttleCnt > 0 {
		s.throttleCnt--
		return http.StatusTooManyRequests
	}
	return s.draw(s.faults.RequestThrottle, s.faults.RequestServerError)
}

// drawSub decides whether a batch sub-request gets an injected fault.
func (s *Sim) drawSub() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.subThrottle > 0 {
		s.subThrottle--
		return http.StatusTooManyRequests
	}
	return s.draw(s.faults.SubThrottle, s.faults.SubServerError)
}

// draw must be called with mu held.
func (s *Sim) draw(throttle, serverError float64) int {
	if throttle <= 0 && serverError <= 0 {
		return 0
	}
	x := s.rng.Float64()
	switch {
	case x < throttle:
		return http.StatusTooManyRequests
	case x < throttle+serverError:
		return http.StatusServiceUnavailable
	}
	return 0
}

// throttle sets Retry-After on h as the current faults say.
func (s *Sim) throttle(h http.Header) {
	s.mu.Lock()
	ra := s.faults.RetryAfter
	s.mu.Unlock()
	if ra > 0 {
		h.Set("Retry-After", fmt.Sprint(int(math.Ceil(ra.Seconds()))))
	}
}

// authorize checks the bearer token of a Graph request and answers 401 when
// it is missing or not valid for Graph.
func (s *Sim) authorize(w http.ResponseWriter, r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || tok == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"`)
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token is empty.")
		return false
	}
	t, known := s.readToken(tok)
	switch {
	case !known:
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "IDX14100: JWT is not well formed, there are no dots (.).")
		return false
	case time.Now().After(t.Expires):
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.")
		return false
	case t.Resource != GraphResource:
		graphError(w, http.StatusUnauthorized, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience.")
		return false
	}
	return true
}

// granted reports whether the app behind the request's token holds one of perms.
func (s *Sim) granted(r *http.Request, perms ...string) bool {
	t, ok := s.readToken(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[strings.ToLower(t.ClientID)]
	if !ok {
		return false
	}
	for _, have := range a.Roles {
		for _, want := range perms {
			if strings.EqualFold(have, want) {
				return true
			}
		}
	}
	return false
}

func (s *Sim) requirePerm(w http.ResponseWriter, r *http.Request, perms ...string) bool {
	if s.granted(r, perms...) {
		return true
	}
	graphError(w, http.StatusForbidden, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.")
	return false
}

// graphError writes an OData error body as Graph does.
func graphError(w http.ResponseWriter, status int, code, msg string) {
	now := time.Now().UTC().Format("2006-01-02T15:04:05")
	writeJSON(w, status, map[string]any{
		"error": map[string]any{
			"code":    code,
			"message": msg,
			"innerError": map[string]any{
				"date":       now,
				"request-id": newID(),
			},
		},
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func lastSegment(p string) string {
	p = strings.TrimRight(p, "/")
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

// newID returns a random GUID-shaped string.
func newID() string {
	var b [16]byte
	for i := range b {
		b[i] = byte(rand.Uint32())
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
