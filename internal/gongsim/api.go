package gongsim

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"gongconnector/internal/gong"
)

var reqSeq atomic.Uint64

// Handler returns the API and the /_sim/ admin endpoints.
func (s *Sim) Handler() http.Handler {
	mux := http.NewServeMux()
	s.route(mux, "GET /v2/calls", s.handleCalls)
	s.route(mux, "GET /v2/calls/{id}", s.handleCall)
	s.route(mux, "POST /v2/calls/extensive", s.handleExtensive)
	s.route(mux, "POST /v2/calls/transcript", s.handleTranscript)
	s.route(mux, "GET /v2/users", s.handleUsers)
	s.route(mux, "GET /v2/users/{id}", s.handleUser)
	s.route(mux, "POST /v2/users/extensive", s.handleUsersExtensive)
	s.route(mux, "GET /v2/workspaces", s.handleWorkspaces)
	s.route(mux, "GET /v2/all-permission-profiles", s.handleProfiles)
	s.route(mux, "GET /v2/permission-profile", s.handleProfile)
	s.route(mux, "GET /v2/permission-profile/users", s.handleProfileUsers)
	s.route(mux, "GET /v2/settings/trackers", s.handleTrackers)
	s.route(mux, "/v2/", func(w http.ResponseWriter, r *http.Request, _ string) {
		s.writeError(w, &apiError{status: 404, msgs: []string{"No endpoint " + r.Method + " " + r.URL.Path}})
	})
	mux.HandleFunc("POST /_sim/advance", s.handleAdvance)
	mux.HandleFunc("GET /_sim/now", func(w http.ResponseWriter, r *http.Request) {
		writeAdmin(w, map[string]string{"now": s.Now().Format(time.RFC3339)})
	})
	mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) { writeAdmin(w, s.Stats()) })
	mux.HandleFunc("GET /_sim/examples", func(w http.ResponseWriter, r *http.Request) { writeAdmin(w, ExampleCalls(s)) })
	return mux
}

func writeAdmin(w http.ResponseWriter, v any) {
	b, _ := json.MarshalIndent(v, "", "  ")
	w.Header().Set("Content-Type", "application/json")
	w.Write(append(b, '\n'))
}

func (s *Sim) handleAdvance(w http.ResponseWriter, r *http.Request) {
	by := r.URL.Query().Get("by")
	d, err := parseAdvance(by)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	s.Advance(d)
	writeAdmin(w, map[string]string{"now": s.Now().Format(time.RFC3339)})
}

// parseAdvance parses a Go duration, also accepting whole days like "2d".
func parseAdvance(v string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.Atoi(days)
		if err == nil && n >= 0 {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("advance: by=%q: want a positive duration such as 90m, 6h or 2d", v)
	}
	return d, nil
}

type apiHandler func(w http.ResponseWriter, r *http.Request, reqID string)

// route registers an API endpoint behind auth, limits and faults.
func (s *Sim) route(mux *http.ServeMux, pattern string, h apiHandler) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		s.count(func(st *Stats) { st.Total++; st.Endpoints[pattern]++ })
		reqID := requestID(hash3(s.seed, 0xfeed, reqSeq.Add(1)))
		if !s.authorized(r) {
			s.count(func(st *Stats) { st.Unauthorized++ })
			s.writeError(w, &apiError{status: 401, msgs: []string{"Unauthorized: the access key or secret is wrong or missing"}}, reqID)
			return
		}
		d := s.admit()
		if d.retryAfter > 0 {
			if d.fault == "" {
				s.count(func(st *Stats) { st.TooManyRequests++ })
			}
			w.Header().Set("Retry-After", strconv.Itoa(d.retryAfter))
			s.writeError(w, &apiError{status: 429, msgs: []string{"Too many requests: " + d.why}}, reqID)
			return
		}
		switch d.fault {
		case "5xx":
			codes := []int{500, 502, 503}
			st := codes[int(hash3(s.seed, 0x5, reqSeq.Load())%3)]
			s.writeError(w, &apiError{status: st, msgs: []string{http.StatusText(st)}}, reqID)
			return
		case "reset":
			resetConn(w)
			return
		case "slow":
			t := time.NewTimer(d.delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			}
		case "truncate":
			w = &truncWriter{ResponseWriter: w}
		}
		h(w, r, reqID)
	})
}

func (s *Sim) authorized(r *http.Request) bool {
	if s.opts.AccessKey == "" || s.opts.AccessKeySecret == "" {
		return true
	}
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte(s.opts.AccessKey+":"+s.opts.AccessKeySecret))
	return subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), []byte(want)) == 1
}

