// Package graph talks to Microsoft Graph with plain net/http and tokens from
// azidentity: one request path with retries and throttling, JSON batching,
// and the Microsoft Entra ID directory (users by UPN, mail, object id or
// employee id; transitive group members). Facts about the API are in
// shared/reference/graph-connectors.md; internal/graphsim is its test double.
package graph

import (
	"bytes"
	"context"
	"crypto/tls"
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
	"sync/atomic"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"gongconnector/internal/core"
)

// DefaultBaseURL is Microsoft Graph v1.0 in the public cloud.
const DefaultBaseURL = "https://graph.microsoft.com/v1.0"

// Scope is the scope of app-only Graph tokens: the application permissions
// an admin consented to.
const Scope = "https://graph.microsoft.com/.default"

// maxBody bounds a Graph response read into memory.
const maxBody = 32 << 20

// RetryPolicy bounds how a Client retries.
type RetryPolicy struct {
	// MaxAttempts is the most tries of one request (or of one batched
	// sub-request), the first included [6].
	MaxAttempts int
	// BaseDelay and MaxDelay bound the exponential backoff after a 5xx or a
	// network error, and after a 429 without Retry-After [1s, 30s].
	BaseDelay, MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits out; Graph
	// asking for longer fails the request [2m].
	MaxRetryAfter time.Duration
	// ThrottleBudget is how long one request may wait out Graph's
	// Retry-Afters in all [10m]. Within it, a retry Graph timed is not an
	// attempt: a throttling storm slows a push down but fails nothing.
	// Zero counts every retry as an attempt.
	ThrottleBudget time.Duration
}

// defaultRetry is the policy NewClient installs.
var defaultRetry = RetryPolicy{MaxAttempts: 6, BaseDelay: time.Second, MaxDelay: 30 * time.Second, MaxRetryAfter: 2 * time.Minute,
	ThrottleBudget: 10 * time.Minute}

// Client sends requests to Microsoft Graph with an app-only token. It is
// safe for concurrent use once configured.
type Client struct {
	base    *url.URL
	baseErr error
	cred    azcore.TokenCredential
	http    *http.Client
	log     *slog.Logger

	// Retry is the retry policy [6 attempts, 1s to 30s backoff, Retry-After
	// up to 2m]; change it before the first request.
	Retry RetryPolicy
	// BatchConcurrency is how many $batch requests Batch keeps in flight [4].
	BatchConcurrency int

	sent atomic.Int64
	// pausedUntil (unix nanoseconds) holds every request back while a
	// Retry-After Graph asked for runs: a throttled client that kept
	// sending from other goroutines would only be throttled longer.
	pausedUntil atomic.Int64
}

