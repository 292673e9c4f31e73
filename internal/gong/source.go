package gong

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	fastjson "github.com/goccy/go-json"

	"gongconnector/internal/core"
)

// FetchCallPage fetches one page of the extensive listing selected by f and
// reads its cursor, leaving the calls to decode. Gong sends "records" before
// "calls", so a caller can request the next page while it decodes this one.
// Private calls come back as ids only: their content is never decoded into a
// core.Call, let alone stored.
func (c *Client) FetchCallPage(ctx context.Context, f core.CallFilter, cursor string) (core.RawPage, error) {
	empty := core.RawPage{Decode: func() (core.CallPage, error) { return core.CallPage{}, nil }}
	if f.IDs != nil && len(f.IDs) == 0 {
		return empty, nil // Gong rejects callIds: []
	}
	filter := &CallsFilter{WorkspaceID: f.WorkspaceID}
	if !f.From.IsZero() {
		filter.FromDateTime = FormatTime(f.From)
	}
	if !f.To.IsZero() {
		filter.ToDateTime = FormatTime(f.To)
	}
	for _, id := range f.IDs {
		filter.CallIDs = append(filter.CallIDs, ID(id))
	}
	var raw rawBody
	err := c.do(ctx, "POST", "/v2/calls/extensive", nil, ExtensiveRequest{Cursor: cursor, Filter: filter, ContentSelector: FullSelector()}, &raw)
	if errors.Is(err, errNoneFound) {
		return empty, nil
	}
	if err != nil {
		return core.RawPage{}, err
	}
	decode := func() (core.CallPage, error) { return c.decodePage(ctx, raw.b, f.Transcripts) }
	rec, ok := peekRecords(raw.b)
	if !ok {
		page, err := decode()
		return core.RawPage{Cursor: page.Cursor, Decode: func() (core.CallPage, error) { return page, err }}, nil
	}
	return core.RawPage{Cursor: rec.Cursor, Decode: decode}, nil
}

// peekRecords reads the top-level "records" object if it comes before "calls".
func peekRecords(body []byte) (Records, bool) {
	var rec Records
	dec := json.NewDecoder(bytes.NewReader(body))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return rec, false
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return rec, false
		}
		switch t {
		case "records":
			return rec, dec.Decode(&rec) == nil
		case "calls":
			return rec, false
		}
		var skip json.RawMessage
		if dec.Decode(&skip) != nil {
			return rec, false
		}
	}
	return rec, false
}

// decodePage decodes and normalizes an extensive response body.
func (c *Client) decodePage(ctx context.Context, body []byte, transcripts bool) (core.CallPage, error) {
	var resp ExtensiveResponse
	if err := fastjson.Unmarshal(body, &resp); err != nil {
		return core.CallPage{}, &core.Error{Code: core.EUnavailable,
			Message: "Gong sent a malformed response to POST /v2/calls/extensive; is gong.base_url really the Gong API?",
			Err:     &decodeError{Path: "/v2/calls/extensive", Err: err, Head: head(body, 60)}}
	}
	page := core.CallPage{Total: resp.Records.TotalRecords, Cursor: resp.Records.Cursor}
	byID := make(map[string]*core.Call, len(resp.Calls))
	for i := range resp.Calls {
		x := &resp.Calls[i]
		if x.MetaData.ID == "" {
			return core.CallPage{}, &core.Error{Code: core.EUnavailable, Message: "Gong sent a malformed response to POST /v2/calls/extensive: a call without an id"}
		}
		if x.MetaData.IsPrivate {
			page.Private = append(page.Private, core.PrivateCall{ID: string(x.MetaData.ID), Started: x.MetaData.Started.UTC()})
			continue
		}
		call := x.Normalize()
		page.Calls = append(page.Calls, call)
		byID[call.ID] = call
	}
	if transcripts && len(byID) > 0 {
		if err := c.attachTranscripts(ctx, byID); err != nil {
			return core.CallPage{}, err
		}
	}
	return page, nil
}

// attachTranscripts fetches the transcripts of the given calls.
func (c *Client) attachTranscripts(ctx context.Context, calls map[string]*core.Call) error {
	ids := make([]ID, 0, len(calls))
	for id := range calls {
		ids = append(ids, ID(id))
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	cursor := ""
	for {
		resp, err := c.Transcripts(ctx, CallsFilter{CallIDs: ids}, cursor)
		if err != nil {
			return fmt.Errorf("fetch transcripts: %w", err)
		}
		for _, t := range resp.CallTranscripts {
			call := calls[string(t.CallID)]
			if call == nil {
				continue
			}
			for _, m := range t.Transcript {
				for _, s := range m.Sentences {
					call.Transcript = append(call.Transcript, core.TranscriptPhrase{
						SpeakerID: string(m.SpeakerID), StartMS: s.Start, EndMS: s.End, Text: s.Text,
					})
				}
			}
		}
		if resp.Records.Cursor == "" {
			return nil
		}
		cursor = resp.Records.Cursor
	}
}

// PermissionSnapshot reads workspaces, users and every workspace's permission
// profiles with their members: what deciding call visibility needs.
func (c *Client) PermissionSnapshot(ctx context.Context) (core.PermissionSnapshot, error) {
	var snap core.PermissionSnapshot
	snap.Taken = c.opts.Now().UTC()
	ws, err := c.Workspaces(ctx)
	if err != nil {
		return snap, err
	}
	for _, w := range ws {
		snap.Workspaces = append(snap.Workspaces, core.Workspace{ID: string(w.ID), Name: strings.TrimSpace(w.Name), Description: w.Description})
	}
	users, err := c.Users(ctx)
	if err != nil {
		return snap, err
	}
	for _, u := range users {
		snap.Users = append(snap.Users, UserFromAPI(u))
	}
	for _, w := range snap.Workspaces {
		profiles, err := c.Profiles(ctx, w.ID)
		if err != nil {
			return snap, err
		}
		for _, p := range profiles {
			prof := ProfileFromAPI(p, w.ID)
			members, err := c.ProfileUsers(ctx, prof.ID)
			if err != nil {
				return snap, err
			}
			for _, m := range members {
				prof.MemberIDs = append(prof.MemberIDs, string(m.ID))
			}
			snap.Profiles = append(snap.Profiles, prof)
		}
	}
	return snap, nil
}

// Usage reports requests sent and 429s received; the crawler records them.
func (c *Client) Usage() (requests, rateLimited int64) { return c.Requests() }
