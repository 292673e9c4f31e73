package access

import (
	"errors"
	"fmt"
	"strings"

	"gongconnector/internal/core"
)

// Visibility modes, as in Microsoft's Gong connector.
const (
	// ModeGong shows each person the calls Gong lets them see (default).
	ModeGong = "gong"
	// ModeEveryone shows every indexed call to everyone in the audience.
	ModeEveryone = "everyone"
)

// Config is the access section of the configuration file.
type Config struct {
	// Mode is gong (default) or everyone.
	Mode string `yaml:"mode"`
	// Audience limits the whole connection to these users and groups
	// ("group:" and a group id or name); empty means everyone.
	Audience []string `yaml:"audience"`
}

// DefaultConfig is Gong's own rules for everyone.
func DefaultConfig() Config { return Config{Mode: ModeGong} }

// Validate checks the section.
func (c Config) Validate() error {
	var problems []string
	switch c.Mode {
	case ModeGong, ModeEveryone:
	default:
		problems = append(problems, fmt.Sprintf("access.mode %q must be %q (each person sees what Gong lets them see) or %q", c.Mode, ModeGong, ModeEveryone))
	}
	for i, a := range c.Audience {
		if strings.TrimSpace(strings.TrimPrefix(a, "group:")) == "" {
			problems = append(problems, fmt.Sprintf("access.audience[%d] is empty", i))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// People finds the Gong user behind a signed-in identity.
type People interface {
	// GongUser returns the id of the one Gong user the identity maps to,
	// or "" and why not.
	GongUser(identity string) (id string, reason string)
}

// Audience is the limited rollout audience.
type Audience interface {
	Contains(identity string) bool
}

// Authorizer turns a signed-in identity into what it may see.
type Authorizer struct {
	rules    *Rules
	people   People
	audience Audience // nil: everyone
	mode     string
}

// NewAuthorizer combines the rules of one snapshot with the identity
// mapping, the rollout audience (nil for everyone) and the mode.
func NewAuthorizer(rules *Rules, people People, audience Audience, mode string) *Authorizer {
	if mode == "" {
		mode = ModeGong
	}
	return &Authorizer{rules: rules, people: people, audience: audience, mode: mode}
}

// Mode returns the visibility mode, gong or everyone.
func (a *Authorizer) Mode() string { return a.mode }

// Rules returns the rules the authorizer applies.
func (a *Authorizer) Rules() *Rules { return a.rules }

// Decision is what one identity may see.
type Decision struct {
	Identity   string          `json:"identity"`
	GongUserID string          `json:"gong_user_id,omitempty"`
	Visibility core.Visibility `json:"-"`
	// Reason says why the identity sees nothing; empty otherwise.
	Reason string `json:"reason,omitempty"`
}

// Decide returns what identity may see. Every failure (outside the
// audience, unmapped, ambiguous, inactive, no profile) sees nothing.
func (a *Authorizer) Decide(identity string) Decision {
	d := Decision{Identity: strings.TrimSpace(identity)}
	if d.Identity == "" {
		d.Reason = "no identity given"
		return d
	}
	if a.audience != nil && !a.audience.Contains(d.Identity) {
		d.Reason = d.Identity + " is outside the rollout audience (access.audience)"
		return d
	}
	if a.mode == ModeEveryone {
		d.Visibility = core.Visibility{Everything: true}
		if a.people != nil {
			d.GongUserID, _ = a.people.GongUser(d.Identity)
		}
		return d
	}
	if a.people == nil {
		d.Reason = "no identity mapping is available"
		return d
	}
	id, why := a.people.GongUser(d.Identity)
	if id == "" {
		d.Reason = why
		if d.Reason == "" {
			d.Reason = d.Identity + " is not mapped to a Gong user"
		}
		return d
	}
	d.GongUserID = id
	d.Visibility, d.Reason = a.rules.Visibility(id)
	return d
}
