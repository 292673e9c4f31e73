package gong

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const fixtureDir = "../../../shared/fixtures/gong"

// TestFixturesDecode decodes every real Gong payload in shared/fixtures/gong
// into our types and checks the facts each one is there to show.
func TestFixturesDecode(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtureDir, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures found in %s (is ../shared beside the repository?): %v", fixtureDir, err)
	}
	checked := map[string]bool{}
	for _, f := range files {
		name := filepath.Base(f)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			decode := func(v any) {
				t.Helper()
				if err := json.Unmarshal(b, v); err != nil {
					t.Fatalf("decode %s: %v", name, err)
				}
			}
			switch {
			case strings.HasPrefix(name, "all-permission-profiles."):
				var ps []Profile
				decode(&ps)
				wrapped, _ := json.Marshal(map[string]any{"requestId": "x", "profiles": json.RawMessage(b)})
				var resp ProfilesResponse
				if err := json.Unmarshal(wrapped, &resp); err != nil || len(resp.Profiles) != len(ps) {
					t.Fatalf("envelope: %v, %d profiles", err, len(resp.Profiles))
				}
				for _, p := range ps {
					if p.ID == "" || p.CallsAccess == nil || p.CallsAccess.PermissionLevel == "" {
						t.Errorf("profile %q: id or callsAccess missing: %+v", p.Name, p)
					}
				}
			case strings.HasPrefix(name, "calls-extensive."):
				var r ExtensiveResponse
				decode(&r)
				if len(r.Calls) == 0 || r.Calls[0].MetaData.ID == "" {
					t.Fatalf("no calls decoded")
				}
				for _, c := range r.Calls {
					nc := c.Normalize()
					if nc.ID != string(c.MetaData.ID) {
						t.Errorf("normalize lost the id")
					}
				}
			case strings.HasPrefix(name, "calls-transcript."):
				var r TranscriptResponse
				decode(&r)
				if len(r.CallTranscripts) == 0 || len(r.CallTranscripts[0].Transcript[0].Sentences) == 0 {
					t.Fatalf("no transcript decoded")
				}
			case strings.HasPrefix(name, "calls.response."):
				var r CallsResponse
				decode(&r)
				if r.Records.Cursor == "" || len(r.Calls) == 0 {
					t.Fatalf("cursor or calls missing: %+v", r.Records)
				}
			case strings.HasPrefix(name, "error."):
				var r ErrorResponse
				decode(&r)
				if len(r.Errors) == 0 {
					t.Fatalf("errors not decoded")
				}
			case strings.HasPrefix(name, "users"):
				var r UsersResponse
				decode(&r)
				if len(r.Users) == 0 || r.Users[0].ID == "" {
					t.Fatalf("no users decoded")
				}
			case strings.HasPrefix(name, "webhook."):
				var r struct {
					CallData ExtensiveCall `json:"callData"`
					IsTest   bool          `json:"isTest"`
				}
				decode(&r)
				if r.CallData.MetaData.ID == "" || r.CallData.MetaData.Started.IsZero() {
					t.Fatalf("metaData not decoded: %+v", r.CallData.MetaData)
				}
				r.CallData.Normalize()
			case strings.HasPrefix(name, "workspaces."):
				var ws []Workspace
				decode(&ws)
				if len(ws) == 0 || ws[0].ID == "" || ws[0].Name == "" {
					t.Fatalf("workspaces not decoded: %+v", ws)
				}
			default:
				t.Fatalf("no decoder for fixture %s: add one", name)
			}
			checked[name] = true
		})
	}
}

