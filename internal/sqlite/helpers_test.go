package sqlite

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/search"
)

// openTest opens a fresh index in a temporary directory.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(t.Context(), filepath.Join(t.TempDir(), "data", "index.db"))
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// words is the vocabulary of generated call text; the first ones are the
// most frequent.
var words = strings.Fields(`pricing next team the customer we will follow up on proposal contract
	renewal budget timeline integration security review demo onboarding legal procurement
	discount quarter forecast pipeline champion decision stakeholder roadmap feature request
	migration pilot rollout support escalation invoice payment terms seats license expansion
	competitor evaluation requirements workshop training dashboard analytics reporting api
	sso compliance audit data retention storage performance latency uptime sla architecture
	deployment cloud hybrid onprem sandbox trial success metrics kpi adoption usage churn risk
	mitigation blocker dependency approval signature redlines negotiation close champion sponsor`)

var topicNames = []string{"Pricing", "Next Steps", "Security", "Integration", "Onboarding",
	"Competition", "Legal", "Roadmap", "Budget", "Timeline", "Small Talk", "Demo"}

// gen makes deterministic, realistically sized calls.
type gen struct {
	r *rand.Rand
}

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

// word draws from the vocabulary with a skew toward the first words.
func (g *gen) word() string {
	i := int(float64(len(words)) * g.r.Float64() * g.r.Float64())
	return words[i]
}

func (g *gen) sentence(n int) string {
	ws := make([]string, n)
	for i := range ws {
		ws[i] = g.word()
	}
	ws[0] = strings.ToUpper(ws[0][:1]) + ws[0][1:]
	return strings.Join(ws, " ") + "."
}

// call returns call number i: about 1.4 KB of searchable text, 4 parties,
// 5 topics, 3 action items, 5 key points.
func (g *gen) call(i int) *core.Call {
	acct := fmt.Sprintf("Acct%05d Corp", g.r.IntN(20000))
	started := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 7 * time.Minute)
	c := &core.Call{
		ID:            fmt.Sprintf("%019d", 7000000000000000000+int64(i)),
		Title:         fmt.Sprintf("%s | %s", acct, g.sentence(4)),
		URL:           fmt.Sprintf("https://app.gong.io/call?id=%d", 7000000000000000000+int64(i)),
		Started:       started,
		Duration:      time.Duration(600+g.r.IntN(3000)) * time.Second,
		WorkspaceID:   fmt.Sprintf("ws%d", i%3),
		PrimaryUserID: fmt.Sprintf("u%03d", g.r.IntN(500)),
		Direction:     "Conference",
		Scope:         "External",
		System:        "Zoom",
		Language:      "eng",
		Media:         "Video",
		Accounts:      []core.Account{{ID: fmt.Sprintf("a%d", i), Name: acct, Industry: "Software"}},
		Deals:         []core.Deal{{ID: fmt.Sprintf("d%d", i), Name: acct + " renewal", Stage: "Negotiation", Amount: 12000}},
		Brief:         g.sentence(40) + " " + g.sentence(14),
	}
	// People come from bounded pools, as in a real tenant: 500 colleagues
	// and 20,000 customer contacts.
	for p := range 4 {
		internal := p < 2
		party := core.Party{Title: "Account Executive", SpeakerID: fmt.Sprint(1000 + p)}
		if internal {
			u := g.r.IntN(500)
			party.Name = fmt.Sprintf("Colleague%03d Lastname", u)
			party.Email = fmt.Sprintf("colleague%03d@seller.example", u)
			party.Affiliation = core.AffiliationInternal
			party.UserID = fmt.Sprintf("u%03d", u)
		} else {
			k := g.r.IntN(20000)
			party.Name = fmt.Sprintf("Contact%05d Lastname", k)
			party.Email = fmt.Sprintf("contact%05d@customer.example", k)
			party.Affiliation = core.AffiliationExternal
		}
		c.Parties = append(c.Parties, party)
	}
	for range 5 {
		c.KeyPoints = append(c.KeyPoints, g.sentence(11))
	}
	for a := range 3 {
		c.ActionItems = append(c.ActionItems, core.ActionItem{Text: g.sentence(10), SpeakerID: fmt.Sprint(1000 + a), Speaker: c.Parties[a].Name, StartSec: float64(60 * a)})
	}
	for tp := range 5 {
		c.Topics = append(c.Topics, core.Topic{Name: topicNames[g.r.IntN(len(topicNames))], DurationSec: float64(30 * (tp + 1))})
	}
	c.Trackers = []core.Tracker{{Name: "Competitors", Count: g.r.IntN(5)}, {Name: "Pricing", Count: g.r.IntN(9)}}
	c.Highlights = []core.Highlight{{Title: "Next steps", Items: []core.HighlightItem{{Text: g.sentence(8), StartSec: 120}}}}
	c.Outcome = &core.Outcome{ID: "1", Category: "Positive", Name: "Qualified"}
	return c
}

func (g *gen) calls(from, n int) []*core.Call {
	cs := make([]*core.Call, n)
	for i := range cs {
		cs[i] = g.call(from + i)
	}
	return cs
}

// searchableBytes is the size of a call's indexed text.
func searchableBytes(c *core.Call) int {
	r, _ := search.EncodeCall(c)
	n := 0
	for _, t := range r.Text() {
		n += len(t)
	}
	return n
}

// everything is the local admin's view: every call.
var everything = core.Visibility{Everything: true}
