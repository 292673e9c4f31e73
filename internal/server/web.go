package server

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
	"gongconnector/internal/crawl"
)

// The web UI: server-rendered pages (html/template), assets embedded, no
// build step. Browsers sign in with a session cookie (see session.go);
// every form carries the session's CSRF token.

//go:embed web/templates/*.html
var templateFS embed.FS

//go:embed web/static
var staticFS embed.FS

// DemoUser is a simulated person the demo's sign-in picker offers.
type DemoUser struct {
	Identity string
	Name     string
	Calls    int
	Admin    bool
}

var pageFuncs = template.FuncMap{
	"fmt": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("Jan 2, 2006 15:04 UTC")
	},
}

// pages parses each page with the layout.
func parsePages() map[string]*template.Template {
	out := map[string]*template.Template{}
	for _, name := range []string{"signin", "search", "ask", "call", "admin", "setup", "identities", "message"} {
		out[name] = template.Must(template.New("layout").Funcs(pageFuncs).ParseFS(templateFS, "web/templates/layout.html", "web/templates/"+name+".html"))
	}
	return out
}

var pages = parsePages()

// me is the signed-in browser user, for the layout.
type me struct {
	Identity string
	Admin    bool
}

// pageData is what every page gets.
type pageData struct {
	Product string
	Title   string
	Demo    bool
	Me      me
	CSRF    string
	Data    any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) {
	pd := pageData{Product: "Gong calls", Title: title, Demo: s.opts.Demo, Data: data}
	if ses, ok := s.sessions.current(r); ok {
		pd.Me, pd.CSRF = me{Identity: ses.Identity, Admin: ses.Role == roleAdminName}, ses.CSRF
	} else {
		pd.CSRF = s.sessions.preSession(w, r).CSRF
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	if err := pages[name].ExecuteTemplate(w, "layout", pd); err != nil {
		s.log.Error("render page", slog.String("page", name), slog.String("error", err.Error()))
	}
}

// message renders a page that says one thing.
func (s *Server) message(w http.ResponseWriter, r *http.Request, status int, heading, text string) {
	s.render(w, r, status, "message", heading, struct {
		Heading, Text, Back string
		IsError             bool
	}{heading, text, "/", status >= 400})
}

const roleAdminName = "admin"

// browser wraps a page that needs a signed-in browser: without a session
// it sends the browser to sign in; admin pages answer 403 to users.
func (s *Server) browser(h func(w http.ResponseWriter, r *http.Request, ses session), admin bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ses, ok := s.sessions.current(r)
		if !ok {
			if r.Method != http.MethodGet {
				s.message(w, r, http.StatusUnauthorized, "Sign in", "Your session has ended: sign in again.")
				return
			}
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if admin && ses.Role != roleAdminName {
			s.log.Info("admin page refused", slog.String("route", r.Pattern), slog.String("caller", ses.Identity))
			s.message(w, r, http.StatusForbidden, "Not allowed", "This page is for admins; "+ses.Identity+" signed in as a user.")
			return
		}
		if r.Method == http.MethodPost && !validCSRF(r, ses.CSRF) {
			s.message(w, r, http.StatusForbidden, "Not allowed", "The form is out of date or did not come from this site: reload the page and try again.")
			return
		}
		h(w, r, ses)
	}
}

func (s *Server) webRoutes() []route {
	return []route{
		{"GET /static/", roleNone, http.StripPrefix("/static/", http.FileServerFS(mustSub(staticFS, "web/static"))).ServeHTTP},
		{"GET /signin", roleNone, s.signinPage},
		{"POST /signin/demo", roleNone, s.signinDemo},
		{"GET /signin/oidc", roleNone, s.signinOIDC},
		{"GET /signin/callback", roleNone, s.signinCallback},
		{"POST /signout", roleNone, s.signout},
		{"GET /{$}", roleNone, s.browser(s.searchPage, false)},
		{"GET /ask", roleNone, s.browser(s.askPage, false)},
		{"GET /calls/{id}", roleNone, s.browser(s.callPage, false)},
		{"GET /admin", roleNone, s.browser(s.adminPage, true)},
		{"POST /admin/crawls", roleNone, s.browser(s.adminCrawl, true)},
		{"GET /admin/access", roleNone, s.browser(s.accessPage, true)},
		{"GET /admin/setup", roleNone, s.browser(s.setupPage, true)},
		{"GET /admin/identities", roleNone, s.browser(s.identitiesPage, true)},
		{"POST /admin/setup", roleNone, s.browser(s.saveSetup, true)},
	}
}

func mustSub(f fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return sub
}

// safeNext keeps a post-sign-in destination on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	data := struct {
		Users []DemoUser
		OIDC  bool
		Next  string
		Error string
	}{Next: safeNext(r.URL.Query().Get("next")), OIDC: s.browserOIDC()}
	if s.opts.Demo && s.opts.DemoUsers != nil {
		users, err := s.opts.DemoUsers(r.Context())
		if err != nil {
			data.Error = core.ErrorMessage(err)
		}
		data.Users = users
	}
	s.render(w, r, http.StatusOK, "signin", "Sign in", data)
}

