package search

import (
	"strings"
	"testing"

	"gongconnector/internal/core"
)

func TestHighlightSnippet(t *testing.T) {
	long := strings.Repeat("filler ", 40) + "the pricing review went well " + strings.Repeat("tail ", 40)
	for _, tc := range []struct {
		query, text, want string
		hit               bool
	}{
		{"pricing", "Pricing is fine.", "\x02Pricing\x03 is fine.", true},
		{"muller", "Call with Müller GmbH", "Call with \x02Müller\x03 GmbH", true},
		{"MÜLLER", "call with muller", "call with \x02muller\x03", true},
		{"integr*", "Integrations and integrity", "\x02Integrations\x03 and \x02integrity\x03", true},
		{`"next steps"`, "Agree next steps", "Agree \x02next\x03 \x02steps\x03", true},
		{"account:acme", "Acme Corp", "\x02Acme\x03 Corp", true},
		{"-pricing budget", "pricing and budget", "pricing and \x02budget\x03", true},
		{"security", "No match here", "No match here", false},
		{"pricing", long, "…filler filler the \x02pricing\x03 review went well " + strings.TrimSpace(strings.Repeat("tail ", 17)) + "…", true},
		{"pricing", "", "", false},
	} {
		p := core.ParseQuery(tc.query, nil)
		got, hit := NewHighlighter(p).Snippet(tc.text, SnippetWords)
		if got != tc.want || hit != tc.hit {
			t.Errorf("%q in %q:\n got %q (%v)\nwant %q (%v)", tc.query, tc.text, got, hit, tc.want, tc.hit)
		}
	}
}
