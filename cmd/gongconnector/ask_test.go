package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"

	"gongconnector/internal/answer"
	"gongconnector/internal/gong"
	"gongconnector/internal/gongsim"
)

// TestAskCommand: `ask --json` gives the documented shape; the host of the
// Acme example gets its action items with their moments, an unrelated rep
// of the same workspace gets the nothing-found answer, and the text output
// lists sources and citations.
func TestAskCommand(t *testing.T) {
	cfg, env, sim := tenant(t, 400)
	if code, _, errOut := cli(t, env, "crawl", "--config", cfg, "--full"); code != 0 {
		t.Fatalf("crawl: %s", errOut)
	}
	acmeID := gongsim.ExampleCalls(sim)[gongsim.ExampleAcme]
	var acme gong.ExtensiveCall
	sim.Truth(func(x gong.ExtensiveCall) bool {
		if string(x.MetaData.ID) == acmeID {
			acme = x
			return false
		}
		return true
	})
	emails := map[string]string{}
	for _, u := range sim.Users() {
		emails[string(u.ID)] = u.EmailAddress
	}
	host := emails[string(acme.MetaData.PrimaryUserID)]
	q := "What are the action items from the Q2 planning meeting with Acme Corp on May 12?"
	askJSON := func(as string) (map[string]json.RawMessage, answer.Answer) {
		t.Helper()
		code, out, errOut := cli(t, env, "ask", "--config", cfg, "--as", as, "--json", "--tz", "UTC", "--now", "2026-05-20T12:00:00Z", q)
		if code != 0 {
			t.Fatalf("ask exit %d: %s", code, errOut)
		}
		var raw map[string]json.RawMessage
		var a answer.Answer
		if err := json.Unmarshal([]byte(out), &raw); err != nil {
			t.Fatalf("ask --json: %v\n%s", err, out)
		}
		json.Unmarshal([]byte(out), &a)
		return raw, a
	}
	raw, a := askJSON(host)
	for _, k := range []string{"answer", "intent", "calls", "citations"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("ask --json lacks %q", k)
		}
	}
	var calls, citations []map[string]any
	json.Unmarshal(raw["calls"], &calls)
	json.Unmarshal(raw["citations"], &citations)
	if len(calls) == 0 || len(citations) == 0 {
		t.Fatalf("answer has %d calls and %d citations: %s", len(calls), len(citations), a.Answer)
	}
	for _, k := range []string{"id", "title", "started", "url"} {
		if _, ok := calls[0][k]; !ok {
			t.Errorf("a call lacks %q", k)
		}
	}
	for _, k := range []string{"call_id", "text", "start_time"} {
		if _, ok := citations[0][k]; !ok {
			t.Errorf("a citation lacks %q", k)
		}
	}
	if a.Intent != "action_items" || a.Calls[0].ID != acmeID {
		t.Errorf("intent %q, first call %s; want action_items from %s", a.Intent, a.Calls[0].ID, acmeID)
	}
	for _, it := range acme.Content.PointsOfInterest.ActionItems {
		if !strings.Contains(a.Answer, strings.TrimSpace(it.Snippet)) {
			t.Errorf("answer lacks the action item %q", it.Snippet)
		}
	}

	// An active rep of the workspace who took no part in the call.
	var rep string
	for _, p := range sim.Profiles(string(acme.MetaData.WorkspaceID)) {
		if p.Profile.CallsAccess.PermissionLevel != "own" {
			continue
		}
		for _, id := range p.MemberIDs {
			took := slices.ContainsFunc(acme.Parties, func(x gong.Party) bool { return string(x.UserID) == id })
			if !took && id != string(acme.MetaData.PrimaryUserID) && rep == "" {
				for _, u := range sim.Users() {
					if string(u.ID) == id && u.Active {
						rep = u.EmailAddress
					}
				}
			}
		}
	}
	if rep == "" {
		t.Fatal("no unrelated rep")
	}
	_, hidden := askJSON(rep)
	if hidden.Answer != answer.NothingFound || len(hidden.Calls) != 0 {
		t.Errorf("unrelated rep gets %q with %d calls", hidden.Answer, len(hidden.Calls))
	}

	code, out, errOut := cli(t, env, "ask", "--config", cfg, "--as", host, "--tz", "UTC", "--now", "2026-05-20T12:00:00Z", q)
	if code != 0 || !strings.Contains(out, "Sources:\n[1] ") || !strings.Contains(out, "Cited:\n[1 at ") {
		t.Errorf("ask (text) exit %d:\n%s%s", code, out, errOut)
	}
	if code, _, errOut := cli(t, env, "ask", "--config", cfg, "--tz", "Mars/Olympus", q); code != exitUsage || !strings.Contains(errOut, "time zone") {
		t.Errorf("bad --tz: exit %d, %s", code, errOut)
	}
}

// TestAskWithModel: with answer.llm configured, `ask` prints the model's
// phrasing with the same sources; with the model down, the composed answer
// and a warning.
func TestAskWithModel(t *testing.T) {
	cfg, env, _ := tenant(t, 300)
	if code, _, errOut := cli(t, env, "crawl", "--config", cfg, "--full"); code != 0 {
		t.Fatalf("crawl: %s", errOut)
	}
	var got []string
	model := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got = append(got, r.Header.Get("Authorization")+" "+string(b))
		w.Write([]byte(`{"choices":[{"message":{"role":"assistant","content":"PHRASED: Jordan schedules the kickoff [1]."}}]}`))
	}))
	defer model.Close()
	f, err := os.OpenFile(cfg, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "answer:\n  llm:\n    base_url: %s/v1\n    model: m\n    api_key_env: TEST_LLM_KEY\n", model.URL)
	f.Close()
	env["TEST_LLM_KEY"] = "sk-123"
	q := "What are the action items from the Q2 planning meeting with Acme Corp on May 12?"
	code, out, errOut := cli(t, env, "ask", "--config", cfg, "--tz", "UTC", "--now", "2026-05-20T12:00:00Z", q)
	if code != 0 || !strings.HasPrefix(out, "PHRASED: ") || !strings.Contains(out, "Sources:") {
		t.Errorf("ask with a model: exit %d\n%s%s", code, out, errOut)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "Bearer sk-123 ") {
		t.Errorf("model requests: %q", got)
	}
	model.Close()
	code, out, errOut = cli(t, env, "ask", "--config", cfg, "--tz", "UTC", "--now", "2026-05-20T12:00:00Z", q)
	if code != 0 || !strings.HasPrefix(out, "Action items from") || !strings.Contains(errOut, "language model") {
		t.Errorf("ask with the model down: exit %d\n%s%s", code, out, errOut)
	}
	if strings.Contains(errOut, "sk-123") {
		t.Error("the API key is in the log")
	}
	delete(env, "TEST_LLM_KEY")
	if code, _, errOut := cli(t, env, "ask", "--config", cfg, q); code == 0 || !strings.Contains(errOut, "TEST_LLM_KEY") {
		t.Errorf("missing key: exit %d, %s", code, errOut)
	}
}
