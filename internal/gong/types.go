package gong

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// ID is a Gong identifier. Gong sends ids as strings of up to 20 digits, which
// can overflow int64; some payloads send numbers. Both decode to the digits.
type ID string

// UnmarshalJSON accepts a JSON string, a JSON number or null.
func (id *ID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) == 0 || string(b) == "null":
		*id = ""
	case b[0] == '"':
		s, err := unquote(b)
		if err != nil {
			return fmt.Errorf("id: %w", err)
		}
		*id = ID(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("id: want a string or a number, got %.40s", b)
		}
		*id = ID(n.String())
	}
	return nil
}

// unquote decodes a JSON string. Ids and timestamps never hold escapes, so
// the common case is a slice; anything else goes through encoding/json.
func unquote(b []byte) (string, error) {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b[1:len(b)-1], '\\') < 0 && bytes.IndexByte(b[1:len(b)-1], '"') < 0 {
		return string(b[1 : len(b)-1]), nil
	}
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// Time is a Gong timestamp: an ISO-8601 string with an offset and any number
// of fractional digits, or (in Gong's generated doc examples) Unix seconds.
// The zero Time means the field was absent or null.
type Time struct{ time.Time }

// UnmarshalJSON accepts an RFC 3339 string, a number of Unix seconds or null.
func (t *Time) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		t.Time = time.Time{}
		return nil
	}
	if b[0] == '"' {
		s, err := unquote(b)
		if err != nil {
			return fmt.Errorf("timestamp: %w", err)
		}
		if s == "" {
			t.Time = time.Time{}
			return nil
		}
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return fmt.Errorf("timestamp %q: want ISO-8601 with an offset", s)
		}
		t.Time = v
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("timestamp: want a string or Unix seconds, got %.40s", b)
	}
	sec := int64(f)
	t.Time = time.Unix(sec, int64((f-float64(sec))*1e9)).UTC()
	return nil
}

// MarshalJSON writes RFC 3339 with nanoseconds as needed, or null for zero.
func (t Time) MarshalJSON() ([]byte, error) {
	if t.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + t.Format(time.RFC3339Nano) + `"`), nil
}

// Records is the pagination block of list responses.
type Records struct {
	TotalRecords      int    `json:"totalRecords"`
	CurrentPageSize   int    `json:"currentPageSize"`
	CurrentPageNumber int    `json:"currentPageNumber"`
	Cursor            string `json:"cursor,omitempty"`
}

// ErrorResponse is Gong's error body.
type ErrorResponse struct {
	RequestID string   `json:"requestId,omitempty"`
	Errors    []string `json:"errors"`
}

// CallMeta is CallBasicData: the flat items of GET /v2/calls and the metaData of
// an extensive call.
type CallMeta struct {
	ID              ID      `json:"id"`
	URL             string  `json:"url,omitempty"`
	Title           string  `json:"title,omitempty"`
	Scheduled       Time    `json:"scheduled,omitzero"`
	Started         Time    `json:"started,omitzero"`
	Duration        float64 `json:"duration,omitempty"`
	PrimaryUserID   ID      `json:"primaryUserId,omitempty"`
	Direction       string  `json:"direction,omitempty"`
	System          string  `json:"system,omitempty"`
	Scope           string  `json:"scope,omitempty"`
	Media           string  `json:"media,omitempty"`
	Language        string  `json:"language,omitempty"`
	WorkspaceID     ID      `json:"workspaceId,omitempty"`
	SDRDisposition  string  `json:"sdrDisposition,omitempty"`
	ClientUniqueID  *string `json:"clientUniqueId,omitempty"`
	CustomData      *string `json:"customData,omitempty"`
	Purpose         *string `json:"purpose,omitempty"`
	MeetingURL      string  `json:"meetingUrl,omitempty"`
	IsPrivate       bool    `json:"isPrivate"`
	CalendarEventID *string `json:"calendarEventId,omitempty"`
}

// ContextField is one CRM field; its value may be any JSON type.
type ContextField struct {
	Name  string          `json:"name"`
	Value json.RawMessage `json:"value,omitempty"`
}

// String renders the field value as text: strings unquoted, numbers as
// written, null as "".
func (f ContextField) String() string {
	v := bytes.TrimSpace(f.Value)
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	if v[0] == '"' {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
	}
	return string(v)
}

