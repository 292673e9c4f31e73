package graph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"gongconnector/internal/core"
)

// Member is a member of an external group: an Entra user or group (by
// object id) or another external group.
type Member struct {
	ID   string `json:"id"`
	Type string `json:"type"` // user, group or externalGroup
}

// EnsureGroup creates an external group unless it exists.
func (c *Client) EnsureGroup(ctx context.Context, connID, id, displayName string) error {
	path := "/external/connections/" + url.PathEscape(connID) + "/groups"
	_, err := c.Do(ctx, Request{Method: http.MethodPost, URL: path, Permission: PermItems,
		Body: map[string]string{"id": id, "displayName": displayName}})
	if isConflict(err) {
		return nil // already there
	}
	if err != nil {
		return fmt.Errorf("create external group %s: %w", id, err)
	}
	return nil
}

// AddMember adds a member to an external group; one already in is fine.
func (c *Client) AddMember(ctx context.Context, connID, groupID string, m Member) error {
	path := "/external/connections/" + url.PathEscape(connID) + "/groups/" + url.PathEscape(groupID) + "/members"
	_, err := c.Do(ctx, Request{Method: http.MethodPost, URL: path, Body: m, Permission: PermItems})
	if err != nil && !isConflict(err) {
		return fmt.Errorf("add %s to external group %s: %w", m.ID, groupID, err)
	}
	return nil
}

// RemoveMember removes a member from an external group; one not in it is
// fine.
func (c *Client) RemoveMember(ctx context.Context, connID, groupID, memberID string) error {
	path := "/external/connections/" + url.PathEscape(connID) + "/groups/" + url.PathEscape(groupID) + "/members/" + url.PathEscape(memberID)
	_, err := c.Do(ctx, Request{Method: http.MethodDelete, URL: path, Permission: PermItems})
	if err != nil && core.ErrorCode(err) != core.ENotFound {
		return fmt.Errorf("remove %s from external group %s: %w", memberID, groupID, err)
	}
	return nil
}

// isConflict reports whether err is Graph's 409.
func isConflict(err error) bool {
	var ae *APIError
	return errors.As(err, &ae) && ae.Status == http.StatusConflict
}