// signinDemo signs a browser in as a simulated person; demo mode only.
func (s *Server) signinDemo(w http.ResponseWriter, r *http.Request) {
	if !s.opts.Demo || s.opts.DemoUsers == nil {
		s.message(w, r, http.StatusNotFound, "Not found", "There is no such page.")
		return
	}
	if !validCSRF(r, s.sessions.preSession(w, r).CSRF) {
		s.message(w, r, http.StatusForbidden, "Not allowed", "The form is out of date or did not come from this site: reload the page and try again.")
		return
	}
	users, err := s.opts.DemoUsers(r.Context())
	if err != nil {
		s.message(w, r, http.StatusServiceUnavailable, "Sign-in unavailable", core.ErrorMessage(err))
		return
	}
	id := r.PostFormValue("identity")
	for _, u := range users {
		if u.Identity == id {
			role := "user"
			if u.Admin {
				role = roleAdminName
			}
			if err := s.sessions.start(w, u.Identity, role, "demo"); err != nil {
				s.error(w, r, err)
				return
			}
			s.log.Info("signed in", slog.String("caller", u.Identity), slog.String("via", "demo picker"))
			http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
			return
		}
	}
	s.message(w, r, http.StatusBadRequest, "Unknown person", "Pick one of the people listed.")
}

func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if ses, ok := s.sessions.current(r); ok && !validCSRF(r, ses.CSRF) {
		s.message(w, r, http.StatusForbidden, "Not allowed", "The form is out of date: reload the page and try again.")
		return
	}
	s.sessions.clear(w, sessionCookie)
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
}

type facetLink struct {
	Value, Link string
	Count       int
}

type facetGroup struct {
	Name   string
	Values []facetLink
}

type pageHit struct {
	SearchHit
	Parts []core.SnippetPart
}

func (s *Server) searchPage(w http.ResponseWriter, r *http.Request, ses session) {
	type result struct {
		Total      int
		Estimated  bool
		Start      int
		Hits       []pageHit
		Prev, Next string
		Facets     []facetGroup
	}
	data := struct {
		Query  string
		Error  string
		Result *result
	}{}
	q, err := searchQuery(r)
	data.Query = q.Text
	switch {
	case err != nil:
		data.Error = core.ErrorMessage(err)
	case q.Text != "":
		q.Visibility, q.Facets = s.sessionVisibility(ses), true
		res, err := s.opts.Store.Search(r.Context(), q)
		if err != nil {
			data.Error = core.ErrorMessage(err)
			break
		}
		sr := NewSearchResponse(res)
		out := &result{Total: sr.Total, Estimated: sr.Estimated, Start: q.Offset + 1}
		for i, h := range sr.Results {
			out.Hits = append(out.Hits, pageHit{SearchHit: h, Parts: core.SnippetParts(res.Hits[i].Snippet)})
		}
		page := func(off int) string {
			v := url.Values{"q": {q.Text}, "offset": {strconv.Itoa(off)}}
			return "/?" + v.Encode()
		}
		if q.Offset > 0 {
			out.Prev = page(max(q.Offset-q.Limit, 0))
		}
		if q.Offset+len(res.Hits) < res.Total && q.Offset+q.Limit <= 10000 {
			out.Next = page(q.Offset + q.Limit)
		}
		if f := res.Facets; f != nil {
			for _, g := range []struct {
				name, field string
				values      []core.FacetValue
			}{{"Accounts", "account", f.Accounts}, {"Deals", "deal", f.Deals}, {"Topics", "topic", f.Topics}, {"Trackers", "tracker", f.Trackers}, {"Months", "", f.Months}} {
				fg := facetGroup{Name: g.name}
				for _, v := range g.values {
					filter := g.field + `:"` + v.Value + `"`
					if g.field == "" { // a month, YYYY-MM
						if start, err := time.Parse("2006-01", v.Value); err == nil {
							filter = "from:" + start.Format(time.DateOnly) + " to:" + start.AddDate(0, 1, 0).Format(time.DateOnly)
						}
					}
					fg.Values = append(fg.Values, facetLink{Value: v.Value, Count: v.Count, Link: "/?" + url.Values{"q": {q.Text + " " + filter}}.Encode()})
				}
				if len(fg.Values) > 0 {
					out.Facets = append(out.Facets, fg)
				}
			}
		}
		data.Result = out
	}
	s.render(w, r, http.StatusOK, "search", data.Query, data)
}

