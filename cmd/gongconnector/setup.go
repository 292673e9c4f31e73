package main

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"gongconnector/internal/config"
	"gongconnector/internal/core"
	"gongconnector/internal/identity"
	"gongconnector/internal/server"
)

// The setup page's changes (the crawl's filters and schedule) are kept in
// the index's settings, over what the configuration file says, so that
// they survive a restart; the file stays as the admin wrote it.
const setupSetting = "ui.crawl"

// setupOverrides is what the setup page changed.
type setupOverrides struct {
	Workspaces   []string `json:"workspaces"`
	StartDate    string   `json:"start_date"`
	FullInterval string   `json:"full_interval"`
	IncrInterval string   `json:"incremental_interval"`
}

// apply checks o and writes it into cfg; a problem is a core.EInvalid
// error in an admin's words.
func (o setupOverrides) apply(cfg *config.Config, known []string) error {
	var problems []string
	for _, w := range o.Workspaces {
		if !slices.Contains(known, w) {
			problems = append(problems, fmt.Sprintf("workspace %q is not one of this Gong tenant's", w))
		}
	}
	var start config.Date
	if o.StartDate != "" {
		t, err := time.Parse(time.DateOnly, o.StartDate)
		if err != nil {
			problems = append(problems, fmt.Sprintf("the start date %q must be a day such as 2025-01-31", o.StartDate))
		}
		start = config.Date{Time: t}
	}
	interval := func(name, v string, least time.Duration) config.Duration {
		if v == "" || v == "0" {
			return 0
		}
		var d config.Duration
		if err := d.UnmarshalText([]byte(v)); err != nil || d.D() < least {
			problems = append(problems, fmt.Sprintf("%s %q must be a duration of at least %s, such as %s, or 0 for none", name, v, least, map[bool]string{true: "24h", false: "15m"}[least >= time.Hour]))
		}
		return d
	}
	full := interval("the full crawl interval", o.FullInterval, time.Hour)
	incr := interval("the incremental crawl interval", o.IncrInterval, time.Minute)
	if len(problems) > 0 {
		return core.Errorf(core.EInvalid, "%s.", strings.Join(problems, "; "))
	}
	cfg.Crawl.Workspaces, cfg.Crawl.StartDate = o.Workspaces, start
	cfg.Crawl.FullInterval, cfg.Crawl.IncrementalInterval = full, incr
	return nil
}

// loadSetup applies the setup page's stored changes to the service's
// configuration; a missing or unreadable record leaves the file's.
func (s *service) loadSetup(ctx context.Context) {
	v, ok, err := s.db.Setting(ctx, setupSetting)
	if err != nil || !ok {
		return
	}
	var o setupOverrides
	if json.Unmarshal([]byte(v), &o) != nil {
		return
	}
	cfg := *s.cfg
	if err := o.apply(&cfg, s.knownWorkspaces()); err != nil {
		s.log.Warn("the setup page's saved settings are not used", "error", err.Error())
		return
	}
	s.cfg = &cfg
}

func (s *service) knownWorkspaces() []string {
	if a := s.access.Load(); a != nil {
		return a.Rules().Workspaces()
	}
	return nil
}

// config returns the configuration in force now.
func (s *service) config() *config.Config {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cfg
}

// View implements server.Setup.
func (s *service) View(ctx context.Context) (server.SetupView, error) {
	cfg := s.config()
	v := server.SetupView{DisplayName: cfg.DisplayName, GongURL: cfg.Gong.BaseURL,
		CredentialsSet: cfg.Credentials.AccessKey != "" && cfg.Credentials.AccessKeySecret != "",
		Mode:           cfg.Access.Mode, Audience: cfg.Access.Audience,
		FullInterval: durationText(cfg.Crawl.FullInterval), IncrInterval: durationText(cfg.Crawl.IncrementalInterval)}
	if !cfg.Crawl.StartDate.IsZero() {
		v.StartDate = cfg.Crawl.StartDate.Format(time.DateOnly)
	}
	if a := s.access.Load(); a != nil {
		for _, id := range a.Rules().Workspaces() {
			v.Workspaces = append(v.Workspaces, server.WorkspaceChoice{ID: id, Name: a.Rules().WorkspaceName(id),
				Selected: slices.Contains(cfg.Crawl.Workspaces, id) || slices.Contains(cfg.Crawl.Workspaces, a.Rules().WorkspaceName(id))})
		}
	}
	if m := s.people.Load(); m != nil {
		v.Directory, v.MappingTarget = m.Directory, string(m.Target)
		v.Users, v.Mapped = len(m.Users), m.Counts()[identity.StatusMapped]
		for i, e := range m.Entries() {
			if i == 15 {
				break
			}
			v.Preview = append(v.Preview, server.IdentityPreview{GongUser: e.Name, Email: e.Email, Identity: e.Identity,
				Status: strings.ReplaceAll(string(e.Status), "_", " "), Reason: e.Reason})
		}
	}
	return v, nil
}

func durationText(d config.Duration) string {
	if d == 0 {
		return "0"
	}
	if d.D()%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d.D()/(24*time.Hour))
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.D().String(), "0s"), "0m")
}

// Save implements server.Setup.
func (s *service) Save(ctx context.Context, c server.SetupChange) error {
	o := setupOverrides{Workspaces: c.Workspaces, StartDate: c.StartDate, FullInterval: c.FullInterval, IncrInterval: c.IncrInterval}
	s.mu.Lock()
	defer s.mu.Unlock()
	cfg := *s.cfg
	if err := o.apply(&cfg, s.knownWorkspaces()); err != nil {
		return err
	}
	b, _ := json.Marshal(o)
	if err := s.db.SetSetting(ctx, setupSetting, string(b)); err != nil {
		return fmt.Errorf("save the setup: %w", err)
	}
	s.cfg = &cfg
	s.sched.SetIntervals(cfg.Crawl.FullInterval.D(), cfg.Crawl.IncrementalInterval.D())
	return nil
}
