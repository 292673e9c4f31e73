package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"gongconnector/internal/core"
)

// MaxBatch is the most requests Graph accepts in one JSON batch.
const MaxBatch = 20

// BatchRequest is one request carried in a JSON batch.
type BatchRequest struct {
	// ID names the request in its response; IDs must be unique within one
	// call of Batch. Empty is allowed when the caller reads responses by
	// position.
	ID     string
	Method string
	// URL is relative to the API version, such as "/users?$filter=…".
	URL     string
	Headers map[string]string
	// Body is sent as JSON unless nil; Content-Type defaults to application/json.
	Body any
}

// BatchResponse is the answer to one BatchRequest.
type BatchResponse struct {
	ID      string
	Status  int
	Headers map[string]string
	// Body is the response body: JSON, or a JSON string of base64 for
	// other content types.
	Body json.RawMessage
}

type wireRequest struct {
	ID      string            `json:"id"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

type wireResponse struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body"`
}

// Batch sends reqs through POST /$batch, at most 20 to a batch and up to
// BatchConcurrency batches at a time, and returns their answers in the
// order of reqs. Sub-requests answered 429 or 5xx are sent again (in fresh
// batches, after their Retry-After or a backoff) up to Retry.MaxAttempts
// times; every other status, 4xx included, is returned as it came.
func (c *Client) Batch(ctx context.Context, reqs []BatchRequest) ([]BatchResponse, error) {
	wire := make([]wireRequest, len(reqs))
	ids := make(map[string]bool, len(reqs))
	for i, r := range reqs {
		if r.ID != "" {
			if ids[r.ID] {
				return nil, core.Errorf(core.EInvalid, "graph: batch request id %q is used twice", r.ID)
			}
			ids[r.ID] = true
		}
		w := wireRequest{ID: strconv.Itoa(i), Method: r.Method, URL: r.URL, Headers: r.Headers}
		if w.Method == "" {
			w.Method = http.MethodGet
		}
		if r.Body != nil {
			b, err := json.Marshal(r.Body)
			if err != nil {
				return nil, fmt.Errorf("graph: encode batch request %d (%s %s): %w", i, r.Method, pathOf(r.URL), err)
			}
			w.Body = b
			if headerValue(w.Headers, "Content-Type") == "" {
				h := map[string]string{"Content-Type": "application/json"}
				for k, v := range w.Headers {
					h[k] = v
				}
				w.Headers = h
			}
		}
		wire[i] = w
	}

	out := make([]BatchResponse, len(reqs))
	pending := make([]int, len(reqs))
	for i := range pending {
		pending[i] = i
	}
	p := c.Retry
	for attempt := 1; len(pending) > 0; attempt++ {
		retry, notBefore, err := c.batchRound(ctx, wire, pending, out)
		if err != nil {
			return nil, err
		}
		if len(retry) == 0 {
			break
		}
		last := out[retry[0]]
		if attempt >= p.MaxAttempts {
			what := "throttling"
			if last.Status != http.StatusTooManyRequests {
				what = fmt.Sprintf("failing (HTTP %d)", last.Status)
			}
			return nil, &core.Error{Code: core.EUnavailable,
				Message: fmt.Sprintf("Microsoft Graph kept %s %d of %d batched requests after %d attempts; try again later", what, len(retry), len(reqs), attempt),
				Err:     subError(wire[retry[0]], last)}
		}
		wait := time.Until(notBefore)
		if notBefore.IsZero() {
			wait = backoff(p, attempt)
		}
		if wait > p.MaxRetryAfter {
			return nil, &core.Error{Code: core.EUnavailable,
				Message: fmt.Sprintf("Microsoft Graph is throttling batched requests and asks to wait %s, longer than %s; try again later", wait.Round(time.Second), p.MaxRetryAfter),
				Err:     subError(wire[retry[0]], last)}
		}
		c.log.Debug("graph: resending batched requests", slog.Int("requests", len(retry)), slog.Int("attempt", attempt), slog.Duration("wait", wait))
		if wait > 0 {
			if err := sleep(ctx, wait); err != nil {
				return nil, fmt.Errorf("graph: batch: %w", err)
			}
		}
		pending = retry
	}
	for i := range out {
		out[i].ID = reqs[i].ID
	}
	return out, nil
}

// batchRound sends the pending requests once, in batches of MaxBatch, and
// fills out. It returns the requests to send again and, when any came back
// with Retry-After, the time before which they must not be.
func (c *Client) batchRound(ctx context.Context, wire []wireRequest, pending []int, out []BatchResponse) ([]int, time.Time, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var chunks [][]int
	for start := 0; start < len(pending); start += MaxBatch {
		chunks = append(chunks, pending[start:min(start+MaxBatch, len(pending))])
	}
	var (
		mu        sync.Mutex
		retry     []int
		notBefore time.Time
		firstErr  error
		wg        sync.WaitGroup
	)
	work := make(chan []int)
	for range max(1, min(c.BatchConcurrency, len(chunks))) {
		wg.Go(func() {
			for chunk := range work {
				again, until, err := c.sendBatch(ctx, wire, chunk, out)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
					cancel()
				}
				retry = append(retry, again...)
				if until.After(notBefore) {
					notBefore = until
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, ch := range chunks {
		select {
		case work <- ch:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	if firstErr != nil {
		return nil, time.Time{}, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, time.Time{}, fmt.Errorf("graph: batch: %w", err)
	}
	return retry, notBefore, nil
}

// sendBatch posts one batch; each index of chunk is written to out only by
// this call.
func (c *Client) sendBatch(ctx context.Context, wire []wireRequest, chunk []int, out []BatchResponse) ([]int, time.Time, error) {
	body := struct {
		Requests []wireRequest `json:"requests"`
	}{Requests: make([]wireRequest, len(chunk))}
	for k, i := range chunk {
		body.Requests[k] = wire[i]
	}
	res, err := c.Do(ctx, Request{Method: http.MethodPost, URL: "/$batch", Body: body})
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("batch of %s: %w", plural(len(chunk), "request"), err)
	}
	var got struct {
		Responses []wireResponse `json:"responses"`
	}
	if err := json.Unmarshal(res.Body, &got); err != nil {
		return nil, time.Time{}, fmt.Errorf("graph: decode batch response: %w", err)
	}
	byID := make(map[string]wireResponse, len(got.Responses))
	for _, r := range got.Responses {
		byID[r.ID] = r
	}
	now := time.Now()
	var retry []int
	var notBefore time.Time
	for _, i := range chunk {
		r, ok := byID[wire[i].ID]
		if !ok {
			// Graph answers every request of a batch; a missing answer is
			// treated as a transient failure.
			out[i] = BatchResponse{Status: http.StatusBadGateway}
			retry = append(retry, i)
			continue
		}
		out[i] = BatchResponse{Status: r.Status, Headers: r.Headers, Body: r.Body}
		if r.Status == http.StatusTooManyRequests || r.Status >= 500 {
			retry = append(retry, i)
			h := http.Header{}
			h.Set("Retry-After", headerValue(r.Headers, "Retry-After"))
			if d := retryAfter(h, now); d > 0 && now.Add(d).After(notBefore) {
				notBefore = now.Add(d)
			}
		}
	}
	return retry, notBefore, nil
}

// subError describes a failed sub-request.
func subError(w wireRequest, r BatchResponse) error {
	ae := newAPIError(w.Method, pathOf(w.URL), r.Status, r.Body)
	return ae
}

func headerValue(h map[string]string, name string) string {
	for k, v := range h {
		if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(name) {
			return v
		}
	}
	return ""
}