// sessionVisibility is what a browser's user may see.
func (s *Server) sessionVisibility(ses session) core.Visibility {
	if s.opts.Visibility == nil {
		return core.Visibility{}
	}
	v, _ := s.opts.Visibility(ses.Identity)
	return v
}

// at writes seconds into a call as m:ss or h:mm:ss.
func at(sec float64) string {
	d := time.Duration(math.Round(sec)) * time.Second
	if d >= time.Hour {
		return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	}
	return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
}

func (s *Server) askPage(w http.ResponseWriter, r *http.Request, ses session) {
	type citation struct {
		Text, Title, Link, GongURL, At string
	}
	type callRef struct{ ID, Title, Started string }
	type shown struct {
		Answer    string
		Citations []citation
		Calls     []callRef
	}
	data := struct {
		Question string
		Error    string
		Answer   *shown
	}{Question: strings.TrimSpace(r.URL.Query().Get("q"))}
	switch {
	case data.Question == "":
	case len([]rune(data.Question)) > maxQueryRunes:
		data.Error = fmt.Sprintf("The question is longer than %d characters.", maxQueryRunes)
	case s.opts.Asker == nil:
		data.Error = "Question answering is not available on this server."
	default:
		a, err := s.opts.Asker.Ask(r.Context(), answer.Request{Question: data.Question, Visibility: s.sessionVisibility(ses), Location: time.UTC})
		if err != nil {
			data.Error = core.ErrorMessage(err)
			break
		}
		out := &shown{Answer: a.Answer}
		calls := map[string]answer.CallRef{}
		for _, c := range a.Calls {
			calls[c.ID] = c
			out.Calls = append(out.Calls, callRef{ID: c.ID, Title: c.Title, Started: c.Started.UTC().Format("Jan 2, 2006")})
		}
		for _, c := range a.Citations {
			ref := calls[c.CallID]
			ct := citation{Text: c.Text, Title: ref.Title, Link: "/calls/" + url.PathEscape(c.CallID), GongURL: ref.URL}
			if c.StartTime != nil {
				ct.At = at(*c.StartTime)
			}
			out.Citations = append(out.Citations, ct)
		}
		data.Answer = out
	}
	s.render(w, r, http.StatusOK, "ask", data.Question, data)
}

func (s *Server) callPage(w http.ResponseWriter, r *http.Request, ses session) {
	id := r.PathValue("id")
	notFound := func() {
		s.message(w, r, http.StatusNotFound, "Call not found", "There is no call "+id+" that you may see.")
	}
	if id == "" || len(id) > 64 {
		notFound()
		return
	}
	c, err := s.opts.Store.Call(r.Context(), id)
	if core.ErrorCode(err) == core.ENotFound {
		notFound()
		return
	}
	if err != nil {
		s.message(w, r, http.StatusInternalServerError, "Error", "The call could not be read; try again.")
		s.log.Error("read call", slog.String("error", err.Error()))
		return
	}
	if v := s.sessionVisibility(ses); !v.Allows(c.WorkspaceID, c.ParticipantKeys()) {
		notFound()
		return
	}
	type item struct{ Text, Who, At string }
	type person struct{ Name, Title, Affiliation string }
	data := struct {
		Title, URL, Started, Duration, Brief string
		Accounts, Deals, KeyPoints, Topics   []string
		Trackers                             []string
		ActionItems                          []item
		People                               []person
	}{Title: c.Title, URL: c.URL, Started: c.Started.UTC().Format("Mon Jan 2, 2006 15:04 UTC"),
		Duration: fmt.Sprintf("%d min", int(c.Duration.Round(time.Minute)/time.Minute)), Brief: c.Brief, KeyPoints: c.KeyPoints}
	for _, a := range c.Accounts {
		data.Accounts = append(data.Accounts, a.Name)
	}
	for _, d := range c.Deals {
		data.Deals = append(data.Deals, d.Name)
	}
	for _, tp := range c.Topics {
		data.Topics = append(data.Topics, tp.Name)
	}
	for _, tr := range c.Trackers {
		data.Trackers = append(data.Trackers, fmt.Sprintf("%s (%d)", tr.Name, tr.Count))
	}
	for _, a := range c.ActionItems {
		it := item{Text: a.Text, Who: a.Speaker}
		if a.StartSec > 0 {
			it.At = at(a.StartSec)
		}
		data.ActionItems = append(data.ActionItems, it)
	}
	for _, p := range c.Parties {
		data.People = append(data.People, person{Name: p.Name, Title: p.Title, Affiliation: p.Affiliation})
	}
	s.render(w, r, http.StatusOK, "call", c.Title, data)
}

