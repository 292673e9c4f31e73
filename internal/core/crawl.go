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
	// Stage is the listing in progress when a run lists several workspaces
	// one after another.
	Stage int `json:"stage,omitempty"`
	// Scope says what the run lists (workspaces and start date), so that a
	// failed full crawl is resumed only while the configuration is the same.
	Scope string `json:"scope,omitempty"`
	// WindowFrom and WindowTo bound the start times the run lists.
	WindowFrom time.Time `json:"window_from,omitzero"`
	WindowTo   time.Time `json:"window_to,omitzero"`
}

// CallFilter selects calls from Gong: by start time in [From, To) and
// workspace, or by id.
type CallFilter struct {
	From, To    time.Time
	WorkspaceID string
	IDs         []string
	// Transcripts also fetches each call's transcript.
	Transcripts bool
}

// CallPage is one page of a call listing, normalized. Private calls are never
// normalized: only their ids come back, so they can be removed from the index.
type CallPage struct {
	Calls   []*Call
	Private []PrivateCall
	// Total is Gong's count of records matching the whole listing.
	Total int
	// Cursor fetches the next page; empty on the last page.
	Cursor string
}

// PrivateCall is a call Gong listed but marked private.
type PrivateCall struct {
	ID      string
	Started time.Time
}

// Batch is one transaction of a crawl: the calls listed, the calls to remove,
// and the run's progress, written together so a killed crawl never records
// progress it did not store (or stores calls it did not record).
type Batch struct {
	// Run holds the run's checkpoint and counters. The store adds the
	// BatchResult to Run.Added, Run.Updated and Run.Deleted and writes the run
	// in the same transaction, so the record is exact even after a kill.
	Run     *CrawlRun
	Upserts []*Call
	// Hashes, when it has one entry per upsert, holds their Hash() values,
	// computed by the caller where it has CPU to spare; otherwise the store
	// computes them.
	Hashes   []string
	Removals []string
	// SeenRunID marks every upserted call as listed by this run.
	SeenRunID int64
	// APIRequests and RateLimited are added to today's API usage.
	APIRequests, RateLimited int
}

// BatchResult counts what a Batch changed.
type BatchResult struct{ Added, Updated, Unchanged, Removed int }

// Sweep selects the calls a completed listing did not return: started in
// [From, To) (zero From: no lower bound), in Workspaces (empty: any), and
// last listed by a run older than RunID.
type Sweep struct {
	RunID      int64
	From, To   time.Time
	Workspaces []string
}

// RawPage is a page of a call listing fetched but not yet decoded. Its Cursor
// is known up front, so the next page can be requested while this one is
// decoded.
type RawPage struct {
	Cursor string
	Decode func() (CallPage, error)
}
