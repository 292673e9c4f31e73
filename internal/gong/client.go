// Package gong is the client of Gong's public REST API (v2): Basic auth, one
// pacer shared by every request, retries with backoff, pagination and
// tolerant decoding. Facts about the API are in shared/reference/gong-api.md.
package gong

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"gongconnector/internal/core"
)

// DefaultBaseURL is Gong's global API host; many tenants need their regional
// host (https://us-NNNNN.api.gong.io) instead.
const DefaultBaseURL = "https://api.gong.io"

// ErrCursorExpired is returned when Gong says a pagination cursor expired;
// the caller restarts its listing from its last checkpoint.
var ErrCursorExpired = errors.New("gong: pagination cursor expired")

// Options configure a Client. Zero values take the defaults in brackets.
type Options struct {
	BaseURL         string // [DefaultBaseURL]
	AccessKey       string
	AccessKeySecret string
	// Rate is requests per second for the whole tenant [3]; negative means unpaced.
	Rate float64
	// DailyBudget is how many requests this client may make per UTC day [10,000];
	// negative means unlimited.
	DailyBudget int
	// UsedToday is how many requests were already made today (by earlier
	// processes), so the budget holds across restarts.
	UsedToday int
	// MaxAttempts bounds tries of one request on 5xx, network and decode errors [8].
	MaxAttempts int
	// BackoffBase and BackoffMax bound the exponential backoff [250ms, 20s].
	BackoffBase, BackoffMax time.Duration
	// MaxRetryAfter is the longest Retry-After the client will wait out; a
	// longer one (Gong's daily limit) fails the request [2m].
	MaxRetryAfter time.Duration
	HTTPClient    *http.Client
	Logger        *slog.Logger
	Now           func() time.Time
}

// Client talks to one Gong tenant. It is safe for concurrent use; all
// requests share one pacer and one daily budget.
type Client struct {
	base    *url.URL
	auth    string
	http    *http.Client
	limiter *rate.Limiter
	opts    Options
	log     *slog.Logger

	mu       sync.Mutex
	day      string
	usedDay  int
	requests atomic.Int64
	limited  atomic.Int64
}

// New returns a client for the tenant at opts.BaseURL.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	u, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, core.Errorf(core.EInvalid, "gong.base_url %q is not an http(s) URL such as https://us-12345.api.gong.io", opts.BaseURL)
	}
	if opts.AccessKey == "" || opts.AccessKeySecret == "" {
		return nil, core.Errorf(core.EInvalid, "Gong credentials are missing: set GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET (or GONG_ACCESS_KEY_FILE and GONG_ACCESS_KEY_SECRET_FILE)")
	}
	if opts.Rate == 0 {
		opts.Rate = 3
	}
	if opts.DailyBudget == 0 {
		opts.DailyBudget = 10000
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 8
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = 250 * time.Millisecond
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 20 * time.Second
	}
	if opts.MaxRetryAfter <= 0 {
		opts.MaxRetryAfter = 2 * time.Minute
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 2 * time.Minute}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	lim := rate.NewLimiter(rate.Inf, 1)
	if opts.Rate > 0 {
		lim = rate.NewLimiter(rate.Limit(opts.Rate), 1)
	}
	c := &Client{
		base:    u,
		auth:    "Basic " + basicToken(opts.AccessKey, opts.AccessKeySecret),
		http:    opts.HTTPClient,
		limiter: lim,
		opts:    opts,
		log:     opts.Logger,
		day:     opts.Now().UTC().Format(time.DateOnly),
		usedDay: opts.UsedToday,
	}
	return c, nil
}

// BaseURL is the API host the client talks to.
func (c *Client) BaseURL() string { return c.base.String() }

// Requests returns how many HTTP requests were sent and how many of them
// Gong answered with 429, since the client was made.
func (c *Client) Requests() (sent, rateLimited int64) {
	return c.requests.Load(), c.limited.Load()
}

