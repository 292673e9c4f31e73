package core

import "time"

// Crawl kinds.
const (
	CrawlFull        = "full"
	CrawlIncremental = "incremental"
	CrawlPermissions = "permissions"
)

// Crawl run statuses.
const (
	RunRunning     = "running"
	RunSucceeded   = "succeeded"
	RunFailed      = "failed"
	RunInterrupted = "interrupted"
	// RunHeld means the crawl listed everything but held back deletions that
	// exceeded the safety threshold, waiting for an admin's confirmation.
	RunHeld = "held"
)

// CrawlRun is the record of one crawl.
type CrawlRun struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	Status      string    `json:"status"`
	Started     time.Time `json:"started"`
	Finished    time.Time `json:"finished,omitzero"`
	Seen        int       `json:"calls_seen"`
	Added       int       `json:"calls_added"`
	Updated     int       `json:"calls_updated"`
	Deleted     int       `json:"calls_deleted"`
	Skipped     int       `json:"calls_skipped"`
	APIRequests int       `json:"api_requests"`
	RateLimited int       `json:"rate_limited"`
	Errors      int       `json:"errors"`
	// Message says, in an admin's words, why the run failed or was held.
	Message string `json:"message,omitempty"`
	// Checkpoint is how far the listing got: every call in scope that started
	// before it has been stored. A resumed run continues from here.
	Checkpoint time.Time `json:"checkpoint,omitzero"`
	// WindowFrom and WindowTo bound the start times the run lists.
	WindowFrom time.Time `json:"window_from,omitzero"`
	WindowTo   time.Time `json:"window_to,omitzero"`
}