// ContextObject is one CRM object (Account, Opportunity, Contact, ...).
type ContextObject struct {
	ObjectType string         `json:"objectType"`
	ObjectID   *string        `json:"objectId,omitempty"`
	Fields     []ContextField `json:"fields,omitempty"`
	Timing     string         `json:"timing,omitempty"`
}

// Context is the CRM context of a call or a party, per system.
type Context struct {
	System  string          `json:"system"`
	Objects []ContextObject `json:"objects"`
}

// Party is a call participant.
type Party struct {
	ID           ID        `json:"id,omitempty"`
	EmailAddress string    `json:"emailAddress,omitempty"`
	Name         string    `json:"name,omitempty"`
	Title        string    `json:"title,omitempty"`
	UserID       ID        `json:"userId,omitempty"`
	SpeakerID    *ID       `json:"speakerId,omitempty"`
	Context      []Context `json:"context,omitempty"`
	Affiliation  string    `json:"affiliation,omitempty"`
	PhoneNumber  string    `json:"phoneNumber,omitempty"`
	Methods      []string  `json:"methods,omitempty"`
}

// Occurrence is one moment a tracker fired.
type Occurrence struct {
	StartTime float64 `json:"startTime"`
	SpeakerID ID      `json:"speakerId,omitempty"`
}

// TrackerPhrase is one phrase of a tracker and where it occurred.
type TrackerPhrase struct {
	Count       int          `json:"count"`
	Occurrences []Occurrence `json:"occurrences,omitempty"`
	Phrase      string       `json:"phrase"`
}

// Tracker is a tracker that fired in the call.
type Tracker struct {
	ID          ID              `json:"id,omitempty"`
	Name        string          `json:"name"`
	Count       int             `json:"count"`
	Type        string          `json:"type,omitempty"`
	Occurrences []Occurrence    `json:"occurrences,omitempty"`
	Phrases     []TrackerPhrase `json:"phrases,omitempty"`
}

// NamedDuration is a topic or structure part with seconds spent on it.
type NamedDuration struct {
	Name     string  `json:"name"`
	Duration float64 `json:"duration"`
}

// ActionItem is a point of interest; note Gong's capital "ID" in speakerID.
type ActionItem struct {
	SnippetStartTime float64 `json:"snippetStartTime"`
	SnippetEndTime   float64 `json:"snippetEndTime"`
	SpeakerID        ID      `json:"speakerID,omitempty"`
	Snippet          string  `json:"snippet"`
}

// PointsOfInterest holds the action items.
type PointsOfInterest struct {
	ActionItems []ActionItem `json:"actionItems,omitempty"`
}

// OutlineItem is one line of an outline section.
type OutlineItem struct {
	Text      string  `json:"text"`
	StartTime float64 `json:"startTime"`
}

// OutlineSection is one section of the outline.
type OutlineSection struct {
	Section   string        `json:"section"`
	StartTime float64       `json:"startTime"`
	Duration  float64       `json:"duration"`
	Items     []OutlineItem `json:"items,omitempty"`
}

// HighlightItem is one highlighted moment.
type HighlightItem struct {
	Text       string    `json:"text"`
	StartTimes []float64 `json:"startTimes,omitempty"`
}

// Highlight is a titled group of highlighted moments.
type Highlight struct {
	Title string          `json:"title"`
	Items []HighlightItem `json:"items,omitempty"`
}

// CallOutcome is the disposition of the call.
type CallOutcome struct {
	ID       string `json:"id,omitempty"`
	Category string `json:"category,omitempty"`
	Name     string `json:"name,omitempty"`
}

// KeyPoint is one key point of the call.
type KeyPoint struct {
	Text string `json:"text"`
}

// Content is the AI-generated content of an extensive call.
type Content struct {
	Structure        []NamedDuration   `json:"structure,omitempty"`
	Trackers         []Tracker         `json:"trackers,omitempty"`
	Topics           []NamedDuration   `json:"topics,omitempty"`
	PointsOfInterest *PointsOfInterest `json:"pointsOfInterest,omitempty"`
	Brief            string            `json:"brief,omitempty"`
	Outline          []OutlineSection  `json:"outline,omitempty"`
	Highlights       []Highlight       `json:"highlights,omitempty"`
	CallOutcome      *CallOutcome      `json:"callOutcome,omitempty"`
	KeyPoints        []KeyPoint        `json:"keyPoints,omitempty"`
}

