package server

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"gongconnector/internal/core"
)

// Setup is the connection's setup as the admin page shows it and changes
// it: the fields of Microsoft's Gong connector wizard. Those set in the
// configuration file (credentials, URL, mode, identity mapping, audience)
// are shown; the crawl's filters and schedule can be changed here.
type Setup interface {
	View(ctx context.Context) (SetupView, error)
	// Save validates and applies a change, or says what is wrong with it
	// (a core.EInvalid error).
	Save(ctx context.Context, c SetupChange) error
}

// SetupView is the setup page's content.
type SetupView struct {
	DisplayName    string
	GongURL        string
	CredentialsSet bool
	Mode           string // gong or everyone
	Directory      string // where identities come from
	MappingTarget  string
	Audience       []string
	Workspaces     []WorkspaceChoice
	StartDate      string // YYYY-MM-DD, "" for none
	FullInterval   string
	IncrInterval   string
	// Preview is the identity mapping of the first Gong users.
	Preview []IdentityPreview
	Mapped  int
	Users   int
}

// WorkspaceChoice is a workspace and whether the crawl includes it.
type WorkspaceChoice struct {
	ID, Name string
	Selected bool
}

// IdentityPreview is one Gong user and the identity mapped to it.
type IdentityPreview struct {
	GongUser, Email, Identity, Status, Reason string
}

// SetupChange is what the setup form sends.
type SetupChange struct {
	// Workspaces to crawl; none means every workspace.
	Workspaces   []string
	StartDate    string
	FullInterval string
	IncrInterval string
}

func (s *Server) setupPage(w http.ResponseWriter, r *http.Request, ses session) {
	s.renderSetup(w, r, http.StatusOK, r.URL.Query().Get("notice"), "", nil)
}

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, notice, errText string, typed *SetupChange) {
	if s.opts.Setup == nil {
		s.message(w, r, http.StatusNotFound, "Not found", "This server has no setup page.")
		return
	}
	v, err := s.opts.Setup.View(r.Context())
	if err != nil {
		errText = core.ErrorMessage(err)
	}
	if typed != nil { // show what the admin typed, with the error
		v.StartDate, v.FullInterval, v.IncrInterval = typed.StartDate, typed.FullInterval, typed.IncrInterval
		for i := range v.Workspaces {
			v.Workspaces[i].Selected = contains(typed.Workspaces, v.Workspaces[i].ID)
		}
	}
	s.render(w, r, status, "setup", "Setup", struct {
		SetupView
		Notice, Error string
	}{v, notice, errText})
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (s *Server) saveSetup(w http.ResponseWriter, r *http.Request, ses session) {
	if s.opts.Setup == nil {
		s.message(w, r, http.StatusNotFound, "Not found", "This server has no setup page.")
		return
	}
	c := SetupChange{Workspaces: r.PostForm["workspace"], StartDate: strings.TrimSpace(r.PostFormValue("start_date")),
		FullInterval: strings.TrimSpace(r.PostFormValue("full_interval")), IncrInterval: strings.TrimSpace(r.PostFormValue("incremental_interval"))}
	if err := s.opts.Setup.Save(r.Context(), c); err != nil {
		status := http.StatusBadRequest
		if core.ErrorCode(err) != core.EInvalid {
			status = http.StatusInternalServerError
		}
		s.renderSetup(w, r, status, "", core.ErrorMessage(err), &c)
		return
	}
	s.log.Info("setup changed", slog.String("by", ses.Identity))
	http.Redirect(w, r, "/admin/setup?"+url.Values{"notice": {"Saved: the next crawls use these settings."}}.Encode(), http.StatusSeeOther)
}
