package server

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"gongconnector/internal/core"
)

// Admin pages other than setup: the status of the connection (in the
// admin page) and the identity report. Their data come from the Options'
// functions as JSON-encodable values (the shapes of `status --json` and
// `identities --json`), read back here into what the pages show.

// indexStatus is the part of the status the admin page shows.
type indexStatus struct {
	CallsIndexed     int    `json:"calls_indexed"`
	APIRequestsToday int    `json:"api_requests_today"`
	RateLimitedToday int    `json:"rate_limited_today"`
	DailyBudget      int    `json:"daily_budget"`
	SnapshotTaken    string `json:"permission_snapshot_taken"`
	// BudgetLeft is DailyBudget less today's requests; -1 without budget.
	BudgetLeft int `json:"-"`
	// Microsoft365 is the push to Microsoft 365, when it is on.
	Microsoft365 *struct {
		Connection string `json:"connection"`
		SetUp      string `json:"set_up"`
		Items      int    `json:"items_pushed"`
		Pending    int    `json:"calls_to_push"`
		Groups     int    `json:"external_groups"`
		Members    int    `json:"memberships"`
		LastPush   *struct {
			Finished       time.Time `json:"finished"`
			Pushed         int       `json:"pushed"`
			Deleted        int       `json:"deleted"`
			Failed         int       `json:"failed"`
			MembersAdded   int       `json:"members_added"`
			MembersRemoved int       `json:"members_removed"`
			Error          string    `json:"error"`
		} `json:"last_push"`
	} `json:"microsoft365"`
}

// problem is a cause of failed crawls: the message (which says what to
// do), how many recent runs failed with it and when last.
type problem struct {
	Message string
	Runs    int
	Last    time.Time
}

func roundTrip(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func (s *Server) indexStatus(ctx context.Context) (*indexStatus, error) {
	if s.opts.Status == nil {
		return nil, nil
	}
	v, err := s.opts.Status(ctx)
	if err != nil {
		return nil, err
	}
	var st indexStatus
	if err := roundTrip(v, &st); err != nil {
		return nil, fmt.Errorf("read the status: %w", err)
	}
	st.BudgetLeft = -1
	if st.DailyBudget > 0 {
		st.BudgetLeft = max(st.DailyBudget-st.APIRequestsToday, 0)
	}
	return &st, nil
}

// problems groups the failed runs by their message, most frequent first.
func problems(runs []core.CrawlRun) []problem {
	by := map[string]*problem{}
	for _, r := range runs {
		if r.Status != core.RunFailed {
			continue
		}
		msg := cmp.Or(strings.TrimSpace(r.Message), "the crawl failed without a message; see the server's log")
		p := by[msg]
		if p == nil {
			p = &problem{Message: msg}
			by[msg] = p
		}
		p.Runs++
		if r.Started.After(p.Last) {
			p.Last = r.Started
		}
	}
	var out []problem
	for _, p := range by {
		out = append(out, *p)
	}
	slices.SortFunc(out, func(a, b problem) int { return cmp.Or(cmp.Compare(b.Runs, a.Runs), b.Last.Compare(a.Last)) })
	return out
}

// identityReport is the identity-mapping report as the page shows it.
type identityReport struct {
	Taken     time.Time `json:"taken"`
	Directory string    `json:"directory"`
	Target    string    `json:"target"`
	Users     []struct {
		GongUserID string `json:"gong_user_id"`
		Email      string `json:"email"`
		Name       string `json:"name"`
		Identity   string `json:"identity"`
		Status     string `json:"status"`
		Reason     string `json:"reason"`
	} `json:"users"`
	Counts []statusCount `json:"-"`
}

type statusCount struct {
	Status string
	Users  int
}

func (s *Server) identitiesPage(w http.ResponseWriter, r *http.Request, ses session) {
	if s.opts.Identities == nil {
		s.message(w, r, http.StatusNotFound, "Not found", "This server has no identity report.")
		return
	}
	v, err := s.opts.Identities(r.Context())
	if err != nil {
		s.message(w, r, http.StatusServiceUnavailable, "Identity report", core.ErrorMessage(err))
		return
	}
	var rep identityReport
	if err := roundTrip(v, &rep); err != nil {
		s.message(w, r, http.StatusInternalServerError, "Identity report", "The report could not be read.")
		return
	}
	counts := map[string]int{}
	for i := range rep.Users {
		rep.Users[i].Status = strings.ReplaceAll(rep.Users[i].Status, "_", " ")
		counts[rep.Users[i].Status]++
	}
	for st, n := range counts {
		rep.Counts = append(rep.Counts, statusCount{st, n})
	}
	slices.SortFunc(rep.Counts, func(a, b statusCount) int { return cmp.Compare(b.Users, a.Users) })
	// Users mapped to nobody first: they are what the admin acts on.
	slices.SortStableFunc(rep.Users, func(a, b struct {
		GongUserID string `json:"gong_user_id"`
		Email      string `json:"email"`
		Name       string `json:"name"`
		Identity   string `json:"identity"`
		Status     string `json:"status"`
		Reason     string `json:"reason"`
	}) int {
		return cmp.Compare(boolInt(a.Status == "mapped"), boolInt(b.Status == "mapped"))
	})
	s.render(w, r, http.StatusOK, "identities", "Identity report", rep)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