func (s *Server) adminPage(w http.ResponseWriter, r *http.Request, ses session) {
	s.renderAdmin(w, r, r.URL.Query().Get("notice"), "")
}

func (s *Server) renderAdmin(w http.ResponseWriter, r *http.Request, notice, errText string) {
	data := struct {
		Notice, Error, Call string
		Schedule            *crawl.ScheduleState
		Runs                []core.CrawlRun
		Status              *indexStatus
		Problems            []problem
	}{Notice: notice, Error: errText}
	if st, err := s.indexStatus(r.Context()); err != nil {
		data.Error = core.ErrorMessage(err)
	} else {
		data.Status = st
	}
	if recent, err := s.opts.Store.Runs(r.Context(), 50); err == nil {
		data.Problems = problems(recent)
	}
	if s.opts.Crawls != nil {
		st := s.opts.Crawls.State()
		data.Schedule = &st
	}
	runs, err := s.opts.Store.Runs(r.Context(), 20)
	if err != nil {
		data.Error = core.ErrorMessage(err)
	}
	data.Runs = runs
	s.render(w, r, http.StatusOK, "admin", "Admin", data)
}

func (s *Server) adminCrawl(w http.ResponseWriter, r *http.Request, ses session) {
	if s.opts.Crawls == nil {
		s.renderAdmin(w, r, "", "This server runs no crawls.")
		return
	}
	kind := r.PostFormValue("kind")
	var notice string
	switch kind {
	case core.CrawlFull, core.CrawlIncremental:
		if err := s.opts.Crawls.Start(kind); err != nil {
			s.renderAdmin(w, r, "", err.Error())
			return
		}
		notice = "A " + kind + " crawl was started."
	case "pause":
		s.opts.Crawls.Pause()
		notice = "Crawls are paused."
	case "resume":
		s.opts.Crawls.Resume()
		notice = "Crawls are resumed."
	default:
		s.renderAdmin(w, r, "", "Unknown action.")
		return
	}
	s.log.Info("crawl action", slog.String("action", kind), slog.String("by", ses.Identity))
	http.Redirect(w, r, "/admin?"+url.Values{"notice": {notice}}.Encode(), http.StatusSeeOther)
}

// AccessExplanation is the access explainer's answer, as ExplainCall
// returns it in JSON.
type AccessExplanation struct {
	CallID     string         `json:"call_id"`
	Title      string         `json:"title"`
	Workspace  string         `json:"workspace"`
	Identities []AccessByRule `json:"identities"`
	Unmapped   []AccessByRule `json:"unmapped"`
}

// AccessByRule is one person who may (or would, in Gong) see a call.
type AccessByRule struct {
	Identity   string   `json:"identity"`
	GongUserID string   `json:"gong_user_id"`
	Name       string   `json:"name"`
	Rule       string   `json:"rule"`
	Profile    string   `json:"profile"`
	Path       []string `json:"path"`
	Reason     string   `json:"reason"`
}

func (s *Server) accessPage(w http.ResponseWriter, r *http.Request, ses session) {
	id := strings.TrimSpace(r.URL.Query().Get("call"))
	if id == "" || s.opts.ExplainCall == nil {
		s.renderAdmin(w, r, "", "Give a call id to explain.")
		return
	}
	ex, err := s.explain(r.Context(), id)
	if err != nil {
		s.message(w, r, http.StatusOK, "Who can see call "+id, core.ErrorMessage(err))
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s (workspace %s): ", ex.Title, ex.Workspace)
	if len(ex.Identities) == 0 {
		b.WriteString("nobody may see this call here. ")
	}
	for i, a := range ex.Identities {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s by %s", a.Identity, describeAccess(a))
	}
	for _, a := range ex.Unmapped {
		fmt.Fprintf(&b, "; %s would see it in Gong but not here: %s", cmpOr(a.Name, a.GongUserID), a.Reason)
	}
	s.message(w, r, http.StatusOK, "Who can see call "+id, b.String())
}

func (s *Server) explain(ctx context.Context, id string) (AccessExplanation, error) {
	v, err := s.opts.ExplainCall(ctx, id)
	if err != nil {
		return AccessExplanation{}, err
	}
	var ex AccessExplanation
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &ex); err != nil {
		return ex, fmt.Errorf("read the explanation: %w", err)
	}
	return ex, nil
}

func describeAccess(a AccessByRule) string {
	switch a.Rule {
	case "participant":
		return "taking part in the call"
	case "all":
		return "profile " + a.Profile + " (every call in the workspace)"
	}
	return "profile " + a.Profile + " (" + a.Rule + ")"
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
