package llm

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"gongconnector/internal/answer"
	"gongconnector/internal/core"
)

// index is an answer.Index of two calls, one of which the asker may see.
type index struct{ visible, hidden *core.Call }

func (x index) Search(_ context.Context, q core.Query) (core.SearchResult, error) {
	if q.Visibility.Nothing() {
		return core.SearchResult{}, nil
	}
	return core.SearchResult{Total: 1, Hits: []core.Hit{{ID: x.visible.ID, Title: x.visible.Title, Started: x.visible.Started}}}, nil
}

func (x index) Calls(_ context.Context, ids []string) ([]*core.Call, error) {
	var out []*core.Call
	for _, id := range ids {
		if id == x.visible.ID {
			out = append(out, x.visible)
		}
	}
	return out, nil
}

func (x index) Names(context.Context) (*core.CallNames, error) {
	return &core.CallNames{Accounts: []string{"Acme Corp"}, Version: 1}, nil
}

func fixture() index {
	at := time.Date(2026, 5, 12, 15, 0, 0, 0, time.UTC)
	return index{
		visible: &core.Call{ID: "1", Title: "Acme Corp | Q2 planning", Started: at, Duration: time.Hour,
			Accounts: []core.Account{{Name: "Acme Corp"}},
			ActionItems: []core.ActionItem{
				{Text: "Priya to confirm the NetSuite sandbox credentials by May 19.", StartSec: 1358},
				{Text: "Marcus to return the MSA redlines by May 28.", StartSec: 2953},
			}},
		hidden: &core.Call{ID: "2", Title: "Acme Corp | board review", Brief: "HIDDEN-SECRET layoffs"},
	}
}

// fakeModel is an OpenAI-compatible endpoint that records what it is sent.
type fakeModel struct {
	srv    *httptest.Server
	mu     sync.Mutex
	bodies []string
	auth   []string
}

func newFakeModel(t *testing.T, handle func(w http.ResponseWriter, body request)) *fakeModel {
	f := &fakeModel{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Method != http.MethodPost {
			http.NotFound(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		f.mu.Lock()
		f.bodies = append(f.bodies, string(b))
		f.auth = append(f.auth, r.Header.Get("Authorization"))
		f.mu.Unlock()
		var req request
		if err := json.Unmarshal(b, &req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		handle(w, req)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func reply(w http.ResponseWriter, text string) {
	json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]string{"role": "assistant", "content": text}}}})
}

const question = "What are the action items from the Q2 planning meeting with Acme on May 12?"

// With a model, the answer is phrased by it from the retrieved passages
// only, and the citations are the composed answer's.
func TestPhrasedAnswer(t *testing.T) {
	idx := fixture()
	model := newFakeModel(t, func(w http.ResponseWriter, req request) {
		if req.Model != "test-model" || len(req.Messages) != 2 || req.Messages[0].Role != "system" {
			http.Error(w, "bad request shape", http.StatusBadRequest)
			return
		}
		reply(w, "Priya confirms the NetSuite sandbox credentials [1]; Marcus returns the redlines [2].")
	})
	c, err := New(Options{BaseURL: model.srv.URL + "/v1/", Model: "test-model", APIKey: "sk-test"})
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC) }
	plain, err := answer.New(idx, answer.WithClock(now)).Ask(t.Context(), answer.Request{Question: question, Visibility: core.Visibility{Everything: true}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := answer.New(idx, answer.WithClock(now), answer.WithPhraser(c)).Ask(t.Context(), answer.Request{Question: question, Visibility: core.Visibility{Everything: true}})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Phrased || !strings.HasPrefix(got.Answer, "Priya confirms") {
		t.Errorf("answer not phrased by the model: %+v", got)
	}
	if !reflect.DeepEqual(got.Citations, plain.Citations) || !reflect.DeepEqual(got.Calls, plain.Calls) {
		t.Errorf("the model changed the citations or calls:\n%+v\n%+v", got.Citations, plain.Citations)
	}
	if len(model.bodies) != 1 || model.auth[0] != "Bearer sk-test" {
		t.Fatalf("requests %d, auth %q", len(model.bodies), model.auth)
	}
	body := model.bodies[0]
	for _, want := range []string{question, "[1] (call 1) Priya to confirm", "[2] (call 1) Marcus to return", "Acme Corp | Q2 planning"} {
		if !strings.Contains(body, want) {
			t.Errorf("the model was not sent %q", want)
		}
	}
	if strings.Contains(body, "HIDDEN-SECRET") {
		t.Error("the model was sent a call the asker may not see")
	}

	// Nothing found: the model is not asked, the answer is the same words.
	none, err := answer.New(idx, answer.WithPhraser(c)).Ask(t.Context(), answer.Request{Question: question})
	if err != nil || none.Answer != answer.NothingFound || none.Phrased || len(model.bodies) != 1 {
		t.Errorf("nothing visible: %+v, %v; %d requests", none, err, len(model.bodies))
	}
}

// A model that fails leaves the composed answer, and says why.
func TestModelFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		handle func(w http.ResponseWriter, req request)
		want   string
	}{
		"bad key": {func(w http.ResponseWriter, _ request) { http.Error(w, `{"error":{"message":"invalid key"}}`, 401) }, "api_key_env"},
		"server error": {func(w http.ResponseWriter, _ request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			w.Write([]byte(`{"error":{"message":"overloaded"}}`))
		}, "HTTP 503: overloaded"},
		"not json": {func(w http.ResponseWriter, _ request) { w.Write([]byte("<html>")) }, "chat completions format"},
		"empty":    {func(w http.ResponseWriter, _ request) { reply(w, "  ") }, "empty answer"},
		"too slow": {func(w http.ResponseWriter, _ request) { time.Sleep(300 * time.Millisecond); reply(w, "late") }, "deadline"},
	} {
		t.Run(name, func(t *testing.T) {
			model := newFakeModel(t, tc.handle)
			c, err := New(Options{BaseURL: model.srv.URL + "/v1", Model: "m", Timeout: 50 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			draft := &answer.Answer{Answer: "draft", Calls: []answer.CallRef{{ID: "1"}}, Citations: []answer.Citation{{CallID: "1", Text: "x"}}}
			_, err = c.Phrase(t.Context(), "q", draft)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Phrase: %v, want an error with %q", err, tc.want)
			}
			idx := fixture()
			a, err := answer.New(idx, answer.WithPhraser(c)).Ask(t.Context(), answer.Request{Question: question, Visibility: core.Visibility{Everything: true},
				Now: time.Date(2026, 5, 20, 12, 0, 0, 0, time.UTC)})
			if err != nil || a.Phrased || !strings.Contains(a.Answer, "NetSuite sandbox") {
				t.Errorf("with a failing model: %+v, %v; want the composed answer", a, err)
			}
		})
	}
}
