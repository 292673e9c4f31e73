package graphsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
)

type batchRequest struct {
	ID        string            `json:"id"`
	Method    string            `json:"method"`
	URL       string            `json:"url"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	DependsOn []string          `json:"dependsOn,omitempty"`
}

type batchResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// batch serves POST /$batch: at most 20 requests with unique ids and
// relative urls, each run as if sent alone with the batch's token; the
// responses come back in an order of the simulator's choosing.
func (s *Sim) batch(w http.ResponseWriter, r *http.Request) {
	s.counts.batches.Add(1)
	var in struct {
		Requests []batchRequest `json:"requests"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<20))
	if err := dec.Decode(&in); err != nil {
		graphError(w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format.")
		return
	}
	switch n := len(in.Requests); {
	case n == 0:
		graphError(w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format: no requests.")
		return
	case n > MaxBatch:
		graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid batch payload format: %d requests, the limit is %d.", n, MaxBatch))
		return
	}
	seen := map[string]bool{}
	for _, br := range in.Requests {
		switch {
		case br.ID == "" || br.Method == "" || br.URL == "":
			graphError(w, http.StatusBadRequest, "BadRequest", "Invalid batch payload format: every request needs an id, a method and a url.")
			return
		case seen[br.ID]:
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid batch payload format: request id '%s' is used more than once.", br.ID))
			return
		case len(br.Body) > 0 && headerValue(br.Headers, "Content-Type") == "":
			graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid batch payload format: request '%s' has a body but no Content-Type header.", br.ID))
			return
		}
		for _, d := range br.DependsOn {
			if !seen[d] {
				graphError(w, http.StatusBadRequest, "BadRequest", fmt.Sprintf("Invalid batch payload format: request '%s' depends on '%s', which does not come before it.", br.ID, d))
				return
			}
		}
		seen[br.ID] = true
	}
	status := map[string]int{}
	out := make([]batchResponse, 0, len(in.Requests))
	for _, br := range in.Requests {
		res := s.runSub(r, br, status)
		status[br.ID] = res.Status
		out = append(out, res)
	}
	s.mu.Lock()
	s.rng.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"responses": out})
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// runSub runs one sub-request of a batch.
func (s *Sim) runSub(outer *http.Request, br batchRequest, status map[string]int) batchResponse {
	s.counts.sub.Add(1)
	res := batchResponse{ID: br.ID}
	for _, d := range br.DependsOn {
		if status[d] >= 400 {
			return subError(br.ID, http.StatusFailedDependency, "FailedDependency", fmt.Sprintf("Request '%s' failed, so '%s' was not run.", d, br.ID), nil)
		}
	}
	if strings.Contains(br.URL, "://") || strings.HasPrefix(br.URL, "//") {
		return subError(br.ID, http.StatusBadRequest, "BadRequest", "Invalid request URL: batch requests take urls relative to the version, such as /users.", nil)
	}
	switch s.drawSub() {
	case http.StatusTooManyRequests:
		s.counts.throttled.Add(1)
		h := http.Header{}
		s.throttle(h)
		hs := map[string]string{}
		if v := h.Get("Retry-After"); v != "" {
			hs["Retry-After"] = v
		}
		return subError(br.ID, http.StatusTooManyRequests, "TooManyRequests", "Too many requests. Please retry after the time in the Retry-After header.", hs)
	case http.StatusServiceUnavailable:
		s.counts.serverErrors.Add(1)
		return subError(br.ID, http.StatusServiceUnavailable, "serviceNotAvailable", "The service is temporarily unavailable. Please retry later.", nil)
	}
	target := "/v1.0/" + strings.TrimPrefix(br.URL, "/")
	if p, _, _ := strings.Cut(target, "?"); p == "/v1.0/$batch" {
		return subError(br.ID, http.StatusBadRequest, "BadRequest", "Batch requests cannot be nested.", nil)
	}
	var body *bytes.Reader
	if len(br.Body) > 0 {
		body = bytes.NewReader(br.Body)
	} else {
		body = bytes.NewReader(nil)
	}
	req, err := http.NewRequestWithContext(outer.Context(), br.Method, target, body)
	if err != nil {
		return subError(br.ID, http.StatusBadRequest, "BadRequest", "Invalid request URL.", nil)
	}
	req.Host = outer.Host
	req.TLS = outer.TLS
	for k, v := range br.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Authorization", outer.Header.Get("Authorization"))
	rec := httptest.NewRecorder()
	s.graphMux.ServeHTTP(rec, req)
	res.Status = rec.Code
	res.Headers = map[string]string{}
	for k := range rec.Header() {
		res.Headers[k] = rec.Header().Get(k)
	}
	if b := rec.Body.Bytes(); len(b) > 0 {
		if json.Valid(b) {
			res.Body = b
		} else {
			res.Body, _ = json.Marshal(b) // base64, as Graph sends non-JSON bodies
		}
	}
	return res
}

func subError(id string, status int, code, msg string, headers map[string]string) batchResponse {
	if headers == nil {
		headers = map[string]string{}
	}
	headers["Content-Type"] = "application/json"
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg}})
	return batchResponse{ID: id, Status: status, Headers: headers, Body: b}
}
