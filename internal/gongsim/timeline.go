package gongsim

import (
	"fmt"
	"sort"
)

// EventKind is the kind of a tenant change.
type EventKind string

// Event kinds.
const (
	// EventNewCall publishes an extra call now (CallID is ignored; the
	// applied event in Events carries the new id). Its content follows
	// within six hours.
	EventNewCall EventKind = "new-call"
	// EventEditCall changes the title, brief, key points and action items.
	EventEditCall EventKind = "edit-call"
	// EventDeleteCall deletes the call: it is no longer listed, and GET
	// /v2/calls/{id} answers 404.
	EventDeleteCall EventKind = "delete-call"
	// EventPrivateCall marks the call private; it is still listed, with
	// isPrivate true.
	EventPrivateCall EventKind = "private-call"
	// EventPublicCall makes a private call public again.
	EventPublicCall EventKind = "public-call"
	// EventMoveCall moves the call to WorkspaceID.
	EventMoveCall EventKind = "move-call"
	// EventProfileChange moves UserID to ProfileID in WorkspaceID; an empty
	// ProfileID removes the user from any profile of that workspace.
	EventProfileChange EventKind = "profile-change"
	// EventManagerChange sets UserID's manager to ManagerID (empty: none).
	EventManagerChange EventKind = "manager-change"
	// EventActiveChange sets whether UserID is active.
	EventActiveChange EventKind = "active-change"
)

// Event is one change to the tenant.
type Event struct {
	Kind                                              EventKind
	CallID, UserID, WorkspaceID, ProfileID, ManagerID string
	Active                                            bool
}

// AppliedEvent is an event with the virtual time it was applied.
type AppliedEvent struct {
	Event
	At int64 // virtual unix seconds
}

const maxEventLog = 10000

// Apply applies one change now.
func (s *Sim) Apply(ev Event) error {
	now := s.sync().Unix()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applyCount++
	r := newRnd(s.seed, saltTimeline+1, s.applyCount)
	return s.apply(ev, now, &r)
}

// Events returns the changes applied so far (timeline and Apply), oldest
// first; new calls carry their id.
func (s *Sim) Events() []AppliedEvent {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return append([]AppliedEvent(nil), s.events...)
}

func (s *Sim) callRef(id string) (int32, error) {
	ref, ok := s.refOf(id)
	if !ok || s.flags[ref]&flagDeleted != 0 {
		return 0, fmt.Errorf("gongsim: no call %q", id)
	}
	return ref, nil
}

func (s *Sim) userIdx(id string) (int, error) {
	u, ok := s.userByID[id]
	if !ok {
		return 0, fmt.Errorf("gongsim: no user %q", id)
	}
	return u, nil
}

func (s *Sim) apply(ev Event, now int64, r *rnd) error {
	switch ev.Kind {
	case EventNewCall:
		ref := s.newCall(now, r)
		ev.CallID = s.callID(ref)
	case EventEditCall, EventDeleteCall, EventPrivateCall, EventPublicCall, EventMoveCall:
		ref, err := s.callRef(ev.CallID)
		if err != nil {
			return err
		}
		switch ev.Kind {
		case EventEditCall:
			s.versions[ref]++
		case EventDeleteCall:
			s.flags[ref] |= flagDeleted
		case EventPrivateCall:
			s.flags[ref] |= flagPrivate
		case EventPublicCall:
			s.flags[ref] &^= flagPrivate
		case EventMoveCall:
			w, ok := s.wsByID[ev.WorkspaceID]
			if !ok {
				return fmt.Errorf("gongsim: no workspace %q", ev.WorkspaceID)
			}
			s.ws[ref] = uint8(w)
		}
	case EventProfileChange:
		u, err := s.userIdx(ev.UserID)
		if err != nil {
			return err
		}
		w, ok := s.wsByID[ev.WorkspaceID]
		if !ok {
			return fmt.Errorf("gongsim: no workspace %q", ev.WorkspaceID)
		}
		p := -1
		if ev.ProfileID != "" {
			pp, ok := s.profileByID[ev.ProfileID]
			if !ok || s.profiles[pp].ws != w {
				return fmt.Errorf("gongsim: no profile %q in workspace %q", ev.ProfileID, ev.WorkspaceID)
			}
			p = pp
		}
		s.member[w][u] = int16(p)
	case EventManagerChange:
		u, err := s.userIdx(ev.UserID)
		if err != nil {
			return err
		}
		m := -1
		if ev.ManagerID != "" {
			if m, err = s.userIdx(ev.ManagerID); err != nil {
				return err
			}
			for x := m; x >= 0; x = s.users[x].manager {
				if x == u {
					return fmt.Errorf("gongsim: making %q the manager of %q would create a cycle", ev.ManagerID, ev.UserID)
				}
			}
		}
		s.users[u].manager = m
	case EventActiveChange:
		u, err := s.userIdx(ev.UserID)
		if err != nil {
			return err
		}
		s.users[u].active = ev.Active
	default:
		return fmt.Errorf("gongsim: unknown event kind %q", ev.Kind)
	}
	if len(s.events) < maxEventLog {
		s.events = append(s.events, AppliedEvent{Event: ev, At: now})
	}
	return nil
}

