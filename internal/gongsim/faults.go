package gongsim

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Faults are the failures injected into API responses. Rates are
// probabilities per request, drawn from a seeded generator; the admin
// endpoints are never faulted.
type Faults struct {
	// Rate5xx answers 500, 502 or 503 with an error body.
	Rate5xx float64
	// RateReset closes the connection without an answer.
	RateReset float64
	// RateSlow waits SlowDelay (default 2s) before answering normally, or
	// until the client gives up.
	RateSlow float64
	// RateTruncate sends the headers and part of the body, then closes.
	RateTruncate float64
	// SlowDelay is the wait of a slow answer; 0 means 2s.
	SlowDelay time.Duration
	// BurstLen and BurstEvery: after every BurstEvery requests served, the
	// next BurstLen requests get 429 with Retry-After: 1.
	BurstLen, BurstEvery int
}

func (f Faults) validate() error {
	for _, r := range []float64{f.Rate5xx, f.RateReset, f.RateSlow, f.RateTruncate} {
		if r < 0 || r > 1 || r != r {
			return fmt.Errorf("gongsim: fault rates must be between 0 and 1, got %v", r)
		}
	}
	if s := f.Rate5xx + f.RateReset + f.RateSlow + f.RateTruncate; s > 1 {
		return fmt.Errorf("gongsim: fault rates add up to %v, more than 1", s)
	}
	if f.BurstLen < 0 || f.BurstEvery < 0 || (f.BurstLen > 0) != (f.BurstEvery > 0) {
		return fmt.Errorf("gongsim: burst needs both a length and a period, got %d@%d", f.BurstLen, f.BurstEvery)
	}
	if f.SlowDelay < 0 {
		return fmt.Errorf("gongsim: slow delay must not be negative")
	}
	return nil
}

// ParseFaults parses a fault spec: comma-separated key=value pairs with keys
// 5xx, reset, slow, truncate (rates between 0 and 1), slowdelay (a Go
// duration) and burst (LEN@EVERY: after every EVERY requests, LEN get 429).
// Example: "5xx=0.05,reset=0.02,slow=0.01,truncate=0.01,burst=5@200,slowdelay=2s".
// The empty spec means no faults.
func ParseFaults(spec string) (Faults, error) {
	var f Faults
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return f, nil
	}
	for _, part := range strings.Split(spec, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		key, val = strings.TrimSpace(key), strings.TrimSpace(val)
		if !ok || val == "" {
			return Faults{}, fmt.Errorf("faults: %q: want key=value (keys: 5xx, reset, slow, truncate, slowdelay, burst)", part)
		}
		rate := func(dst *float64) error {
			v, err := strconv.ParseFloat(val, 64)
			if err != nil || v < 0 || v > 1 {
				return fmt.Errorf("faults: %s=%s: want a rate between 0 and 1", key, val)
			}
			*dst = v
			return nil
		}
		var err error
		switch key {
		case "5xx":
			err = rate(&f.Rate5xx)
		case "reset":
			err = rate(&f.RateReset)
		case "slow":
			err = rate(&f.RateSlow)
		case "truncate":
			err = rate(&f.RateTruncate)
		case "slowdelay":
			d, perr := time.ParseDuration(val)
			if perr != nil || d < 0 {
				err = fmt.Errorf("faults: slowdelay=%s: want a duration such as 2s or 500ms", val)
			}
			f.SlowDelay = d
		case "burst":
			l, e, ok := strings.Cut(val, "@")
			n, err1 := strconv.Atoi(l)
			every, err2 := strconv.Atoi(e)
			if !ok || err1 != nil || err2 != nil || n < 1 || every < 1 {
				err = fmt.Errorf("faults: burst=%s: want LEN@EVERY with positive integers, such as 5@200", val)
			}
			f.BurstLen, f.BurstEvery = n, every
		default:
			err = fmt.Errorf("faults: unknown key %q (keys: 5xx, reset, slow, truncate, slowdelay, burst)", key)
		}
		if err != nil {
			return Faults{}, err
		}
	}
	if err := f.validate(); err != nil {
		return Faults{}, fmt.Errorf("faults: %w", err)
	}
	return f, nil
}

// String renders the faults in ParseFaults' format.
func (f Faults) String() string {
	var parts []string
	add := func(k string, v float64) {
		if v > 0 {
			parts = append(parts, k+"="+strconv.FormatFloat(v, 'g', -1, 64))
		}
	}
	add("5xx", f.Rate5xx)
	add("reset", f.RateReset)
	add("slow", f.RateSlow)
	add("truncate", f.RateTruncate)
	if f.SlowDelay > 0 {
		parts = append(parts, "slowdelay="+f.SlowDelay.String())
	}
	if f.BurstLen > 0 {
		parts = append(parts, fmt.Sprintf("burst=%d@%d", f.BurstLen, f.BurstEvery))
	}
	return strings.Join(parts, ",")
}

// SetFaults replaces the injected faults.
func (s *Sim) SetFaults(f Faults) {
	s.limMu.Lock()
	defer s.limMu.Unlock()
	s.faults = f
	s.burstCount = 0
}

// Stats counts what the simulator served.
type Stats struct {
	// Total is the number of API requests received (admin endpoints excluded).
	Total int64 `json:"total"`
	// Endpoints counts requests per route pattern, like "POST /v2/calls/extensive".
	Endpoints map[string]int64 `json:"endpoints"`
	// TooManyRequests counts 429s served: rate, daily limit and bursts.
	TooManyRequests int64 `json:"tooManyRequests"`
	// Unauthorized counts 401s served.
	Unauthorized int64 `json:"unauthorized"`
	// Faults counts injected faults, and FaultsByKind per kind: "5xx",
	// "reset", "slow", "truncate", "burst".
	Faults       int64            `json:"faults"`
	FaultsByKind map[string]int64 `json:"faultsByKind"`
}

// Stats returns a copy of the counters.
func (s *Sim) Stats() Stats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	out := s.stats
	out.Endpoints = make(map[string]int64, len(s.stats.Endpoints))
	for k, v := range s.stats.Endpoints {
		out.Endpoints[k] = v
	}
	out.FaultsByKind = make(map[string]int64, len(s.stats.FaultsByKind))
	for k, v := range s.stats.FaultsByKind {
		out.FaultsByKind[k] = v
	}
	return out
}

// ResetStats zeroes the counters.
func (s *Sim) ResetStats() {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	s.stats = Stats{}
}

func (s *Sim) count(fn func(st *Stats)) {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	if s.stats.Endpoints == nil {
		s.stats.Endpoints = map[string]int64{}
		s.stats.FaultsByKind = map[string]int64{}
	}
	fn(&s.stats)
}

func (s *Sim) countFault(kind string) {
	s.count(func(st *Stats) {
		st.Faults++
		st.FaultsByKind[kind]++
		if kind == "burst" {
			st.TooManyRequests++
		}
	})
}
