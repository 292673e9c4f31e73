package server

import (
	"context"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"gongconnector/internal/core"
)

// Metrics are the Prometheus metrics of one process, in a registry of its
// own (not the global one).
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	queries  *prometheus.HistogramVec
	errors   *prometheus.CounterVec
	crawls   *prometheus.HistogramVec
	gongReq  prometheus.Counter
	gong429  prometheus.Counter
	pushes   *prometheus.HistogramVec
	writes   *prometheus.CounterVec
}

// NewMetrics returns the metrics, with Go's runtime and process metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongconnector_http_requests_total", Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gongconnector_http_request_duration_seconds", Help: "HTTP request latency by route.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"route"}),
		queries: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gongconnector_query_duration_seconds", Help: "Search and question latency, trimming included.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"kind"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongconnector_errors_total", Help: "Errors answered, by code.",
		}, []string{"code"}),
		crawls: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gongconnector_crawl_duration_seconds", Help: "Crawl durations by kind and outcome (succeeded, failed, stopped).",
			Buckets: prometheus.ExponentialBuckets(1, 2, 16),
		}, []string{"kind", "outcome"}),
		gongReq: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongconnector_gong_api_requests_total", Help: "Requests sent to the Gong API by crawls.",
		}),
		gong429: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "gongconnector_gong_api_rate_limited_total", Help: "Gong API answers 429 (rate limited) met by crawls.",
		}),
		pushes: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "gongconnector_graph_push_duration_seconds", Help: "Pushes to Microsoft 365 by outcome (succeeded, failed).",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 18),
		}, []string{"outcome"}),
		writes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "gongconnector_graph_writes_total",
			Help: "Writes to the Microsoft 365 connection by kind (item_put, item_delete, group_create, member_add, member_remove, failed).",
		}, []string{"kind"}),
	}
	m.reg.MustRegister(m.requests, m.latency, m.queries, m.errors, m.crawls, m.gongReq, m.gong429, m.pushes, m.writes,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveCrawl records a crawl that ended after took.
func (m *Metrics) ObserveCrawl(run core.CrawlRun, err error, stopped bool, took time.Duration) {
	outcome := "succeeded"
	switch {
	case stopped:
		outcome = "stopped"
	case err != nil:
		outcome = "failed"
	}
	m.crawls.WithLabelValues(run.Kind, outcome).Observe(took.Seconds())
	m.gongReq.Add(float64(run.APIRequests))
	m.gong429.Add(float64(run.RateLimited))
}

// ObservePush records a push to Microsoft 365 that ended after took, and
// its writes by kind.
func (m *Metrics) ObservePush(took time.Duration, failed bool, writes map[string]int) {
	outcome := "succeeded"
	if failed {
		outcome = "failed"
	}
	m.pushes.WithLabelValues(outcome).Observe(took.Seconds())
	for kind, n := range writes {
		m.writes.WithLabelValues(kind).Add(float64(n))
	}
}

// Gauges adds gauges read at each scrape: the calls indexed and the Gong
// API requests left today. A read that fails reports nothing.
func (m *Metrics) Gauges(calls, budgetLeft func(ctx context.Context) (float64, error)) {
	gauge := func(name, help string, f func(ctx context.Context) (float64, error)) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			v, err := f(ctx)
			if err != nil {
				return -1
			}
			return v
		})
	}
	if calls != nil {
		m.reg.MustRegister(gauge("gongconnector_calls_indexed", "Calls in the index.", calls))
	}
	if budgetLeft != nil {
		m.reg.MustRegister(gauge("gongconnector_gong_api_budget_left", "Gong API requests this connector may still send today (-1: unknown).", budgetLeft))
	}
}

func (m *Metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
