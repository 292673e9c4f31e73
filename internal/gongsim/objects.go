package gongsim

import (
	"time"

	"gongconnector/internal/gong"
)

// wsTracker is a keyword tracker of one workspace.
type wsTracker struct {
	id, name, topic  string
	keywords         []string
	created, updated int64
}

func (s *Sim) buildTrackers() {
	s.trackers = make([][]wsTracker, len(s.workspaces))
	for w := range s.workspaces {
		for k, td := range trackerDefs {
			h := hash3(s.seed, saltTrackers, uint64(w*100+k))
			kw := td.keywords
			if kw == nil {
				kw = competitors
			}
			created := s.start.Unix() - 600*dayS + int64(h%(300*dayS))
			s.trackers[w] = append(s.trackers[w], wsTracker{
				id: numID(h), name: td.name, topic: td.topic, keywords: kw,
				created: created, updated: created + int64(h>>20%(200*dayS)),
			})
		}
	}
}

func (s *Sim) trackerJSON(w int, t *wsTracker) gong.KeywordTracker {
	return gong.KeywordTracker{
		TrackerID:        gong.ID(t.id),
		TrackerName:      t.name,
		WorkspaceID:      gong.ID(s.workspaces[w].id),
		LanguageKeywords: []gong.LanguageKeywords{{Language: "eng", Keywords: t.keywords, IncludeRelatedForms: t.name != "Competitors"}},
		Affiliation:      "Anyone",
		Created:          gong.Time{Time: time.Unix(t.created, 0).In(s.zone)},
		Updated:          gong.Time{Time: time.Unix(t.updated, 0).In(s.zone)},
	}
}

func (s *Sim) userJSON(i int) gong.User {
	u := &s.users[i]
	g := gong.User{
		ID:                  gong.ID(u.id),
		EmailAddress:        u.email,
		Created:             gong.Time{Time: time.Unix(u.created, 0).In(s.zone)},
		Active:              u.active,
		EmailAliases:        u.aliases,
		TrustedEmailAddress: u.email,
		FirstName:           u.first,
		LastName:            u.last,
		Title:               u.title,
		PhoneNumber:         u.phone,
	}
	if u.manager >= 0 {
		g.ManagerID = gong.ID(s.users[u.manager].id)
	}
	return g
}

// libraryAccess is a profile's libraryFolderAccess.
type libraryAccess struct {
	PermissionLevel    string   `json:"permissionLevel"`
	LibraryFolderIDs   []string `json:"libraryFolderIds"`
	ManagePublicFolder bool     `json:"managePublicFolder"`
	ManageStreams      bool     `json:"manageStreams"`
}

// profileJSON is a PermissionProfileDTO: gong.Profile plus the access
// objects and capability booleans gong.Profile does not read, among them
// aiBuilder, which Gong's spec does not list but real tenants send.
type profileJSON struct {
	gong.Profile
	CoachingAccess                 gong.AccessLevel `json:"coachingAccess"`
	InsightsAccess                 gong.AccessLevel `json:"insightsAccess"`
	UsageAccess                    gong.AccessLevel `json:"usageAccess"`
	EmailsAccess                   gong.AccessLevel `json:"emailsAccess"`
	LibraryFolderAccess            libraryAccess    `json:"libraryFolderAccess"`
	ScoreCalls                     bool             `json:"scoreCalls"`
	DownloadCallMedia              bool             `json:"downloadCallMedia"`
	ShareCallsWithCustomers        bool             `json:"shareCallsWithCustomers"`
	ManuallyScheduleAndUploadCalls bool             `json:"manuallyScheduleAndUploadCalls"`
	DeleteCalls                    bool             `json:"deleteCalls"`
	TrimCalls                      bool             `json:"trimCalls"`
	ListenInCalls                  bool             `json:"listenInCalls"`
	ManageScorecards               bool             `json:"manageScorecards"`
	CRMDataImport                  bool             `json:"crmDataImport"`
	CRMDataInlineEditing           bool             `json:"crmDataInlineEditing"`
	ManageGeneralBusinessSettings  bool             `json:"manageGeneralBusinessSettings"`
	AIBuilder                      bool             `json:"aiBuilder"`
}

// profileExtraKeys are the profileJSON keys gong.Profile does not decode.
var profileExtraKeys = []string{
	"coachingAccess", "insightsAccess", "usageAccess", "emailsAccess", "libraryFolderAccess",
	"scoreCalls", "downloadCallMedia", "shareCallsWithCustomers", "manuallyScheduleAndUploadCalls",
	"deleteCalls", "trimCalls", "listenInCalls", "manageScorecards", "crmDataImport",
	"crmDataInlineEditing", "manageGeneralBusinessSettings", "aiBuilder",
}

func (s *Sim) profileJSON(i int) profileJSON {
	p := &s.profiles[i]
	var leads []gong.ID
	if p.leads != nil {
		leads = make([]gong.ID, len(p.leads))
		for k, u := range p.leads {
			leads[k] = gong.ID(s.users[u].id)
		}
	}
	admin := p.rank <= profLeadership
	manager := p.rank <= profCollaborator
	calls := p.level != "none"
	lvl := func(l string) gong.AccessLevel { return gong.AccessLevel{PermissionLevel: l} }
	team := "own"
	if manager {
		team = p.level
	}
	if !calls {
		team = "none"
	}
	lib := "all"
	if !calls {
		lib = "none"
	}
	return profileJSON{
		Profile: gong.Profile{
			ID: gong.ID(p.id), Name: p.name, Description: p.desc,
			CallsAccess:    &gong.AccessLevel{PermissionLevel: p.level, TeamLeadIDs: leads},
			DealsAccess:    &gong.AccessLevel{PermissionLevel: team},
			CallsAndSearch: &calls,
			PrivateCalls:   &manager,
		},
		CoachingAccess:                 lvl(team),
		InsightsAccess:                 lvl(team),
		UsageAccess:                    lvl(map[bool]string{true: "all", false: "none"}[admin]),
		EmailsAccess:                   lvl(team),
		LibraryFolderAccess:            libraryAccess{PermissionLevel: lib, ManagePublicFolder: admin, ManageStreams: calls},
		ScoreCalls:                     manager,
		DownloadCallMedia:              admin,
		ShareCallsWithCustomers:        calls,
		ManuallyScheduleAndUploadCalls: calls,
		DeleteCalls:                    admin,
		TrimCalls:                      manager,
		ListenInCalls:                  manager,
		ManageScorecards:               admin,
		CRMDataImport:                  admin,
		CRMDataInlineEditing:           manager,
		ManageGeneralBusinessSettings:  p.rank == profAdmin,
		AIBuilder:                      admin,
	}
}