// decision is what admit decided for one request.
type decision struct {
	retryAfter int    // > 0: answer 429
	why        string // for the 429 message
	fault      string
	delay      time.Duration
}

// admit applies bursts, the daily limit and the rate limit, then draws a
// fault. A refused request consumes no budget.
func (s *Sim) admit() decision {
	now := s.Now()
	s.limMu.Lock()
	defer s.limMu.Unlock()
	f := s.faults
	if f.BurstEvery > 0 {
		pos := s.burstCount % (f.BurstEvery + f.BurstLen)
		s.burstCount++
		if pos >= f.BurstEvery {
			s.countFault("burst")
			return decision{retryAfter: 1, why: "burst", fault: "burst"}
		}
	}
	if s.opts.DailyLimit > 0 {
		day := now.Unix() / dayS
		if day != s.dayNum {
			s.dayNum, s.dayCount = day, 0
		}
		if s.dayCount >= s.opts.DailyLimit {
			left := (day+1)*dayS - now.Unix()
			return decision{retryAfter: int(max(left, 1)), why: "daily limit of " + strconv.Itoa(s.opts.DailyLimit) + " requests reached"}
		}
	}
	if s.opts.Rate > 0 {
		wall := time.Now()
		burst := math.Ceil(s.opts.Rate)
		s.tokens = min(burst, s.tokens+wall.Sub(s.tokensAt).Seconds()*s.opts.Rate)
		s.tokensAt = wall
		if s.tokens < 1 {
			wait := math.Ceil((1 - s.tokens) / s.opts.Rate)
			return decision{retryAfter: int(max(wait, 1)), why: "rate limit of " + strconv.FormatFloat(s.opts.Rate, 'g', -1, 64) + " requests per second exceeded"}
		}
		s.tokens--
	}
	s.dayCount++
	u := s.faultRnd.float()
	var kind string
	switch {
	case u < f.Rate5xx:
		kind = "5xx"
	case u < f.Rate5xx+f.RateReset:
		kind = "reset"
	case u < f.Rate5xx+f.RateReset+f.RateSlow:
		kind = "slow"
	case u < f.Rate5xx+f.RateReset+f.RateSlow+f.RateTruncate:
		kind = "truncate"
	default:
		return decision{}
	}
	s.countFault(kind)
	delay := f.SlowDelay
	if delay == 0 {
		delay = 2 * time.Second
	}
	return decision{fault: kind, delay: delay}
}

// resetConn closes the connection without answering; with SO_LINGER 0 the
// client sees a reset.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// truncWriter marks a response to be cut off half way.
type truncWriter struct{ http.ResponseWriter }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func (s *Sim) writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	b := []byte(`{"errors":["internal error"]}`)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		status = 500
	} else {
		b = buf.Bytes()
	}
	h := w.Header()
	h.Set("Content-Type", "application/json;charset=UTF-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	if tw, ok := w.(*truncWriter); ok {
		tw.WriteHeader(status)
		tw.Write(b[:len(b)/2])
		rc := http.NewResponseController(tw.ResponseWriter)
		rc.Flush()
		conn, _, err := rc.Hijack()
		if err != nil {
			panic(http.ErrAbortHandler)
		}
		conn.Close()
		return
	}
	w.WriteHeader(status)
	w.Write(b)
}

func (s *Sim) writeError(w http.ResponseWriter, e *apiError, reqID ...string) {
	er := gong.ErrorResponse{Errors: e.msgs}
	if len(reqID) > 0 {
		er.RequestID = reqID[0]
	}
	s.writeJSON(w, e.status, er)
}

// decodeBody reads a POST body; Gong answers 400 to anything but JSON.
func decodeBody(r *http.Request, v any) *apiError {
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return badRequest("Json parse error: " + err.Error())
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return badRequest("Json parse error: " + err.Error())
	}
	if dec.More() {
		return badRequest("Json parse error: trailing data after the JSON body")
	}
	return nil
}

type callsFilterReq struct {
	FromDateTime   *string    `json:"fromDateTime"`
	ToDateTime     *string    `json:"toDateTime"`
	WorkspaceID    *string    `json:"workspaceId"`
	CallIDs        *[]gong.ID `json:"callIds"`
	PrimaryUserIDs *[]gong.ID `json:"primaryUserIds"`
}

