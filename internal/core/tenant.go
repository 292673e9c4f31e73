package core

import "time"

// Workspace is a Gong workspace; every call belongs to exactly one.
type Workspace struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// User is a Gong user as the permission rules need it.
type User struct {
	ID        string   `json:"id"`
	Email     string   `json:"email,omitempty"`
	Aliases   []string `json:"aliases,omitempty"`
	FirstName string   `json:"first_name,omitempty"`
	LastName  string   `json:"last_name,omitempty"`
	Title     string   `json:"title,omitempty"`
	ManagerID string   `json:"manager_id,omitempty"`
	Active    bool     `json:"active"`
}

// Name is the user's display name.
func (u *User) Name() string {
	switch {
	case u.FirstName != "" && u.LastName != "":
		return u.FirstName + " " + u.LastName
	case u.FirstName != "":
		return u.FirstName
	default:
		return u.LastName
	}
}

// Permission levels of a profile's callsAccess (gong-api.md §7.7).
const (
	LevelAll          = "all"
	LevelManagersTeam = "managers-team"
	LevelReportToThem = "report-to-them"
	LevelOwn          = "own"
	LevelNone         = "none"
)

// Profile is a Gong permission profile of one workspace, reduced to what
// decides call visibility.
type Profile struct {
	ID          string   `json:"id"`
	WorkspaceID string   `json:"workspace_id"`
	Name        string   `json:"name"`
	CallsLevel  string   `json:"calls_level"`
	TeamLeadIDs []string `json:"team_lead_ids,omitempty"`
	// MemberIDs are the users whose call access this profile controls.
	MemberIDs []string `json:"member_ids,omitempty"`
}

// PermissionSnapshot is one consistent picture of who may see what in Gong.
type PermissionSnapshot struct {
	Taken      time.Time   `json:"taken"`
	Workspaces []Workspace `json:"workspaces"`
	Users      []User      `json:"users"`
	Profiles   []Profile   `json:"profiles"`
}
