package graph

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"unicode/utf8"

	"gongconnector/internal/core"
)

// ACE is one entry of an item's access control list.
type ACE struct {
	// Type is user, group, everyone, everyoneExceptGuests or externalGroup.
	Type string `json:"type"`
	// Value is the Entra object id, the tenant id (everyone) or the
	// external group's id.
	Value string `json:"value"`
	// AccessType is grant or deny; deny wins.
	AccessType string `json:"accessType"`
}

// Item is an external item: one call.
type Item struct {
	ID  string
	ACL []ACE
	// Properties are values by schema property name: string, int64,
	// float64, bool, time as RFC 3339 text, or []string.
	Properties map[string]any
	// Content is the item's text, searched and used by Copilot.
	Content string
}

// MaxItemBytes is Graph's limit on an item's request body (4 MB).
const MaxItemBytes = 4_000_000

// itemBody writes an item as Graph wants it: the @odata.type annotations
// on collections and on strings that are not ASCII, per the schema.
func itemBody(s Schema, it Item) (json.RawMessage, error) {
	types := map[string]string{}
	for _, p := range s.Properties {
		types[p.Name] = p.Type
	}
	props := map[string]any{}
	for name, v := range it.Properties {
		typ, ok := types[name]
		if !ok {
			return nil, fmt.Errorf("item %s: property %q is not in the schema", it.ID, name)
		}
		switch typ {
		case "stringCollection":
			props[name+"@odata.type"] = "Collection(String)"
		case "int64Collection":
			props[name+"@odata.type"] = "Collection(Int64)"
		case "doubleCollection":
			props[name+"@odata.type"] = "Collection(Double)"
		case "dateTimeCollection":
			props[name+"@odata.type"] = "Collection(DateTimeOffset)"
		case "string":
			if s, ok := v.(string); ok && !ascii(s) {
				props[name+"@odata.type"] = "String"
			}
		}
		props[name] = v
	}
	body := map[string]any{"acl": it.ACL, "properties": props}
	if it.Content != "" {
		body["content"] = map[string]string{"type": "text", "value": it.Content}
	}
	return json.Marshal(body)
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// PutItem creates or replaces an item. An item over the 4 MB limit has
// its content cut to fit, never its ACL or properties.
func (c *Client) PutItem(ctx context.Context, connID string, s Schema, it Item) error {
	if len(it.ACL) == 0 {
		return core.Errorf(core.EInvalid, "item %s has no ACL: nobody could see it", it.ID)
	}
	body, err := itemBody(s, it)
	if err != nil {
		return err
	}
	if over := len(body) - MaxItemBytes; over > 0 {
		// JSON escaping can make the content longer on the wire than in
		// Go: cut twice the excess, at a rune boundary.
		cut := max(len(it.Content)-2*over-1024, 0)
		for cut > 0 && !utf8.RuneStart(it.Content[cut]) {
			cut--
		}
		it.Content = it.Content[:cut]
		if body, err = itemBody(s, it); err != nil {
			return err
		}
	}
	path := "/external/connections/" + url.PathEscape(connID) + "/items/" + url.PathEscape(it.ID)
	if _, err := c.Do(ctx, Request{Method: http.MethodPut, URL: path, Body: body, Permission: PermItems}); err != nil {
		return fmt.Errorf("push call %s: %w", it.ID, err)
	}
	return nil
}

// DeleteItem removes an item; one already gone is not an error.
func (c *Client) DeleteItem(ctx context.Context, connID, id string) error {
	path := "/external/connections/" + url.PathEscape(connID) + "/items/" + url.PathEscape(id)
	_, err := c.Do(ctx, Request{Method: http.MethodDelete, URL: path, Permission: PermItems})
	if core.ErrorCode(err) == core.ENotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("delete call %s: %w", id, err)
	}
	return nil
}