// Speaker is talk time per speaker.
type Speaker struct {
	ID       ID      `json:"id"`
	UserID   ID      `json:"userId,omitempty"`
	TalkTime float64 `json:"talkTime"`
}

// Interaction holds interaction statistics; gongconnector keeps only speakers.
type Interaction struct {
	Speakers []Speaker `json:"speakers,omitempty"`
}

// ExtensiveCall is one item of POST /v2/calls/extensive.
type ExtensiveCall struct {
	MetaData    CallMeta     `json:"metaData"`
	Context     []Context    `json:"context,omitempty"`
	Parties     []Party      `json:"parties,omitempty"`
	Content     *Content     `json:"content,omitempty"`
	Interaction *Interaction `json:"interaction,omitempty"`
}

// CallsResponse is the body of GET /v2/calls.
type CallsResponse struct {
	RequestID string     `json:"requestId"`
	Records   Records    `json:"records"`
	Calls     []CallMeta `json:"calls"`
}

// CallResponse is the body of GET /v2/calls/{id}.
type CallResponse struct {
	RequestID string   `json:"requestId"`
	Call      CallMeta `json:"call"`
}

// ExtensiveResponse is the body of POST /v2/calls/extensive.
type ExtensiveResponse struct {
	RequestID string          `json:"requestId"`
	Records   Records         `json:"records"`
	Calls     []ExtensiveCall `json:"calls"`
}

// Sentence is one transcript sentence; times are milliseconds.
type Sentence struct {
	Start int64  `json:"start"`
	End   int64  `json:"end"`
	Text  string `json:"text"`
}

// Monologue is a run of sentences by one speaker.
type Monologue struct {
	SpeakerID ID         `json:"speakerId,omitempty"`
	Topic     *string    `json:"topic,omitempty"`
	Sentences []Sentence `json:"sentences"`
}

// CallTranscript is the transcript of one call.
type CallTranscript struct {
	CallID     ID          `json:"callId"`
	Transcript []Monologue `json:"transcript"`
}

// TranscriptResponse is the body of POST /v2/calls/transcript.
type TranscriptResponse struct {
	RequestID       string           `json:"requestId"`
	Records         Records          `json:"records"`
	CallTranscripts []CallTranscript `json:"callTranscripts"`
}

// User is UserMetadata.
type User struct {
	ID                  ID       `json:"id"`
	EmailAddress        string   `json:"emailAddress,omitempty"`
	Created             Time     `json:"created,omitzero"`
	Active              bool     `json:"active"`
	EmailAliases        []string `json:"emailAliases,omitempty"`
	TrustedEmailAddress string   `json:"trustedEmailAddress,omitempty"`
	FirstName           string   `json:"firstName,omitempty"`
	LastName            string   `json:"lastName,omitempty"`
	Title               string   `json:"title,omitempty"`
	PhoneNumber         string   `json:"phoneNumber,omitempty"`
	ManagerID           ID       `json:"managerId,omitempty"`
}

// UsersResponse is the body of GET /v2/users and POST /v2/users/extensive.
type UsersResponse struct {
	RequestID string  `json:"requestId"`
	Records   Records `json:"records"`
	Users     []User  `json:"users"`
}

