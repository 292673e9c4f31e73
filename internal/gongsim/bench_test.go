package gongsim

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

const fullSelectorJSON = `"contentSelector":{"context":"Extended","exposedFields":{"parties":true,"content":{"structure":true,"topics":true,"trackers":true,"pointsOfInterest":true,"brief":true,"outline":true,"highlights":true,"callOutcome":true,"keyPoints":true}}}`

// BenchmarkExtensivePage serves one page of 100 extensive calls with
// everything selected, through the handler (generation and JSON encoding).
func BenchmarkExtensivePage(b *testing.B) {
	s, err := New(Options{Seed: 7, Calls: 20000, Now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)})
	if err != nil {
		b.Fatal(err)
	}
	h := s.Handler()
	body := []byte(`{"filter":{"fromDateTime":"2025-01-01T00:00:00Z","toDateTime":"2025-06-01T00:00:00Z"},` + fullSelectorJSON + `}`)
	b.ReportAllocs()
	var bytesOut int
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/v2/calls/extensive", bytes.NewReader(body))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
		bytesOut = rec.Body.Len()
	}
	b.ReportMetric(float64(b.N*100)/b.Elapsed().Seconds(), "calls/s")
	b.ReportMetric(float64(bytesOut)/100, "B/call")
}
