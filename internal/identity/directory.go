package identity

import (
	"cmp"
	"context"
	"fmt"
	"strings"

	"gongconnector/internal/core"
)

// Directory is where people and groups are looked up: Microsoft Entra ID, a
// local file, or plain email addresses. An implementation may also have a
// Name() string method ("entra"), which Resolve records in Map.Directory.
type Directory interface {
	// Lookup returns, for each of values, the directory users whose attribute attr equals it
	// (case-insensitively for upn and mail; mail lookups should also match other mails).
	Lookup(ctx context.Context, attr core.Attribute, values []string) (map[string][]core.DirectoryUser, error)
	// Members returns a group's users, transitively; group is its id or display name.
	Members(ctx context.Context, group string) ([]core.DirectoryUser, error)
}

// Directories other packages implement may also say what they are; Resolve
// records the name in Map.Directory ("entra", for instance).
type named interface{ Name() string }

// directoryName is what Map.Directory records for dir.
func directoryName(dir Directory) string {
	if n, ok := dir.(named); ok {
		return n.Name()
	}
	return "unnamed"
}

// EmailDirectory is the directory in which every email address is a person:
// the caller's verified email is the identity. Its users have the lower-cased
// address as ID, UPN and mail.
type EmailDirectory struct{}

// Name returns "email".
func (EmailDirectory) Name() string { return DirectoryEmail }

// Lookup returns one user for each value that is an email address, looked up
// by upn, mail or object_id; the email directory has no external ids.
func (EmailDirectory) Lookup(ctx context.Context, attr core.Attribute, values []string) (map[string][]core.DirectoryUser, error) {
	out := make(map[string][]core.DirectoryUser, len(values))
	switch attr {
	case core.AttrUPN, core.AttrMail, core.AttrObjectID:
	default:
		return out, nil
	}
	for _, v := range values {
		if !isAddress(v) {
			continue
		}
		e := strings.ToLower(strings.TrimSpace(v))
		out[v] = []core.DirectoryUser{{ID: e, UPN: e, Mail: e}}
	}
	return out, nil
}

// Members always fails: email addresses have no groups.
func (EmailDirectory) Members(ctx context.Context, group string) ([]core.DirectoryUser, error) {
	return nil, fmt.Errorf("identity: group %q cannot be resolved: groups need identity.directory file or entra; the email directory knows only addresses", group)
}

// isAddress reports whether s looks like an email address: one @ with text on
// both sides and no spaces.
func isAddress(s string) bool {
	s = strings.TrimSpace(s)
	at := strings.IndexByte(s, '@')
	return at > 0 && at < len(s)-1 && strings.Count(s, "@") == 1 && !strings.ContainsAny(s, " \t\r\n<>")
}

// describe names a directory user for the admin: display name, address and id.
func describe(u *core.DirectoryUser) string {
	addr := cmp.Or(u.UPN, u.Mail)
	var detail []string
	if addr != "" && u.DisplayName != "" {
		detail = append(detail, addr)
	}
	if u.ID != "" && !strings.EqualFold(u.ID, addr) {
		detail = append(detail, "id "+u.ID)
	}
	name := cmp.Or(u.DisplayName, addr)
	switch {
	case name == "":
		return strings.Join(detail, ", ")
	case len(detail) == 0:
		return name
	}
	return fmt.Sprintf("%s (%s)", name, strings.Join(detail, ", "))
}