type contentReq struct {
	Structure          bool `json:"structure"`
	Topics             bool `json:"topics"`
	Trackers           bool `json:"trackers"`
	TrackerOccurrences bool `json:"trackerOccurrences"`
	PointsOfInterest   bool `json:"pointsOfInterest"`
	Brief              bool `json:"brief"`
	Outline            bool `json:"outline"`
	Highlights         bool `json:"highlights"`
	CallOutcome        bool `json:"callOutcome"`
	KeyPoints          bool `json:"keyPoints"`
}

type extensiveReq struct {
	Cursor          string          `json:"cursor"`
	Filter          *callsFilterReq `json:"filter"`
	ContentSelector *struct {
		Context       string   `json:"context"`
		ContextTiming []string `json:"contextTiming"`
		ExposedFields *struct {
			Parties     bool        `json:"parties"`
			Content     *contentReq `json:"content"`
			Interaction *struct {
				Speakers bool `json:"speakers"`
			} `json:"interaction"`
		} `json:"exposedFields"`
	} `json:"contentSelector"`
}

func (s *Sim) handleCalls(w http.ResponseWriter, r *http.Request, reqID string) {
	now := s.sync().Unix()
	v := r.URL.Query()
	from, to, ws := v.Get("fromDateTime"), v.Get("toDateTime"), v.Get("workspaceId")
	s.mu.RLock()
	q, e := s.newCallQuery("", &from, &to, &ws, nil, nil)
	var resp gong.CallsResponse
	if e == nil {
		var refs []int32
		refs, resp.Records, e = s.callPage("calls", q, v.Get("cursor"), now)
		var g gen
		for _, ref := range refs {
			s.makePlan(&g, ref)
			resp.Calls = append(resp.Calls, s.meta(&g, ref))
		}
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	resp.RequestID = reqID
	s.writeJSON(w, 200, resp)
}

func (s *Sim) handleCall(w http.ResponseWriter, r *http.Request, reqID string) {
	now := s.sync().Unix()
	s.mu.RLock()
	ref, ok := s.refOf(r.PathValue("id"))
	ok = ok && s.listed(ref, now)
	var resp gong.CallResponse
	if ok {
		var g gen
		s.makePlan(&g, ref)
		resp.Call = s.meta(&g, ref)
	}
	s.mu.RUnlock()
	if !ok {
		s.writeError(w, &apiError{status: 404, msgs: []string{"Call ID was not found"}}, reqID)
		return
	}
	resp.RequestID = reqID
	s.writeJSON(w, 200, resp)
}

func parseSelector(req *extensiveReq) (selector, *apiError) {
	sel := selector{context: "None", timings: []string{"Now"}}
	cs := req.ContentSelector
	if cs == nil {
		return sel, nil
	}
	switch cs.Context {
	case "", "None":
	case "Basic", "Extended":
		sel.context = cs.Context
	default:
		return sel, badRequest("contentSelector.context: must be one of None, Basic, Extended")
	}
	if len(cs.ContextTiming) > 0 {
		sel.timings = nil
		for _, t := range cs.ContextTiming {
			if t != "Now" && t != "TimeOfCall" {
				return sel, badRequest("contentSelector.contextTiming: must be Now or TimeOfCall")
			}
			if !contains(sel.timings, t) {
				sel.timings = append(sel.timings, t)
			}
		}
	}
	if ef := cs.ExposedFields; ef != nil {
		sel.parties = ef.Parties
		if c := ef.Content; c != nil {
			sel.structure, sel.topics, sel.trackers, sel.occurrences = c.Structure, c.Topics, c.Trackers, c.Trackers && c.TrackerOccurrences
			sel.poi, sel.brief, sel.outline, sel.highlights = c.PointsOfInterest, c.Brief, c.Outline, c.Highlights
			sel.outcome, sel.keyPoints = c.CallOutcome, c.KeyPoints
		}
		if ef.Interaction != nil {
			sel.speakers = ef.Interaction.Speakers
		}
	}
	return sel, nil
}

func contains(xs []string, x string) bool {
	for _, v := range xs {
		if v == x {
			return true
		}
	}
	return false
}

const msgNoFilter = "Json parse error: filter: must not be null; send \"filter\": {} for no filter"

func (s *Sim) handleExtensive(w http.ResponseWriter, r *http.Request, reqID string) {
	now := s.sync().Unix()
	var req extensiveReq
	if e := decodeBody(r, &req); e != nil {
		s.writeError(w, e, reqID)
		return
	}
	if req.Filter == nil {
		s.writeError(w, badRequest(msgNoFilter), reqID)
		return
	}
	sel, e := parseSelector(&req)
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	f := req.Filter
	var resp gong.ExtensiveResponse
	s.mu.RLock()
	q, e := s.newCallQuery("filter.", f.FromDateTime, f.ToDateTime, f.WorkspaceID, f.CallIDs, f.PrimaryUserIDs)
	if e == nil {
		var refs []int32
		refs, resp.Records, e = s.callPage("extensive", q, req.Cursor, now)
		resp.Calls = make([]gong.ExtensiveCall, len(refs))
		var g gen
		for i, ref := range refs {
			resp.Calls[i] = s.extensive(&g, ref, now, &sel)
		}
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	resp.RequestID = reqID
	s.writeJSON(w, 200, resp)
}

func (s *Sim) handleTranscript(w http.ResponseWriter, r *http.Request, reqID string) {
	now := s.sync().Unix()
	var req struct {
		Cursor string          `json:"cursor"`
		Filter *callsFilterReq `json:"filter"`
	}
	if e := decodeBody(r, &req); e != nil {
		s.writeError(w, e, reqID)
		return
	}
	if req.Filter == nil {
		s.writeError(w, badRequest(msgNoFilter), reqID)
		return
	}
	f := req.Filter
	var resp gong.TranscriptResponse
	s.mu.RLock()
	q, e := s.newCallQuery("filter.", f.FromDateTime, f.ToDateTime, f.WorkspaceID, f.CallIDs, nil)
	if e == nil {
		var refs []int32
		refs, resp.Records, e = s.callPage("transcript", q, req.Cursor, now)
		var g gen
		for _, ref := range refs {
			resp.CallTranscripts = append(resp.CallTranscripts, gong.CallTranscript{CallID: gong.ID(s.callID(ref)), Transcript: s.transcript(&g, ref)})
		}
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	resp.RequestID = reqID
	s.writeJSON(w, 200, resp)
}

func (s *Sim) handleUsers(w http.ResponseWriter, r *http.Request, reqID string) {
	s.serveUsers(w, "users", &userQuery{from: math.MinInt64, to: math.MaxInt64}, r.URL.Query().Get("cursor"), reqID)
}

func (s *Sim) handleUsersExtensive(w http.ResponseWriter, r *http.Request, reqID string) {
	var req struct {
		Cursor string `json:"cursor"`
		Filter *struct {
			CreatedFromDateTime string     `json:"createdFromDateTime"`
			CreatedToDateTime   string     `json:"createdToDateTime"`
			UserIDs             *[]gong.ID `json:"userIds"`
		} `json:"filter"`
	}
	if e := decodeBody(r, &req); e != nil {
		s.writeError(w, e, reqID)
		return
	}
	if req.Filter == nil {
		s.writeError(w, badRequest(msgNoFilter), reqID)
		return
	}
	f := req.Filter
	q := &userQuery{from: math.MinInt64, to: math.MaxInt64}
	var ft, tt time.Time
	if f.CreatedFromDateTime != "" {
		t, e := parseTime("filter.createdFromDateTime", f.CreatedFromDateTime)
		if e != nil {
			s.writeError(w, e, reqID)
			return
		}
		ft, q.from = t, ceilSec(t)
	}
	if f.CreatedToDateTime != "" {
		t, e := parseTime("filter.createdToDateTime", f.CreatedToDateTime)
		if e != nil {
			s.writeError(w, e, reqID)
			return
		}
		tt, q.to = t, ceilSec(t)
	}
	if !ft.IsZero() && !tt.IsZero() && !ft.Before(tt) {
		s.writeError(w, badRequest("filter.createdFromDateTime: must be before createdToDateTime"), reqID)
		return
	}
	q.key = strconv.FormatInt(q.from, 10) + "|" + strconv.FormatInt(q.to, 10) + "|"
	if f.UserIDs != nil {
		if len(*f.UserIDs) == 0 {
			s.writeError(w, badRequest("filter.userIds: must not be empty"), reqID)
			return
		}
		q.ids = map[int]bool{}
		var ids []string
		s.mu.RLock()
		for _, id := range *f.UserIDs {
			if u, ok := s.userByID[string(id)]; ok {
				q.ids[u] = true
			}
			ids = append(ids, string(id))
		}
		s.mu.RUnlock()
		q.key += strings.Join(ids, ",")
	}
	s.serveUsers(w, "users-extensive", q, req.Cursor, reqID)
}

func (s *Sim) serveUsers(w http.ResponseWriter, kind string, q *userQuery, cursor, reqID string) {
	now := s.sync().Unix()
	s.mu.RLock()
	idx, rec, e := s.userPage(kind, q, cursor, now)
	resp := gong.UsersResponse{RequestID: reqID, Records: rec}
	for _, u := range idx {
		resp.Users = append(resp.Users, s.userJSON(u))
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	s.writeJSON(w, 200, resp)
}

func (s *Sim) handleUser(w http.ResponseWriter, r *http.Request, reqID string) {
	s.sync()
	s.mu.RLock()
	u, ok := s.userByID[r.PathValue("id")]
	var resp struct {
		RequestID string    `json:"requestId"`
		User      gong.User `json:"user"`
	}
	if ok {
		resp.User = s.userJSON(u)
	}
	s.mu.RUnlock()
	if !ok {
		s.writeError(w, &apiError{status: 404, msgs: []string{"User not found"}}, reqID)
		return
	}
	resp.RequestID = reqID
	s.writeJSON(w, 200, resp)
}

func (s *Sim) handleWorkspaces(w http.ResponseWriter, r *http.Request, reqID string) {
	s.writeJSON(w, 200, gong.WorkspacesResponse{RequestID: reqID, Workspaces: s.Workspaces()})
}

// workspaceParam resolves a required workspaceId query parameter.
func (s *Sim) workspaceParam(r *http.Request) (int, *apiError) {
	id := r.URL.Query().Get("workspaceId")
	if id == "" {
		return 0, badRequest("workspaceId: must not be empty")
	}
	w, ok := s.wsByID[id]
	if !ok {
		return 0, &apiError{status: 404, msgs: []string{"Workspace not found"}}
	}
	return w, nil
}

func (s *Sim) handleProfiles(w http.ResponseWriter, r *http.Request, reqID string) {
	s.sync()
	s.mu.RLock()
	ws, e := s.workspaceParam(r)
	var resp struct {
		RequestID string        `json:"requestId"`
		Profiles  []profileJSON `json:"profiles"`
	}
	if e == nil {
		for _, p := range s.profilesOf(ws) {
			resp.Profiles = append(resp.Profiles, s.profileJSON(p))
		}
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	resp.RequestID = reqID
	s.writeJSON(w, 200, resp)
}

func (s *Sim) profileParam(r *http.Request) (int, *apiError) {
	id := r.URL.Query().Get("profileId")
	if id == "" {
		return 0, badRequest("profileId: must not be empty")
	}
	p, ok := s.profileByID[id]
	if !ok {
		return 0, &apiError{status: 404, msgs: []string{"Permission profile not found"}}
	}
	return p, nil
}

func (s *Sim) handleProfile(w http.ResponseWriter, r *http.Request, reqID string) {
	s.sync()
	s.mu.RLock()
	p, e := s.profileParam(r)
	var resp struct {
		RequestID string      `json:"requestId"`
		Profile   profileJSON `json:"profile"`
	}
	if e == nil {
		resp.Profile = s.profileJSON(p)
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	resp.RequestID = reqID
	s.writeJSON(w, 200, resp)
}

func (s *Sim) handleProfileUsers(w http.ResponseWriter, r *http.Request, reqID string) {
	s.sync()
	s.mu.RLock()
	p, e := s.profileParam(r)
	resp := gong.ProfileUsersResponse{RequestID: reqID, Users: []gong.ProfileUser{}}
	if e == nil {
		ws := s.profiles[p].ws
		for u, m := range s.member[ws] {
			if int(m) == p {
				us := &s.users[u]
				resp.Users = append(resp.Users, gong.ProfileUser{ID: gong.ID(us.id), FullName: us.name(), EmailAddress: us.email})
			}
		}
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	s.writeJSON(w, 200, resp)
}

func (s *Sim) handleTrackers(w http.ResponseWriter, r *http.Request, reqID string) {
	s.mu.RLock()
	resp := gong.TrackersResponse{RequestID: reqID, KeywordTrackers: []gong.KeywordTracker{}}
	var e *apiError
	only := -1
	if r.URL.Query().Get("workspaceId") != "" {
		only, e = s.workspaceParam(r)
	}
	if e == nil {
		for w := range s.workspaces {
			if only >= 0 && w != only {
				continue
			}
			for i := range s.trackers[w] {
				resp.KeywordTrackers = append(resp.KeywordTrackers, s.trackerJSON(w, &s.trackers[w][i]))
			}
		}
	}
	s.mu.RUnlock()
	if e != nil {
		s.writeError(w, e, reqID)
		return
	}
	s.writeJSON(w, 200, resp)
}