// BudgetLeft returns how many requests remain in today's budget, or -1 when
// the budget is unlimited.
func (c *Client) BudgetLeft() int {
	if c.opts.DailyBudget < 0 {
		return -1
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rollDay()
	return max(0, c.opts.DailyBudget-c.usedDay)
}

func (c *Client) rollDay() {
	if d := c.opts.Now().UTC().Format(time.DateOnly); d != c.day {
		c.day, c.usedDay = d, 0
	}
}

// takeBudget reserves one request of today's budget.
func (c *Client) takeBudget() error {
	if c.opts.DailyBudget < 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rollDay()
	if c.usedDay >= c.opts.DailyBudget {
		return core.Errorf(core.EUnavailable, "the daily Gong API budget of %d requests is used up (gong.daily_budget); crawling resumes after midnight UTC", c.opts.DailyBudget)
	}
	c.usedDay++
	return nil
}

// apiError is a non-2xx answer from Gong.
type apiError struct {
	Status int
	Method string
	Path   string
	Errors []string
}

func (e *apiError) Error() string {
	msg := strings.Join(e.Errors, "; ")
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s %s: HTTP %d: %s", e.Method, e.Path, e.Status, msg)
}

// isNoneFound reports whether a 404 is Gong's way of saying "empty result".
func (e *apiError) isNoneFound() bool {
	if e.Status != http.StatusNotFound {
		return false
	}
	for _, m := range e.Errors {
		if strings.Contains(m, "found corresponding to the provided filters") {
			return true
		}
	}
	return false
}

func (e *apiError) isCursorExpired() bool {
	if e.Status < 400 || e.Status >= 500 {
		return false
	}
	for _, m := range e.Errors {
		if strings.Contains(strings.ToLower(m), "cursor has expired") {
			return true
		}
	}
	return false
}

// do sends one API request, retrying what can be retried, and decodes a 2xx
// body into out. It returns errNoneFound for Gong's "nothing found" 404.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any, out any) error {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return fmt.Errorf("gong: encode %s body: %w", path, err)
		}
	}
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	target := u.String()

	var lastErr error
	rateLimitedWaits := 0
	for attempt := 1; ; attempt++ {
		if err := c.limiter.Wait(ctx); err != nil {
			return fmt.Errorf("gong: %s %s: %w", method, path, ctxErr(ctx, err))
		}
		if err := c.takeBudget(); err != nil {
			return err
		}
		status, retryAfter, err := c.once(ctx, method, target, path, payload, out)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("gong: %s %s: %w", method, path, ctx.Err())
		}
		var ae *apiError
		switch {
		case errors.As(err, &ae) && ae.isNoneFound():
			return errNoneFound
		case errors.As(err, &ae) && ae.isCursorExpired():
			return ErrCursorExpired
		case status == http.StatusUnauthorized:
			return &core.Error{Code: core.EUnauthorized, Message: "Gong rejected the access key (401): check GONG_ACCESS_KEY and GONG_ACCESS_KEY_SECRET", Err: err}
		case status == http.StatusForbidden:
			return &core.Error{Code: core.EUnauthorized, Message: "Gong refused the request (403): the access key may have expired, lack API permissions, or be restricted to other IP addresses", Err: err}
		case status == http.StatusTooManyRequests:
			c.limited.Add(1)
			if retryAfter > c.opts.MaxRetryAfter {
				return &core.Error{Code: core.EUnavailable, Message: fmt.Sprintf("Gong's API limit is reached and it asks to wait %s (its daily limit is likely used up by this or another integration); the crawl resumes later", retryAfter.Round(time.Second)), Err: err}
			}
			rateLimitedWaits++
			if rateLimitedWaits > 50 {
				return &core.Error{Code: core.EUnavailable, Message: "Gong kept answering 429 (rate limit) for every retry; lower gong.rate or check other integrations using the same Gong tenant", Err: err}
			}
			if retryAfter < 0 { // no usable Retry-After header
				retryAfter = time.Second
			}
			c.log.Debug("gong rate limited", slog.String("path", path), slog.Duration("retry_after", retryAfter))
			if err := sleep(ctx, retryAfter); err != nil {
				return fmt.Errorf("gong: %s %s: %w", method, path, err)
			}
			attempt-- // a 429 is Gong pacing us, not a failure of the request
			continue
		case status == http.StatusNotFound:
			return &core.Error{Code: core.ENotFound, Message: fmt.Sprintf("Gong answered 404 for %s %s: check gong.base_url (%s); it must be your tenant's API host, such as https://us-12345.api.gong.io", method, path, c.base), Err: err}
		case status >= 400 && status < 500:
			return &core.Error{Code: core.EInvalid, Message: fmt.Sprintf("Gong rejected %s %s (HTTP %d)", method, path, status), Err: err}
		}
		// 5xx, network errors, truncated or malformed bodies: retry with backoff.
		lastErr = err
		if attempt >= c.opts.MaxAttempts {
			break
		}
		d := c.backoff(attempt)
		c.log.Debug("gong request failed, retrying", slog.String("path", path), slog.Int("attempt", attempt), slog.Duration("backoff", d), slog.String("error", err.Error()))
		if err := sleep(ctx, d); err != nil {
			return fmt.Errorf("gong: %s %s: %w", method, path, err)
		}
	}
	return transientFailure(c.base.String(), method, path, c.opts.MaxAttempts, lastErr)
}

