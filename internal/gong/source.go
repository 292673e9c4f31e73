package gong

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"gongconnector/internal/core"
)

// CallPage fetches one page of the extensive listing selected by f and
// normalizes it. Private calls come back as ids only: their content is never
// decoded into a core.Call, let alone stored.
func (c *Client) CallPage(ctx context.Context, f core.CallFilter, cursor string) (core.CallPage, error) {
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
	if f.IDs != nil && len(f.IDs) == 0 {
		return core.CallPage{}, nil
	}
	resp, err := c.CallsExtensive(ctx, ExtensiveRequest{Cursor: cursor, Filter: filter, ContentSelector: FullSelector()})
	if err != nil {
		return core.CallPage{}, err
	}
	page := core.CallPage{Total: resp.Records.TotalRecords, Cursor: resp.Records.Cursor}
	byID := make(map[string]*core.Call, len(resp.Calls))
	for i := range resp.Calls {
		x := &resp.Calls[i]
		if x.MetaData.ID == "" {
			return core.CallPage{}, &core.Error{Code: core.EUnavailable, Message: "Gong returned a call without an id in POST /v2/calls/extensive"}
		}
		if x.MetaData.IsPrivate {
			page.Private = append(page.Private, core.PrivateCall{ID: string(x.MetaData.ID), Started: x.MetaData.Started.UTC()})
			continue
		}
		call := x.Normalize()
		page.Calls = append(page.Calls, call)
		byID[call.ID] = call
	}
	if f.Transcripts && len(byID) > 0 {
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
			prof := core.Profile{ID: string(p.ID), WorkspaceID: w.ID, Name: p.Name, CallsLevel: core.LevelNone}
			if p.CallsAccess != nil {
				prof.CallsLevel = strings.TrimSpace(p.CallsAccess.PermissionLevel)
				for _, id := range p.CallsAccess.TeamLeadIDs {
					prof.TeamLeadIDs = append(prof.TeamLeadIDs, string(id))
				}
			}
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