// Workspace is one workspace.
type Workspace struct {
	ID          ID     `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// WorkspacesResponse is the body of GET /v2/workspaces.
type WorkspacesResponse struct {
	RequestID  string      `json:"requestId"`
	Workspaces []Workspace `json:"workspaces"`
}

// AccessLevel is a permission level with optional team leads.
type AccessLevel struct {
	PermissionLevel string `json:"permissionLevel"`
	TeamLeadIDs     []ID   `json:"teamLeadIds"`
}

// Profile is a PermissionProfileDTO reduced to what we read; unknown fields
// (Gong adds capabilities without notice) are ignored.
type Profile struct {
	ID             ID           `json:"id"`
	Name           string       `json:"name"`
	Description    string       `json:"description,omitempty"`
	CallsAccess    *AccessLevel `json:"callsAccess,omitempty"`
	DealsAccess    *AccessLevel `json:"dealsAccess,omitempty"`
	CallsAndSearch *bool        `json:"callsAndSearch,omitempty"`
	PrivateCalls   *bool        `json:"privateCalls,omitempty"`
}

// ProfilesResponse is the body of GET /v2/all-permission-profiles.
type ProfilesResponse struct {
	RequestID string    `json:"requestId"`
	Profiles  []Profile `json:"profiles"`
}

// ProfileUser is UserSimpleMetadata.
type ProfileUser struct {
	ID           ID     `json:"id"`
	FullName     string `json:"fullName,omitempty"`
	EmailAddress string `json:"emailAddress,omitempty"`
}

// ProfileUsersResponse is the body of GET /v2/permission-profile/users.
type ProfileUsersResponse struct {
	RequestID string        `json:"requestId"`
	Users     []ProfileUser `json:"users"`
}

// LanguageKeywords is one language's keywords of a tracker.
type LanguageKeywords struct {
	Language            string   `json:"language"`
	Keywords            []string `json:"keywords"`
	IncludeRelatedForms bool     `json:"includeRelatedForms"`
}

// KeywordTracker is a tracker definition.
type KeywordTracker struct {
	TrackerID        ID                 `json:"trackerId"`
	TrackerName      string             `json:"trackerName"`
	WorkspaceID      ID                 `json:"workspaceId,omitempty"`
	LanguageKeywords []LanguageKeywords `json:"languageKeywords,omitempty"`
	Affiliation      string             `json:"affiliation,omitempty"`
	Created          Time               `json:"created,omitzero"`
	Updated          Time               `json:"updated,omitzero"`
}

// TrackersResponse is the body of GET /v2/settings/trackers.
type TrackersResponse struct {
	RequestID       string           `json:"requestId"`
	KeywordTrackers []KeywordTracker `json:"keywordTrackers"`
}

// CallsFilter is the filter of POST /v2/calls/extensive and /v2/calls/transcript.
type CallsFilter struct {
	FromDateTime   string `json:"fromDateTime,omitempty"`
	ToDateTime     string `json:"toDateTime,omitempty"`
	WorkspaceID    string `json:"workspaceId,omitempty"`
	CallIDs        []ID   `json:"callIds,omitempty"`
	PrimaryUserIDs []ID   `json:"primaryUserIds,omitempty"`
}

// ContentFields selects content sub-objects.
type ContentFields struct {
	Structure        bool `json:"structure,omitempty"`
	Topics           bool `json:"topics,omitempty"`
	Trackers         bool `json:"trackers,omitempty"`
	PointsOfInterest bool `json:"pointsOfInterest,omitempty"`
	Brief            bool `json:"brief,omitempty"`
	Outline          bool `json:"outline,omitempty"`
	Highlights       bool `json:"highlights,omitempty"`
	CallOutcome      bool `json:"callOutcome,omitempty"`
	KeyPoints        bool `json:"keyPoints,omitempty"`
}

// ExposedFields selects the parts of an extensive call.
type ExposedFields struct {
	Parties bool           `json:"parties,omitempty"`
	Content *ContentFields `json:"content,omitempty"`
}

// ContentSelector selects CRM context and exposed fields.
type ContentSelector struct {
	Context       string         `json:"context,omitempty"`
	ContextTiming []string       `json:"contextTiming,omitempty"`
	ExposedFields *ExposedFields `json:"exposedFields,omitempty"`
}

// ExtensiveRequest is the body of POST /v2/calls/extensive. Filter is a
// pointer so that a body without "filter" can be represented (Gong rejects it).
type ExtensiveRequest struct {
	Cursor          string           `json:"cursor,omitempty"`
	Filter          *CallsFilter     `json:"filter"`
	ContentSelector *ContentSelector `json:"contentSelector,omitempty"`
}

// UsersFilter is the filter of POST /v2/users/extensive.
type UsersFilter struct {
	CreatedFromDateTime string `json:"createdFromDateTime,omitempty"`
	CreatedToDateTime   string `json:"createdToDateTime,omitempty"`
	UserIDs             []ID   `json:"userIds,omitempty"`
}

// UsersRequest is the body of POST /v2/users/extensive.
type UsersRequest struct {
	Cursor string       `json:"cursor,omitempty"`
	Filter *UsersFilter `json:"filter"`
}