var errNoneFound = errors.New("gong: nothing found")

// transientFailure words the error left after every retry failed.
func transientFailure(base, method, path string, attempts int, err error) error {
	var ae *apiError
	var de *decodeError
	var ne net.Error
	var oe *net.OpError
	switch {
	case errors.As(err, &ae):
		return &core.Error{Code: core.EUnavailable, Message: fmt.Sprintf("Gong kept failing (HTTP %d) for %s %s after %d attempts; it may be having an outage, try again later", ae.Status, method, path, attempts), Err: err}
	case errors.As(err, &de):
		return &core.Error{Code: core.EUnavailable, Message: fmt.Sprintf("Gong sent a malformed response to %s %s %d times in a row; is gong.base_url (%s) really the Gong API?", method, path, attempts, base), Err: err}
	case errors.As(err, &oe) && oe.Op == "dial", errors.As(err, &ne) && ne.Timeout():
		return &core.Error{Code: core.EUnavailable, Message: fmt.Sprintf("cannot reach Gong at %s: check gong.base_url and the network", base), Err: err}
	default:
		return &core.Error{Code: core.EUnavailable, Message: fmt.Sprintf("the connection to Gong at %s keeps failing for %s %s", base, method, path), Err: err}
	}
}

// rawBody receives a 2xx body as checked but undecoded JSON.
type rawBody struct{ b []byte }

// decodeError is a 2xx response whose body is not the JSON we expect.
type decodeError struct {
	Path string
	Err  error
	Head string
}

func (e *decodeError) Error() string {
	return fmt.Sprintf("decode %s response: %v (body starts %q)", e.Path, e.Err, e.Head)
}

func (e *decodeError) Unwrap() error { return e.Err }

// once sends a single request. It returns the HTTP status (0 when none came
// back), the Retry-After delay of a 429, and an error for anything but a
// decoded 2xx.
func (c *Client) once(ctx context.Context, method, target, path string, payload []byte, out any) (int, time.Duration, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, rd)
	if err != nil {
		return 0, 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.requests.Add(1)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return resp.StatusCode, 0, fmt.Errorf("read %s response: %w", path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		ae := &apiError{Status: resp.StatusCode, Method: method, Path: path}
		var er ErrorResponse
		if json.Unmarshal(body, &er) == nil {
			ae.Errors = er.Errors
		}
		ra := time.Duration(-1)
		if resp.StatusCode == http.StatusTooManyRequests {
			ra = parseRetryAfter(resp.Header.Get("Retry-After"), c.opts.Now())
		}
		return resp.StatusCode, ra, ae
	}
	if raw, ok := out.(*rawBody); ok {
		// Decoded later by the caller, which validates it as it goes; a body
		// that is not even a JSON object (a proxy's HTML page) is a transport
		// fault, worth a retry.
		if t := bytes.TrimSpace(body); len(t) == 0 || t[0] != '{' {
			return resp.StatusCode, 0, &decodeError{Path: path, Err: errors.New("not a JSON object"), Head: head(body, 60)}
		}
		raw.b = body
		return resp.StatusCode, 0, nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return resp.StatusCode, 0, &decodeError{Path: path, Err: err, Head: head(body, 60)}
	}
	return resp.StatusCode, 0, nil
}

func head(b []byte, n int) string {
	if len(b) > n {
		b = b[:n]
	}
	return string(b)
}

// parseRetryAfter reads seconds (Gong's form) or an HTTP date; -1 means the
// header was missing or unreadable.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return -1
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(s * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now))
	}
	return -1
}

// backoff is capped exponential backoff with full jitter.
func (c *Client) backoff(attempt int) time.Duration {
	d := c.opts.BackoffBase << min(attempt-1, 20)
	if d > c.opts.BackoffMax || d <= 0 {
		d = c.opts.BackoffMax
	}
	return d/2 + rand.N(d/2+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func ctxErr(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}