// NewClient returns a client of the Graph API at baseURL [DefaultBaseURL]
// that authenticates with cred. A nil httpClient means one with a two-minute
// timeout that keeps up to 32 idle connections; a nil log discards.
func NewClient(baseURL string, cred azcore.TokenCredential, httpClient *http.Client, log *slog.Logger) *Client {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	if httpClient == nil {
		// Keep a connection per request in flight (a push keeps up to 25,
		// Graph's limit per connection) instead of the default two: a TLS
		// handshake per request would cost more than the request.
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = 32
		httpClient = &http.Client{Timeout: 2 * time.Minute, Transport: tr}
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Client{cred: cred, http: httpClient, log: log, Retry: defaultRetry, BatchConcurrency: 4}
	u, err := url.Parse(strings.TrimRight(baseURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		c.baseErr = core.Errorf(core.EInvalid, "%s %q is not an https URL such as %s", settingGraphURL, baseURL, DefaultBaseURL)
	}
	c.base = u
	return c
}

// BaseURL is the Graph address the client talks to.
func (c *Client) BaseURL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// Requests returns how many HTTP requests the client has sent to Graph.
func (c *Client) Requests() int64 { return c.sent.Load() }

// Request is one Graph call.
type Request struct {
	Method string
	// URL is relative to the base URL ("/users?$filter=…") or an absolute URL
	// on the same host, such as an @odata.nextLink.
	URL    string
	Header http.Header
	// Body is sent as JSON unless nil; a []byte or json.RawMessage is sent as is.
	Body any
	// Permission is the application permission the call needs, named in the
	// error when Graph answers 403.
	Permission string
}

// Response is a successful (2xx) Graph answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// APIError is a non-2xx answer from Graph, with Graph's error code and
// message. Errors from Do wrap it in a *core.Error worded for an admin.
type APIError struct {
	Status  int
	Code    string
	Message string
	Method  string
	// Path is the request path without its query.
	Path string
}

// Error returns "METHOD PATH: HTTP status code: message".
func (e *APIError) Error() string {
	s := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// odataError is Graph's error body.
type odataError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func newAPIError(method, path string, status int, body []byte) *APIError {
	var oe odataError
	_ = json.Unmarshal(body, &oe)
	return &APIError{Status: status, Code: oe.Error.Code, Message: oe.Error.Message, Method: method, Path: path}
}

// Do sends r, retrying 5xx and network errors with capped exponential
// backoff and jitter, and 429/503 after Retry-After. A 401 or 403 fails at
// once. A non-2xx answer is returned as an error wrapping *APIError.
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	if c.baseErr != nil {
		return nil, c.baseErr
	}
	u, err := c.resolve(r.URL)
	if err != nil {
		return nil, err
	}
	var body []byte
	switch b := r.Body.(type) {
	case nil:
	case []byte:
		body = b
	case json.RawMessage:
		body = b
	default:
		if body, err = json.Marshal(b); err != nil {
			return nil, fmt.Errorf("graph: encode %s %s: %w", r.Method, u.Path, err)
		}
	}
	p := c.Retry
	var throttled time.Duration // Retry-Afters waited out
	for attempt, tries := 1, 1; ; tries++ {
		res, wait, err := c.once(ctx, r, u, body)
		if err == nil {
			return res, nil
		}
		switch {
		case wait > 0 && wait <= p.MaxRetryAfter && throttled+wait <= p.ThrottleBudget:
			throttled += wait // Graph said when: not an attempt
		case wait < 0 || attempt >= p.MaxAttempts:
			return nil, c.giveUp(r, u, err, tries)
		default:
			attempt++
		}
		if wait == 0 {
			wait = backoff(p, attempt-1)
		}
		if wait > p.MaxRetryAfter {
			return nil, &core.Error{Code: core.EUnavailable,
				Message: fmt.Sprintf("Microsoft Graph is throttling %s %s and asks to wait %s, longer than %s; try again later", r.Method, u.Path, wait, p.MaxRetryAfter),
				Err:     err}
		}
		c.log.Debug("graph: retrying", slog.String("method", r.Method), slog.String("path", u.Path),
			slog.Int("attempt", tries), slog.Duration("wait", wait), slog.String("cause", err.Error()))
		if err := sleep(ctx, wait); err != nil {
			return nil, fmt.Errorf("%s %s: %w", r.Method, u.Path, err)
		}
	}
}

// once sends one attempt. On failure wait says what to do: negative means
// do not retry, zero means back off, positive is Graph's Retry-After.
func (c *Client) once(ctx context.Context, r Request, u *url.URL, body []byte) (*Response, time.Duration, error) {
	tok, err := c.cred.GetToken(ctx, policy.TokenRequestOptions{Scopes: []string{Scope}})
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			return nil, -1, err
		}
		return nil, -1, fmt.Errorf("get a token for Microsoft Graph: %w", err)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.Method, u.String(), rd)
	if err != nil {
		return nil, -1, fmt.Errorf("graph: build %s %s: %w", r.Method, u.Path, err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	req.Header.Set("Authorization", "Bearer "+tok.Token)
	req.Header.Set("Accept", "application/json")
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	// Hold back while a Retry-After runs, right before sending: a request
	// built while another learned of one waits too, and a pause extended
	// while it slept is waited out as well.
	for d := time.Until(time.Unix(0, c.pausedUntil.Load())); d > 0; d = time.Until(time.Unix(0, c.pausedUntil.Load())) {
		if err := sleep(ctx, d); err != nil {
			return nil, -1, fmt.Errorf("%s %s: %w", r.Method, u.Path, err)
		}
	}
	c.sent.Add(1)
	resp, err := c.http.Do(req)
	if err == nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		// Pause every request at once, before reading the answer.
		if wait := retryAfter(resp.Header, time.Now()); wait > 0 && wait <= c.Retry.MaxRetryAfter {
			until := time.Now().Add(wait).UnixNano()
			for old := c.pausedUntil.Load(); until > old && !c.pausedUntil.CompareAndSwap(old, until); old = c.pausedUntil.Load() {
			}
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, ctx.Err()
		}
		return nil, retryNetwork(err), &netError{err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		if ctx.Err() != nil {
			return nil, -1, ctx.Err()
		}
		return nil, 0, &netError{err}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return &Response{Status: resp.StatusCode, Header: resp.Header, Body: data}, 0, nil
	}
	apiErr := newAPIError(r.Method, u.Path, resp.StatusCode, data)
	switch s := resp.StatusCode; {
	case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable:
		return nil, retryAfter(resp.Header, time.Now()), apiErr
	case s >= 500:
		return nil, 0, apiErr
	}
	return nil, -1, apiErr
}

// netError marks a failure to exchange a request with Graph at all.
type netError struct{ err error }

func (e *netError) Error() string { return e.err.Error() }
func (e *netError) Unwrap() error { return e.err }

// retryNetwork says whether a transport error is worth retrying: a name
// that does not resolve or a certificate that does not verify stays so.
func retryNetwork(err error) time.Duration {
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return -1
	}
	var cert *tls.CertificateVerificationError
	if errors.As(err, &cert) {
		return -1
	}
	return 0
}

// giveUp turns the last failure of a request into an admin's error.
func (c *Client) giveUp(r Request, u *url.URL, err error, attempts int) error {
	var ne *netError
	if errors.As(err, &ne) {
		return &core.Error{Code: core.EUnavailable,
			Message: fmt.Sprintf("cannot reach Microsoft Graph at %s: check %s and the network", c.base, settingGraphURL),
			Err:     ne.err}
	}
	var ae *APIError
	if !errors.As(err, &ae) {
		return err
	}
	return statusError(ae, r.Permission, attempts)
}

// statusError words a final non-2xx answer for an admin.
func statusError(ae *APIError, permission string, attempts int) error {
	what := ae.Method + " " + ae.Path
	switch s := ae.Status; {
	case s == http.StatusUnauthorized:
		return &core.Error{Code: core.EUnauthorized,
			Message: fmt.Sprintf("Microsoft Graph rejected the app's access token for %s: check %s, %s and %s", what, settingTenantID, settingClientID, settingGraphURL),
			Err:     ae}
	case s == http.StatusForbidden:
		need := "the application permission it needs"
		if permission != "" {
			need = "the " + permission + " application permission"
		}
		return &core.Error{Code: core.EUnauthorized,
			Message: fmt.Sprintf("Microsoft Graph denied %s: the app registration needs %s with admin consent (Entra admin center > App registrations > API permissions)", what, need),
			Err:     ae}
	case s == http.StatusTooManyRequests:
		return &core.Error{Code: core.EUnavailable,
			Message: fmt.Sprintf("Microsoft Graph kept throttling %s after %d attempts; try again later", what, attempts),
			Err:     ae}
	case s >= 500:
		return &core.Error{Code: core.EUnavailable,
			Message: fmt.Sprintf("Microsoft Graph failed %s %d times; try again later", what, attempts),
			Err:     ae}
	case s == http.StatusNotFound:
		return &core.Error{Code: core.ENotFound, Message: "Microsoft Graph found nothing at " + what, Err: ae}
	}
	return &core.Error{Code: core.EInvalid, Message: "Microsoft Graph rejected " + what, Err: ae}
}

// resolve turns a request URL into an absolute one on the base URL's host;
// a URL on any other host is refused so the token never leaves Graph.
func (c *Client) resolve(ref string) (*url.URL, error) {
	if strings.HasPrefix(ref, "https://") || strings.HasPrefix(ref, "http://") {
		u, err := url.Parse(ref)
		if err != nil {
			return nil, fmt.Errorf("graph: bad URL %q: %w", ref, err)
		}
		if u.Scheme != c.base.Scheme || !strings.EqualFold(u.Host, c.base.Host) {
			return nil, core.Errorf(core.EInvalid, "graph: refusing to send the Graph token to %s://%s (not %s)", u.Scheme, u.Host, c.base.Host)
		}
		return u, nil
	}
	u, err := url.Parse(c.base.String() + "/" + strings.TrimPrefix(ref, "/"))
	if err != nil {
		return nil, fmt.Errorf("graph: bad URL %q: %w", ref, err)
	}
	return u, nil
}

// GetJSON sends GET url and decodes the answer into out.
func (c *Client) GetJSON(ctx context.Context, url, permission string, out any) error {
	res, err := c.Do(ctx, Request{Method: http.MethodGet, URL: url, Permission: permission})
	if err != nil {
		return err
	}
	if err := json.Unmarshal(res.Body, out); err != nil {
		return fmt.Errorf("graph: decode GET %s: %w", pathOf(url), err)
	}
	return nil
}

func pathOf(ref string) string {
	p, _, _ := strings.Cut(ref, "?")
	return p
}

// retryAfter reads Retry-After as seconds or an HTTP date; zero when absent.
func retryAfter(h http.Header, now time.Time) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return time.Millisecond
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
		return time.Millisecond
	}
	return 0
}

// backoff is the wait before attempt+1: exponential, capped, half jitter.
func backoff(p RetryPolicy, attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	if d <= 0 {
		return 0
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
