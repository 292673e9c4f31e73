package eval

import (
	"strings"
	"testing"
)

// The built-in set loads and is as large as the issue asks: at least 60
// questions and queries, both kinds, every asker.
func TestBuiltInSet(t *testing.T) {
	cases, err := Load(Questions)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, c := range cases {
		count[c.Kind]++
		count["as "+c.As]++
		if c.Nothing {
			count["nothing"]++
		}
	}
	if len(cases) < 60 || count[KindAsk] == 0 || count[KindSearch] == 0 || count["as "+AsHost] == 0 || count["as "+AsRep] == 0 || count["nothing"] == 0 {
		t.Errorf("%d cases: %v", len(cases), count)
	}
}

func TestLoadErrors(t *testing.T) {
	for name, tc := range map[string]struct{ yaml, want string }{
		"no question":   {"cases:\n  - q: \"\"\n", "no question"},
		"bad kind":      {"cases:\n  - q: x\n    kind: chat\n", "neither ask nor search"},
		"bad asker":     {"cases:\n  - q: x\n    as: ceo\n", "not admin, host or rep"},
		"host, no call": {"cases:\n  - q: x\n    as: host\n", "needs an expected call"},
		"bad call":      {"cases:\n  - q: x\n    calls: [\"May 12 | Acme\"]\n", "YYYY-MM-DD | title"},
		"search empty":  {"cases:\n  - q: x\n    kind: search\n    nothing: true\n", "only a question"},
		"unknown field": {"cases:\n  - q: x\n    answer: y\n", "answer"},
		"not yaml":      {"cases: [", "read the questions"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Load([]byte(tc.yaml))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load: %v, want an error with %q", err, tc.want)
			}
		})
	}
}
