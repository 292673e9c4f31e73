package graph

import (
	"net/url"
	"regexp"
	"strings"
)

// Literal returns s as an OData string literal: in single quotes, with each
// quote inside doubled.
func Literal(s string) string {
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// QueryEscape percent-encodes s for a query value; spaces become %20, not
// '+', which OData services need not read as a space.
func QueryEscape(s string) string {
	return strings.ReplaceAll(url.QueryEscape(s), "+", "%20")
}

var guidPattern = regexp.MustCompile(`^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$`)

// IsGUID reports whether s has the form of an Entra object id.
func IsGUID(s string) bool { return guidPattern.MatchString(s) }
