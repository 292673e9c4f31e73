package crawl

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"gongconnector/internal/core"
)

// maxCursorRestarts bounds how often one listing restarts after its cursor
// expired; Gong's cursors last an hour, so more means something else is wrong.
const maxCursorRestarts = 20

type fetched struct {
	page   core.CallPage
	hashes []string // of page.Calls, computed while the store is busy
	err    error
}

// list pages through one listing and stores it in batches. Pages are fetched
// one ahead of storing so Gong's pacing and our writes overlap.
func (s *state) list(ctx context.Context, f core.CallFilter, stage int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Room for the pages listed while a batch is written, so listing goes
	// on meanwhile; bounded, because every page held costs memory.
	pages := make(chan fetched, min(s.c.opts.BatchCalls/100+4, 24))
	go s.fetch(ctx, f, pages)

	// One batch is written while the next one fills. While listing, the
	// writer alone touches s.run; this goroutine keeps what it has listed in
	// `listed` and hands a copy along with each batch, so every run record
	// written matches the calls written with it.
	batches := make(chan batch)
	written := make(chan error, 1)
	go func() {
		var err error
		for b := range batches {
			if err == nil {
				if err = s.commitListed(ctx, b); err != nil {
					cancel() // stop listing: nothing more can be stored
				}
			}
		}
		written <- err
	}()
	listed := listing{Seen: s.run.Seen, Skipped: s.run.Skipped, Checkpoint: s.run.Checkpoint, Stage: stage}
	kind := s.run.Kind // s.run is the writer's from here
	var cur batch
	handOver := func() {
		cur.listed = listed
		select {
		case batches <- cur:
		case <-ctx.Done():
		}
		cur = batch{}
	}
	finish := func(listErr error) error {
		handOver()
		close(batches)
		werr := <-written
		if listErr == nil && werr == nil {
			listErr = ctx.Err()
		}
		return errors.Join(listErr, werr)
	}

	lastCommit := time.Now()
	firstPage := true
	for fp := range pages {
		if fp.err != nil {
			// What was listed so far is good progress: keep it.
			return finish(fp.err)
		}
		p := fp.page
		if firstPage {
			s.total += p.Total
			firstPage = false
		}
		for i, call := range p.Calls {
			listed.Seen++
			if !s.inScope(call.WorkspaceID) {
				// Moved to a workspace outside the crawl's scope.
				listed.Skipped++
				cur.removals = append(cur.removals, call.ID)
				continue
			}
			cur.upserts = append(cur.upserts, call)
			cur.hashes = append(cur.hashes, fp.hashes[i])
			if call.Started.After(listed.Checkpoint) {
				listed.Checkpoint = call.Started
			}
		}
		for _, pc := range p.Private {
			listed.Seen++
			listed.Skipped++
			cur.removals = append(cur.removals, pc.ID)
			if pc.Started.After(listed.Checkpoint) {
				listed.Checkpoint = pc.Started
			}
		}
		if len(cur.upserts)+len(cur.removals) >= s.c.opts.BatchCalls || time.Since(lastCommit) >= s.c.opts.BatchInterval {
			handOver()
			lastCommit = time.Now()
		}
		if s.c.opts.Progress != nil {
			s.c.opts.Progress(Progress{Kind: kind, Seen: listed.Seen, Total: max(s.total, listed.Seen)})
		}
	}
	return finish(nil)
}

// listing is how far a listing got: what it saw and where to resume.
type listing struct {
	Seen, Skipped int
	Checkpoint    time.Time
	Stage         int
}

// batch is one transaction's worth of a listing.
type batch struct {
	upserts  []*core.Call
	hashes   []string
	removals []string
	listed   listing
}

// commitListed writes a batch together with the listing progress it covers.
func (s *state) commitListed(ctx context.Context, b batch) error {
	s.run.Seen, s.run.Skipped = b.listed.Seen, b.listed.Skipped
	s.run.Checkpoint, s.run.Stage = b.listed.Checkpoint, b.listed.Stage
	return s.commit(ctx, b.upserts, b.hashes, b.removals)
}

// fetch pages through f, requesting each next page while decoding the
// current one, and restarts from the last start time it saw when Gong's
// cursor expires.
func (s *state) fetch(ctx context.Context, f core.CallFilter, out chan<- fetched) {
	defer close(out)
	send := func(p core.CallPage, err error) bool {
		var hashes []string
		if err == nil {
			hashes = make([]string, len(p.Calls))
			for i, c := range p.Calls {
				hashes[i] = c.Hash()
			}
		}
		select {
		case out <- fetched{p, hashes, err}:
			return err == nil
		case <-ctx.Done():
			return false
		}
	}
	type next struct {
		raw core.RawPage
		err error
	}
	request := func(f core.CallFilter, cursor string) <-chan next {
		ch := make(chan next, 1)
		go func() {
			raw, err := s.c.src.FetchCallPage(ctx, f, cursor)
			ch <- next{raw, err}
		}()
		return ch
	}
	restarts := 0
	var last time.Time
	pending := request(f, "")
	for pending != nil {
		n := <-pending
		if n.err != nil && s.c.opts.CursorExpiredErr != nil && errors.Is(n.err, s.c.opts.CursorExpiredErr) && restarts < maxCursorRestarts {
			restarts++
			if !last.IsZero() {
				f.From = last // inclusive: calls at exactly `last` come again, harmlessly
			}
			s.c.log.Info("Gong's pagination cursor expired; restarting the listing from where it got to",
				slog.Time("from", f.From), slog.Int("restart", restarts))
			pending = request(f, "")
			continue
		}
		if n.err != nil {
			send(core.CallPage{}, n.err)
			return
		}
		pending = nil
		if n.raw.Cursor != "" {
			pending = request(f, n.raw.Cursor)
		}
		p, err := n.raw.Decode()
		if !send(p, err) {
			if pending != nil {
				<-pending // let the request finish before the context goes
			}
			return
		}
		for _, c := range p.Calls {
			if c.Started.After(last) {
				last = c.Started
			}
		}
		for _, pc := range p.Private {
			if pc.Started.After(last) {
				last = pc.Started
			}
		}
	}
}

