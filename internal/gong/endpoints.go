package gong

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"time"
)

func basicToken(key, secret string) string {
	return base64.StdEncoding.EncodeToString([]byte(key + ":" + secret))
}

// FullSelector asks for everything gongconnector indexes: parties, extended
// CRM context as of now, and every content part (PRODUCT.md §1).
func FullSelector() *ContentSelector {
	return &ContentSelector{
		Context:       "Extended",
		ContextTiming: []string{"Now"},
		ExposedFields: &ExposedFields{
			Parties: true,
			Content: &ContentFields{
				Structure: true, Topics: true, Trackers: true, PointsOfInterest: true,
				Brief: true, Outline: true, Highlights: true, CallOutcome: true, KeyPoints: true,
			},
		},
	}
}

// FormatTime writes a time the way Gong's filters take it.
func FormatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// CallsExtensive fetches one page of POST /v2/calls/extensive. An empty result
// (Gong's 404 "No calls found") is an empty page, not an error. The cursor
// travels in the body, where Gong reads it for POST endpoints.
func (c *Client) CallsExtensive(ctx context.Context, req ExtensiveRequest) (*ExtensiveResponse, error) {
	if req.Filter == nil {
		req.Filter = &CallsFilter{}
	}
	if req.Filter.CallIDs != nil && len(req.Filter.CallIDs) == 0 {
		return &ExtensiveResponse{}, nil // Gong rejects callIds: []; nothing to ask for
	}
	var out ExtensiveResponse
	err := c.do(ctx, "POST", "/v2/calls/extensive", nil, req, &out)
	if errors.Is(err, errNoneFound) {
		return &ExtensiveResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Transcripts fetches one page of POST /v2/calls/transcript.
func (c *Client) Transcripts(ctx context.Context, filter CallsFilter, cursor string) (*TranscriptResponse, error) {
	if filter.CallIDs != nil && len(filter.CallIDs) == 0 {
		return &TranscriptResponse{}, nil
	}
	var out TranscriptResponse
	body := struct {
		Cursor string      `json:"cursor,omitempty"`
		Filter CallsFilter `json:"filter"`
	}{cursor, filter}
	err := c.do(ctx, "POST", "/v2/calls/transcript", nil, body, &out)
	if errors.Is(err, errNoneFound) {
		return &TranscriptResponse{}, nil
	}
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Users lists every user of the tenant (GET /v2/users, all pages).
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var all []User
	cursor := ""
	for {
		q := url.Values{}
		if cursor != "" {
			q.Set("cursor", cursor)
		}
		var out UsersResponse
		err := c.do(ctx, "GET", "/v2/users", q, nil, &out)
		if errors.Is(err, errNoneFound) {
			return all, nil
		}
		if err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		all = append(all, out.Users...)
		if out.Records.Cursor == "" {
			return all, nil
		}
		cursor = out.Records.Cursor
	}
}

// Workspaces lists the tenant's workspaces.
func (c *Client) Workspaces(ctx context.Context) ([]Workspace, error) {
	var out WorkspacesResponse
	if err := c.do(ctx, "GET", "/v2/workspaces", nil, nil, &out); err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	return out.Workspaces, nil
}

// Profiles lists the permission profiles of one workspace.
func (c *Client) Profiles(ctx context.Context, workspaceID string) ([]Profile, error) {
	var out ProfilesResponse
	q := url.Values{"workspaceId": {workspaceID}}
	if err := c.do(ctx, "GET", "/v2/all-permission-profiles", q, nil, &out); err != nil {
		return nil, fmt.Errorf("list permission profiles of workspace %s: %w", workspaceID, err)
	}
	return out.Profiles, nil
}

// ProfileUsers lists the users a permission profile applies to.
func (c *Client) ProfileUsers(ctx context.Context, profileID string) ([]ProfileUser, error) {
	var out ProfileUsersResponse
	q := url.Values{"profileId": {profileID}}
	err := c.do(ctx, "GET", "/v2/permission-profile/users", q, nil, &out)
	if errors.Is(err, errNoneFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list users of permission profile %s: %w", profileID, err)
	}
	return out.Users, nil
}
