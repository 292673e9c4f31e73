package graph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"gongconnector/internal/core"
)

// Permissions the connectors API needs (graph-connectors.md §1).
const (
	PermConnection = "ExternalConnection.ReadWrite.OwnedBy"
	PermItems      = "ExternalItem.ReadWrite.OwnedBy"
)

// Connection is an external connection: where the calls are pushed.
type Connection struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	// ContentCategory tells Microsoft 365 what the content is: for calls,
	// meetingTranscripts.
	ContentCategory string `json:"contentCategory,omitempty"`
	// State is computed by Graph: draft until a schema is ready, then ready.
	State string `json:"state,omitempty"`
}

var connectionID = regexp.MustCompile(`^[A-Za-z0-9]{3,32}$`)

// reservedConnectionIDs may not be used (compared without case).
var reservedConnectionIDs = strings.Fields(`None Directory Exchange ExchangeArchive LinkedIn Mailbox OneDriveBusiness SharePoint Teams
	Yammer Connectors TaskFabric PowerBI Assistant TopicEngine MSFT_All_Connectors`)

// ValidConnectionID says what is wrong with a connection id, in an
// admin's words, or nil.
func ValidConnectionID(id string) error {
	switch {
	case !connectionID.MatchString(id):
		return core.Errorf(core.EInvalid, "the connection id %q must be 3 to 32 letters and digits (no spaces, dashes or underscores)", id)
	case strings.HasPrefix(strings.ToLower(id), "microsoft"):
		return core.Errorf(core.EInvalid, "the connection id %q must not start with Microsoft", id)
	}
	for _, r := range reservedConnectionIDs {
		if strings.EqualFold(r, id) {
			return core.Errorf(core.EInvalid, "the connection id %q is reserved by Microsoft 365; choose another", id)
		}
	}
	return nil
}

// EnsureConnection creates the connection, or brings an existing one's
// name, description and content category up to date. It returns the
// connection as Graph holds it.
func (c *Client) EnsureConnection(ctx context.Context, want Connection) (Connection, error) {
	if err := ValidConnectionID(want.ID); err != nil {
		return Connection{}, err
	}
	if n := len([]rune(want.Name)); n == 0 || n > 128 {
		return Connection{}, core.Errorf(core.EInvalid, "the connection's display name must be 1 to 128 characters")
	}
	path := "/external/connections/" + url.PathEscape(want.ID)
	res, err := c.Do(ctx, Request{Method: http.MethodGet, URL: path, Permission: PermConnection})
	if core.ErrorCode(err) == core.ENotFound {
		res, err = c.Do(ctx, Request{Method: http.MethodPost, URL: "/external/connections", Permission: PermConnection,
			Body: Connection{ID: want.ID, Name: want.Name, Description: want.Description, ContentCategory: want.ContentCategory}})
		if err != nil {
			return Connection{}, fmt.Errorf("create the connection %s: %w", want.ID, err)
		}
		var got Connection
		if err := json.Unmarshal(res.Body, &got); err != nil {
			return Connection{}, fmt.Errorf("create the connection %s: read the answer: %w", want.ID, err)
		}
		c.log.Info("graph: connection created", "connection", want.ID)
		return got, nil
	}
	if err != nil {
		return Connection{}, fmt.Errorf("read the connection %s: %w", want.ID, err)
	}
	var got Connection
	if err := json.Unmarshal(res.Body, &got); err != nil {
		return Connection{}, fmt.Errorf("read the connection %s: %w", want.ID, err)
	}
	change := map[string]any{}
	if got.Name != want.Name {
		change["name"] = want.Name
	}
	if got.Description != want.Description {
		change["description"] = want.Description
	}
	if want.ContentCategory != "" && got.ContentCategory != want.ContentCategory {
		change["contentCategory"] = want.ContentCategory
	}
	if len(change) > 0 {
		if _, err := c.Do(ctx, Request{Method: http.MethodPatch, URL: path, Body: change, Permission: PermConnection}); err != nil {
			return Connection{}, fmt.Errorf("update the connection %s: %w", want.ID, err)
		}
		got.Name, got.Description = want.Name, want.Description
		if want.ContentCategory != "" {
			got.ContentCategory = want.ContentCategory
		}
	}
	return got, nil
}

// RegisterSchema registers (or updates) the connection's schema and waits
// for Graph to provision it, polling the operation every poll (Graph takes
// minutes). It fails with Graph's message when the operation fails.
func (c *Client) RegisterSchema(ctx context.Context, connID string, s Schema, poll time.Duration) error {
	path := "/external/connections/" + url.PathEscape(connID) + "/schema"
	res, err := c.Do(ctx, Request{Method: http.MethodPatch, URL: path, Body: s, Permission: PermConnection})
	if err != nil {
		return fmt.Errorf("register the schema of %s: %w", connID, err)
	}
	loc := res.Header.Get("Location")
	if loc == "" {
		return nil // provisioned at once
	}
	op, err := url.Parse(loc)
	if err != nil {
		return fmt.Errorf("register the schema of %s: Graph's operation URL %q: %w", connID, loc, err)
	}
	// The operation is on Graph's host; ask our base URL for the same path.
	opPath := strings.TrimPrefix(op.Path, "/v1.0")
	for {
		var st struct {
			Status string `json:"status"`
			Error  struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := c.GetJSON(ctx, opPath, PermConnection, &st); err != nil {
			return fmt.Errorf("wait for the schema of %s: %w", connID, err)
		}
		switch st.Status {
		case "completed":
			c.log.Info("graph: schema registered", "connection", connID)
			return nil
		case "failed":
			return &core.Error{Code: core.EInvalid, Message: fmt.Sprintf("Microsoft Graph could not register the schema of %s: %s", connID, st.Error.Message)}
		}
		if err := sleep(ctx, poll); err != nil {
			return errors.Join(fmt.Errorf("wait for the schema of %s", connID), err)
		}
	}
}