// commit writes one batch with the run's progress in one transaction.
func (s *state) commit(ctx context.Context, upserts []*core.Call, hashes, removals []string) error {
	req, lim := s.usageDelta()
	run := s.run
	run.APIRequests += req
	run.RateLimited += lim
	_, err := s.c.store.ApplyBatch(ctx, core.Batch{
		Run: &run, Upserts: upserts, Hashes: hashes, Removals: removals, SeenRunID: s.run.ID,
		APIRequests: req, RateLimited: lim,
	})
	if err != nil {
		return fmt.Errorf("crawl: store a batch of %d calls: %w", len(upserts), err)
	}
	s.reqDone += int64(req)
	s.limDone += int64(lim)
	s.run = run
	return nil
}

// usageDelta is the API usage not yet written to the store.
func (s *state) usageDelta() (req, lim int) {
	r, l := s.c.src.Usage()
	return int(r - s.reqBase - s.reqDone), int(l - s.limBase - s.limDone)
}

// flushUsage records API usage made after the last batch (permission
// refreshes, failed requests).
func (s *state) flushUsage(ctx context.Context) error {
	if req, lim := s.usageDelta(); req > 0 || lim > 0 {
		return s.commit(ctx, nil, nil, nil)
	}
	return nil
}

// refetchIncomplete re-reads calls listed before whose AI content Gong had
// not published yet and that fall before this crawl's window.
func (s *state) refetchIncomplete(ctx context.Context) error {
	since := s.run.WindowTo.Add(-s.c.opts.ContentRetry)
	ids, err := s.c.store.IncompleteCalls(ctx, since, s.run.WindowFrom, 10000)
	if err != nil {
		return fmt.Errorf("crawl: find calls without content: %w", err)
	}
	for len(ids) > 0 {
		n := min(len(ids), 100)
		chunk := ids[:n]
		ids = ids[n:]
		cursor := ""
		for {
			raw, err := s.c.src.FetchCallPage(ctx, core.CallFilter{IDs: chunk, Transcripts: s.c.opts.Transcripts}, cursor)
			if err != nil {
				return err
			}
			p, err := raw.Decode()
			if err != nil {
				return err
			}
			var upserts []*core.Call
			var removals []string
			for _, call := range p.Calls {
				s.run.Seen++
				if s.inScope(call.WorkspaceID) {
					upserts = append(upserts, call)
				} else {
					s.run.Skipped++
					removals = append(removals, call.ID)
				}
			}
			for _, pc := range p.Private {
				s.run.Seen++
				s.run.Skipped++
				removals = append(removals, pc.ID)
			}
			if err := s.commit(ctx, upserts, nil, removals); err != nil {
				return err
			}
			if p.Cursor == "" {
				break
			}
			cursor = p.Cursor
		}
	}
	return nil
}

// sweep deletes what a complete listing did not return, unless that is more
// than the safety threshold allows.
func (s *state) sweep(ctx context.Context) error {
	sw := core.Sweep{RunID: s.run.ID, To: s.run.WindowTo}
	if s.run.Kind == core.CrawlIncremental {
		sw.From = s.run.WindowFrom
	}
	n, err := s.c.store.CountUnseen(ctx, sw)
	if err != nil {
		return fmt.Errorf("crawl: count calls Gong no longer returns: %w", err)
	}
	if n == 0 {
		return nil
	}
	total, err := s.c.store.CountCalls(ctx)
	if err != nil {
		return fmt.Errorf("crawl: count indexed calls: %w", err)
	}
	if share := float64(n) / float64(max(total, 1)); share > s.c.opts.DeleteThreshold && !s.c.opts.ConfirmDeletions {
		s.run.Status = core.RunHeld
		s.run.Message = fmt.Sprintf("held back deleting %d of %d indexed calls (%.1f%%, above the %.0f%% safety threshold): Gong no longer returns them in scope. "+
			"If that is expected (calls deleted, workspaces or start date changed), run `gongconnector crawl --full --confirm-deletions`",
			n, total, share*100, s.c.opts.DeleteThreshold*100)
		s.c.log.Warn("deletions held back", slog.Int("calls", n), slog.Int("indexed", total))
		return nil
	}
	deleted, err := s.c.store.DeleteUnseen(ctx, sw)
	if err != nil {
		return fmt.Errorf("crawl: delete %d calls Gong no longer returns: %w", n, err)
	}
	s.run.Deleted += deleted
	return nil
}