// newCall adds a call that ended a little while ago and is published now.
func (s *Sim) newCall(now int64, r *rnd) int32 {
	k := r.intn(len(callKinds))
	kd := &callKinds[k]
	var h uint16
	for range 20 {
		h = s.hostsAll[r.intn(len(s.hostsAll))]
		if s.users[h].active {
			break
		}
	}
	d := r.between(kd.minDur, kd.maxDur)*60 + r.intn(60)
	lag := r.between(600, 3*3600)
	start := now - int64(d+lag)
	return s.addCall(start, d, lag, r.intn(6*3600+1), k, s.users[h].home, int(h), 0)
}

// Timeline event kinds and their weights.
var timelineKinds = []struct {
	kind   EventKind
	weight int
}{
	{EventNewCall, 35}, {EventEditCall, 20}, {EventDeleteCall, 5}, {EventPrivateCall, 5}, {EventPublicCall, 4},
	{EventMoveCall, 5}, {EventProfileChange, 10}, {EventManagerChange, 6}, {EventActiveChange, 5},
}

type plannedEvent struct {
	at   int64
	kind EventKind
	seed uint64
}

// bucketEvents returns the events of one virtual hour, sorted by time. They
// depend only on the seed and the hour, so the step sizes of Advance do not
// change what happens.
func (s *Sim) bucketEvents(hour int64) []plannedEvent {
	r := newRnd(s.seed, saltTimeline, uint64(hour))
	rate := min(max(s.nBase/500, 2), 40)
	n := rate/2 + r.intn(rate+1)
	total := 0
	for _, k := range timelineKinds {
		total += k.weight
	}
	evs := make([]plannedEvent, n)
	for i := range evs {
		x := r.intn(total)
		var kind EventKind
		for _, k := range timelineKinds {
			if x < k.weight {
				kind = k.kind
				break
			}
			x -= k.weight
		}
		evs[i] = plannedEvent{at: hour*3600 + int64(r.intn(3600)), kind: kind, seed: r.u64()}
	}
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].at < evs[j].at })
	return evs
}

// applyTimeline applies the events due up to now; s.mu must be held.
func (s *Sim) applyTimeline(now int64) {
	for s.timelineDone < now {
		hour := s.timelineDone / 3600
		end := min(now, (hour+1)*3600)
		for _, pe := range s.bucketEvents(hour) {
			if pe.at > s.timelineDone && pe.at <= end {
				r := newRnd(s.seed, pe.seed, 0)
				if ev, ok := s.targetEvent(pe.kind, pe.at, &r); ok {
					_ = s.apply(ev, pe.at, &r) // targets are valid by construction
				}
			}
		}
		s.timelineDone = end
	}
}

// targetEvent picks what a timeline event changes, mostly recent calls.
func (s *Sim) targetEvent(kind EventKind, at int64, r *rnd) (Event, bool) {
	ev := Event{Kind: kind}
	switch kind {
	case EventNewCall:
		return ev, true
	case EventEditCall, EventDeleteCall, EventPrivateCall, EventPublicCall, EventMoveCall:
		ref, ok := s.pickCall(at, r, kind == EventPublicCall)
		if !ok {
			return ev, false
		}
		ev.CallID = s.callID(ref)
		if kind == EventMoveCall {
			w := (int(s.ws[ref]) + 1 + r.intn(len(s.workspaces)-1)) % len(s.workspaces)
			ev.WorkspaceID = s.workspaces[w].id
		}
		return ev, true
	}
	u, ok := s.pickUser(r)
	if !ok {
		return ev, false
	}
	ev.UserID = s.users[u].id
	switch kind {
	case EventProfileChange:
		w := r.intn(len(s.workspaces))
		ev.WorkspaceID = s.workspaces[w].id
		if !r.chance(0.15) {
			ps := s.profilesOf(w)
			ev.ProfileID = s.profiles[ps[r.intn(len(ps))]].id
		}
	case EventManagerChange:
		us := &s.users[u]
		want := roleManager
		if us.role == roleManager {
			want = roleDirector
		}
		var cands []int
		for i := range s.users {
			if s.users[i].role == want && s.users[i].home == us.home && i != us.manager {
				cands = append(cands, i)
			}
		}
		if len(cands) == 0 {
			return ev, false
		}
		ev.ManagerID = s.users[cands[r.intn(len(cands))]].id
	case EventActiveChange:
		ev.Active = !s.users[u].active
	}
	return ev, true
}

// pickCall picks a listed call, 80% of the time among the last three days'.
func (s *Sim) pickCall(at int64, r *rnd, private bool) (int32, bool) {
	lo, hi := 0, len(s.order)
	if r.chance(0.8) {
		lo = sort.Search(len(s.order), func(i int) bool { return s.startS[s.order[i]] >= at-3*dayS })
		hi = sort.Search(len(s.order), func(i int) bool { return s.startS[s.order[i]] > at })
	}
	if hi <= lo {
		return 0, false
	}
	p := lo + r.intn(hi-lo)
	for k := 0; k < 200; k++ {
		ref := s.order[lo+(p-lo+k)%(hi-lo)]
		f := s.flags[ref]
		if !s.listed(ref, at) || f&flagExample != 0 || (f&flagPrivate != 0) != private {
			continue
		}
		return ref, true
	}
	return 0, false
}

// pickUser picks a user the timeline may change: no execs, no integration
// user, none of the example calls' people.
func (s *Sim) pickUser(r *rnd) (int, bool) {
	for range 50 {
		u := r.intn(len(s.users))
		rl := s.users[u].role
		if rl == roleExec || rl == roleIntegration || rl == roleVP || s.protected[u] {
			continue
		}
		return u, true
	}
	return 0, false
}
