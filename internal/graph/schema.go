package graph

// The schema of the external items gongconnector pushes: one item per call.
// What users ask about is searchable (title, accounts, deals, participants)
// or refinable (topics, trackers, outcome, workspace, dates), all of it
// retrievable so that results and Copilot answers can show it. The call's
// content (brief, key points, action items, highlights) is the item's text
// content, not a property. Labels tell Microsoft Search and Copilot which
// property is the title, the link, the author and the dates.

// Schema is the body of PATCH /external/connections/{id}/schema.
type Schema struct {
	BaseType   string     `json:"baseType"`
	Properties []Property `json:"properties"`
}

// Property is one property of the schema.
type Property struct {
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	IsSearchable  bool     `json:"isSearchable"`
	IsQueryable   bool     `json:"isQueryable"`
	IsRetrievable bool     `json:"isRetrievable"`
	IsRefinable   bool     `json:"isRefinable"`
	Labels        []string `json:"labels,omitempty"`
	Aliases       []string `json:"aliases,omitempty"`
	Description   string   `json:"description,omitempty"`
}

// CallSchema returns the schema of the calls.
func CallSchema() Schema {
	return Schema{BaseType: "microsoft.graph.externalItem", Properties: []Property{
		{Name: "title", Type: "string", IsSearchable: true, IsQueryable: true, IsRetrievable: true, Labels: []string{"title"},
			Description: "The call or meeting's title in Gong."},
		{Name: "url", Type: "string", IsRetrievable: true, Labels: []string{"url"}, Description: "The call's page in Gong."},
		{Name: "accounts", Type: "stringCollection", IsSearchable: true, IsQueryable: true, IsRetrievable: true, Aliases: []string{"account", "company", "customer"},
			Description: "CRM accounts (companies) the call was with."},
		{Name: "deals", Type: "stringCollection", IsSearchable: true, IsQueryable: true, IsRetrievable: true, Aliases: []string{"deal", "opportunity"},
			Description: "CRM deals (opportunities) the call is about."},
		{Name: "participants", Type: "stringCollection", IsSearchable: true, IsQueryable: true, IsRetrievable: true, Labels: []string{"authors"}, Aliases: []string{"attendees"},
			Description: "Names of the people who took part in the call."},
		{Name: "host", Type: "string", IsQueryable: true, IsRetrievable: true, Labels: []string{"createdBy"}, Description: "The Gong user who hosted the call."},
		{Name: "started", Type: "dateTime", IsQueryable: true, IsRetrievable: true, IsRefinable: true, Labels: []string{"createdDateTime"},
			Aliases: []string{"date", "meetingDate"}, Description: "When the call started (UTC)."},
		{Name: "lastModified", Type: "dateTime", IsQueryable: true, IsRetrievable: true, Labels: []string{"lastModifiedDateTime"},
			Description: "When the call's content last changed in Gong."},
		{Name: "durationMinutes", Type: "int64", IsQueryable: true, IsRetrievable: true, IsRefinable: true, Description: "How long the call lasted, in minutes."},
		{Name: "topics", Type: "stringCollection", IsQueryable: true, IsRetrievable: true, IsRefinable: true, Description: "Topics Gong detected in the call."},
		{Name: "trackers", Type: "stringCollection", IsQueryable: true, IsRetrievable: true, IsRefinable: true, Description: "Gong trackers (keywords and smart trackers) that fired in the call."},
		{Name: "outcome", Type: "string", IsQueryable: true, IsRetrievable: true, IsRefinable: true, Description: "The call's disposition in Gong."},
		{Name: "workspace", Type: "string", IsQueryable: true, IsRetrievable: true, IsRefinable: true, Description: "The Gong workspace of the call."},
	}}
}