func readFixture(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func TestDocExampleNumericTimesAndSpeakerID(t *testing.T) {
	var r ExtensiveResponse
	readFixture(t, "calls-extensive.response.gong-doc-example.json", &r)
	c := r.Calls[0].Normalize()
	if want := time.Unix(1518863400, 0).UTC(); !c.Started.Equal(want) {
		t.Errorf("started = %v, want %v", c.Started, want)
	}
	if len(c.ActionItems) != 1 || c.ActionItems[0].Speaker != "Test User" {
		t.Errorf("action item speaker (speakerID is the party id here) = %+v", c.ActionItems)
	}
	if len(c.Deals) != 1 || c.Deals[0].Name != "Gong Inc." {
		t.Errorf("deal from lower-case \"name\" field = %+v", c.Deals)
	}
	if c.Duration != 460*time.Second || c.Outcome == nil || c.Outcome.Name != "Meeting booked" {
		t.Errorf("duration %v outcome %+v", c.Duration, c.Outcome)
	}
}

func TestHelpSampleCRMContext(t *testing.T) {
	var r struct {
		CallData ExtensiveCall `json:"callData"`
	}
	readFixture(t, "webhook.call-data.gong-help-sample.json", &r)
	c := r.CallData.Normalize()
	if len(c.Accounts) != 1 || c.Accounts[0].Name != "Acme" || c.Accounts[0].Website != "acme.com" {
		t.Errorf("accounts = %+v", c.Accounts)
	}
	if len(c.Deals) != 1 || c.Deals[0].Name != "Acme - Renewal (28)" || c.Deals[0].Amount != 50000 || c.Deals[0].Stage != "Open Renewal" || c.Deals[0].CloseDate != "2019-12-30" {
		t.Errorf("deals = %+v", c.Deals)
	}
	if want := time.Date(2019, 10, 18, 21, 3, 37, 41977000, time.UTC); !c.Started.Equal(want) {
		t.Errorf("started = %v, want %v (microseconds and offset)", c.Started, want)
	}
	if len(c.Parties) != 2 || c.Parties[1].UserID != "3022101605611220443" || c.Parties[0].UserID != "" {
		t.Errorf("parties = %+v", c.Parties)
	}
}

func TestAmpWebhookNulls(t *testing.T) {
	var r struct {
		CallData ExtensiveCall `json:"callData"`
	}
	readFixture(t, "webhook.call-data.amp-labs-test-event.json", &r)
	m := r.CallData.MetaData
	if m.Purpose != nil || m.CalendarEventID != nil {
		t.Errorf("nulls decoded as values: %+v", m)
	}
	c := r.CallData.Normalize()
	if len(c.Accounts) != 0 || len(c.Topics) != 6 {
		t.Errorf("accounts %+v topics %+v", c.Accounts, c.Topics)
	}
	var phone bool
	for _, p := range c.Parties {
		if p.Email == "" && p.UserID == "" {
			phone = true
		}
	}
	if !phone {
		t.Errorf("the party without email or userId was lost: %+v", c.Parties)
	}
}

func TestTolerantScalars(t *testing.T) {
	tests := []struct {
		name string
		in   string
		id   ID
		at   time.Time
	}{
		{"string id and RFC3339", `{"id":"123","t":"2024-02-17T03:30:00-07:00"}`, "123", time.Date(2024, 2, 17, 10, 30, 0, 0, time.UTC)},
		{"20-digit numeric id", `{"id":12345678901234567890,"t":1518863400}`, "12345678901234567890", time.Unix(1518863400, 0)},
		{"nulls", `{"id":null,"t":null}`, "", time.Time{}},
		{"fractional epoch", `{"id":"1","t":1518863400.5}`, "1", time.Unix(1518863400, 5e8)},
		{"nanoseconds", `{"id":"1","t":"2020-11-20T21:30:07.233692Z"}`, "1", time.Date(2020, 11, 20, 21, 30, 7, 233692000, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var v struct {
				ID ID   `json:"id"`
				T  Time `json:"t"`
			}
			if err := json.Unmarshal([]byte(tt.in), &v); err != nil {
				t.Fatal(err)
			}
			if v.ID != tt.id || !v.T.Equal(tt.at) {
				t.Errorf("got id %q time %v, want %q %v", v.ID, v.T.Time, tt.id, tt.at)
			}
		})
	}
	for _, bad := range []string{`{"t":"yesterday"}`, `{"t":true}`, `{"id":[1]}`} {
		var v struct {
			ID ID   `json:"id"`
			T  Time `json:"t"`
		}
		if err := json.Unmarshal([]byte(bad), &v); err == nil {
			t.Errorf("%s: want an error", bad)
		}
	}
}

func FuzzDecodeExtensive(f *testing.F) {
	for _, name := range []string{"calls-extensive.response.gong-doc-example.json", "calls-extensive.response.amp-labs-partial-metadata.json"} {
		b, err := os.ReadFile(filepath.Join(fixtureDir, name))
		if err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"calls":[{"metaData":{"id":1,"started":"x"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var r ExtensiveResponse
		if json.Unmarshal(b, &r) != nil {
			return
		}
		for i := range r.Calls {
			c := r.Calls[i].Normalize()
			_ = c.Hash()
		}
	})
}
