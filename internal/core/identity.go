package core

import "strings"

// Attribute names the directory attribute a Gong user is matched on.
type Attribute string

// Directory attributes a mapping can resolve to (PRODUCT.md §3).
const (
	AttrUPN        Attribute = "upn"
	AttrMail       Attribute = "mail"
	AttrObjectID   Attribute = "object_id"
	AttrExternalID Attribute = "external_id"
)

// Valid reports whether a is one of the known attributes.
func (a Attribute) Valid() bool {
	switch a {
	case AttrUPN, AttrMail, AttrObjectID, AttrExternalID:
		return true
	}
	return false
}

// DirectoryUser is a person in the organization's directory (Microsoft Entra
// ID, a local file, or just an email address).
type DirectoryUser struct {
	// ID is the directory's stable id: the Entra object id, the file's id,
	// or the email itself.
	ID          string   `json:"id"`
	UPN         string   `json:"upn,omitempty"`
	Mail        string   `json:"mail,omitempty"`
	ExternalID  string   `json:"external_id,omitempty"`
	OtherMails  []string `json:"other_mails,omitempty"`
	DisplayName string   `json:"display_name,omitempty"`
}

// Value returns the user's value of attribute a.
func (u *DirectoryUser) Value(a Attribute) string {
	switch a {
	case AttrUPN:
		return u.UPN
	case AttrMail:
		return u.Mail
	case AttrObjectID:
		return u.ID
	case AttrExternalID:
		return u.ExternalID
	}
	return ""
}

// Matches reports whether s names this user: its id, UPN, mail or one of its
// other mails, compared without regard to case.
func (u *DirectoryUser) Matches(s string) bool {
	if s == "" {
		return false
	}
	for _, v := range append([]string{u.ID, u.UPN, u.Mail, u.ExternalID}, u.OtherMails...) {
		if v != "" && strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
