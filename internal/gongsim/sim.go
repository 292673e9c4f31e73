// Package gongsim is a fake Gong API v2 serving a synthetic, deterministic
// tenant: workspaces, a reporting tree, permission profiles, CRM accounts and
// deals, and calls with parties, CRM context, AI content and transcripts. It
// reproduces the behaviour a crawler depends on (reference/gong-api.md):
// Basic auth, 100-record pages with expiring cursors, 404 for empty results,
// 400 for bad filters, 429 past the rate or daily limit, late publication of
// calls and of their content, changes over time and injected faults.
//
// Calls are generated on demand from the seed and their position; the
// simulator keeps a few bytes per call, so a million-call tenant is cheap.
package gongsim

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"sync"
	"time"

	"gongconnector/internal/gong"
)

// Options configure a simulator.
type Options struct {
	// Seed makes the tenant: the same seed and Now give the same tenant.
	Seed int64
	// Calls is the number of calls in the base tenant; default 2000.
	Calls int
	// Now is where the virtual clock starts; zero means the current hour (UTC).
	Now time.Time
	// AccessKey and AccessKeySecret, when both set, are required as Basic auth.
	AccessKey, AccessKeySecret string
	// Rate is the number of requests per second allowed (token bucket with a
	// burst of ceil(Rate)); 0 means unlimited.
	Rate float64
	// DailyLimit is the number of requests allowed per virtual UTC day; 0
	// means unlimited.
	DailyLimit int
	// Faults are injected into API responses.
	Faults Faults
	// PageSize is the number of records per page; default 100.
	PageSize int
	// CursorTTL is how long a pagination sequence lives, measured on the
	// virtual clock from its first request; default 1h.
	CursorTTL time.Duration
	// Timeline, when true, makes seeded changes happen as the clock advances.
	Timeline bool
	// Speed is how fast virtual time runs relative to wall time; 0 freezes
	// the clock, which then moves only through Advance.
	Speed float64
}

// Salts separate the random streams of the generator.
const (
	saltUsers uint64 = iota + 1
	saltProfiles
	saltAccounts
	saltCalls
	saltCallKey
	saltUserKey
	saltPlan
	saltContent
	saltTitle
	saltTimeline
	saltFaults
	saltWorkspaces
	saltTrackers
	saltParty
)

// Per-call flags.
const (
	flagPrivate uint8 = 1 << iota
	flagDeleted
	flagNoParties
	flagNoContext
	flagExample
)

const (
	maxCalls = 5_000_000
	growth   = 1.5 // call volume grows from 1x to 2.5x over the two years
	dayS     = 86400
	maxUsers = 10000
)

// Sim is a running simulated Gong tenant. It is safe for concurrent use.
type Sim struct {
	opts    Options
	seed    uint64
	start   time.Time // the virtual clock at New
	callKey permKey
	userKey permKey
	zone    *time.Location

	clockMu  sync.Mutex
	virtBase time.Time // virtual time at wallBase
	wallBase time.Time

	mu          sync.RWMutex
	workspaces  []workspace
	wsByID      map[string]int
	users       []user
	userByID    map[string]int
	profiles    []profile
	profileByID map[string]int
	member      [][]int16 // [workspace][user] → profile index, -1 for none
	accounts    []account
	trackers    [][]wsTracker // per workspace

	// Calls, struct of arrays indexed by position ("ref"); refs below nBase
	// are the base tenant, later ones were added (examples, new calls).
	nBase        int
	w0           int64 // Monday 00:00 UTC where business time starts
	startS       []int64
	dur          []uint16
	pubDelay     []uint32
	contentDelay []uint16
	kind         []uint8
	ws           []uint8
	host         []uint16
	flags        []uint8
	order        []int32 // refs sorted by (start, ref)
	versions     map[int32]uint16
	hand         map[int32]*handCall
	exampleIDs   map[string]string
	protected    map[int]bool // users the timeline leaves alone

	hostsAll, hostsSDR []uint16
	sesOf              [][]int

	timelineDone int64 // virtual unix seconds up to which events are applied
	applyCount   uint64
	events       []AppliedEvent

	limMu      sync.Mutex
	tokens     float64
	tokensAt   time.Time
	dayNum     int64
	dayCount   int
	faults     Faults
	faultRnd   rnd
	reqCounter uint64
	burstCount int

	statsMu sync.Mutex
	stats   Stats
}

// New builds the tenant. It is deterministic in Options.Seed, Calls and Now.
func New(opts Options) (*Sim, error) {
	if opts.Calls == 0 {
		opts.Calls = 2000
	}
	if opts.Calls < 1 || opts.Calls > maxCalls {
		return nil, fmt.Errorf("gongsim: calls must be between 1 and %d, got %d", maxCalls, opts.Calls)
	}
	if opts.PageSize == 0 {
		opts.PageSize = 100
	}
	if opts.PageSize < 1 {
		return nil, fmt.Errorf("gongsim: page size must be positive, got %d", opts.PageSize)
	}
	if opts.CursorTTL == 0 {
		opts.CursorTTL = time.Hour
	}
	if opts.Rate < 0 || opts.DailyLimit < 0 || opts.Speed < 0 || math.IsNaN(opts.Rate) || math.IsNaN(opts.Speed) {
		return nil, errors.New("gongsim: rate, daily limit and speed must not be negative")
	}
	if err := opts.Faults.validate(); err != nil {
		return nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now().UTC().Truncate(time.Hour)
	}
	opts.Now = opts.Now.UTC()
	s := &Sim{
		opts:      opts,
		seed:      uint64(opts.Seed),
		start:     opts.Now,
		zone:      time.FixedZone("", -7*3600),
		virtBase:  opts.Now,
		wallBase:  time.Now(),
		versions:  map[int32]uint16{},
		hand:      map[int32]*handCall{},
		protected: map[int]bool{},
	}
	s.callKey = newPermKey(s.seed, saltCallKey)
	s.userKey = newPermKey(s.seed, saltUserKey)
	s.timelineDone = opts.Now.Unix()
	s.faults = opts.Faults
	s.faultRnd = newRnd(s.seed, saltFaults, 0)
	s.tokens = math.Ceil(opts.Rate)
	s.tokensAt = s.wallBase

	nws := 3 + int(hash3(s.seed, saltWorkspaces, 0)%3)
	s.wsByID = map[string]int{}
	for i := range nws {
		w := workspace{id: numID(hash3(s.seed, saltWorkspaces, uint64(i+1))), name: workspaceDefs[i].name, desc: workspaceDefs[i].desc}
		s.workspaces = append(s.workspaces, w)
		s.wsByID[w.id] = i
	}
	s.buildUsers(min(max(opts.Calls/40, 60), maxUsers))
	s.buildProfiles()
	s.buildAccounts(min(max(opts.Calls/25, 40), 1500))
	s.buildTrackers()
	s.buildCalls(opts.Calls)
	s.buildExamples()
	return s, nil
}

// Now returns the virtual time.
func (s *Sim) Now() time.Time {
	s.clockMu.Lock()
	defer s.clockMu.Unlock()
	return s.nowLocked()
}

func (s *Sim) nowLocked() time.Time {
	if s.opts.Speed == 0 {
		return s.virtBase
	}
	el := time.Since(s.wallBase)
	return s.virtBase.Add(time.Duration(float64(el) * s.opts.Speed))
}

// Advance moves the virtual clock forward by d and applies the timeline
// events that fall due.
func (s *Sim) Advance(d time.Duration) {
	if d < 0 {
		return
	}
	s.clockMu.Lock()
	s.virtBase = s.virtBase.Add(d)
	s.clockMu.Unlock()
	s.sync()
}

// sync applies due timeline events and returns the virtual now.
func (s *Sim) sync() time.Time {
	now := s.Now()
	if !s.opts.Timeline {
		return now
	}
	s.mu.Lock()
	s.applyTimeline(now.Unix())
	s.mu.Unlock()
	return now
}

// buildCalls lays out the base calls over about two years of business hours,
// about 1% of them after the clock start.
func (s *Sim) buildCalls(n int) {
	now := s.start.Unix()
	s.w0 = mondayBefore(now - 800*dayS)
	span := float64(104 * weekUnits)
	bNow := wallToBiz(s.w0, now)
	bStart := bNow - int64(span*growthAt(0.99))
	at := func(i int) int64 { return bStart + int64(span*growthAt(float64(i)/float64(n))) }
	extra := 64
	s.nBase = n
	s.startS = make([]int64, n, n+extra)
	s.dur = make([]uint16, n, n+extra)
	s.pubDelay = make([]uint32, n, n+extra)
	s.contentDelay = make([]uint16, n, n+extra)
	s.kind = make([]uint8, n, n+extra)
	s.ws = make([]uint8, n, n+extra)
	s.host = make([]uint16, n, n+extra)
	s.flags = make([]uint8, n, n+extra)
	s.order = make([]int32, n, n+extra)

	s.sesOf = make([][]int, len(s.workspaces))
	for i, u := range s.users {
		switch u.role {
		case roleAE, roleCSM, roleSE:
			s.hostsAll = append(s.hostsAll, uint16(i))
		case roleSDR:
			s.hostsAll = append(s.hostsAll, uint16(i))
			s.hostsSDR = append(s.hostsSDR, uint16(i))
		}
		if u.role == roleSE {
			s.sesOf[u.home] = append(s.sesOf[u.home], i)
		}
	}
	var cum []int
	total := 0
	for _, k := range callKinds {
		total += k.weight
		cum = append(cum, total)
	}
	nws := len(s.workspaces)
	for i := range n {
		r := newRnd(s.seed, saltCalls, uint64(i))
		b, next := at(i), at(i+1)
		b += int64(r.u64() % uint64(max((next-b)*2/5, 1)))
		s.startS[i] = bizToWall(s.w0, b)
		x := r.intn(total)
		k := sort.SearchInts(cum, x+1)
		kd := &callKinds[k]
		h := s.hostsAll[r.intn(len(s.hostsAll))]
		if kd.phone && len(s.hostsSDR) > 0 && r.chance(0.8) {
			h = s.hostsSDR[r.intn(len(s.hostsSDR))]
		}
		w := s.users[h].home
		if r.chance(0.08) {
			w = r.intn(nws)
		}
		mins := r.between(kd.minDur, kd.maxDur)
		d := mins*60 + r.intn(60)
		var pd int
		if r.chance(0.85) {
			pd = r.between(600, 3*3600)
		} else {
			pd = r.between(3*3600, 20*3600)
		}
		var f uint8
		if r.chance(0.02) {
			f |= flagPrivate
		}
		if !kd.internal && r.chance(0.03) {
			f |= flagNoParties
		}
		if r.chance(0.10) {
			f |= flagNoContext
		}
		s.dur[i] = uint16(d)
		s.pubDelay[i] = uint32(pd)
		s.contentDelay[i] = uint16(r.intn(6*3600 + 1))
		s.kind[i] = uint8(k)
		s.ws[i] = uint8(w)
		s.host[i] = h
		s.flags[i] = f
		s.order[i] = int32(i)
	}
}

// addCall appends a call and inserts it in start order; s.mu must be held
// for writing (or the Sim not yet shared).
func (s *Sim) addCall(start int64, dur int, pubDelay int, contentDelay int, kind, ws, host int, flags uint8) int32 {
	ref := int32(len(s.startS))
	s.startS = append(s.startS, start)
	s.dur = append(s.dur, uint16(dur))
	s.pubDelay = append(s.pubDelay, uint32(pubDelay))
	s.contentDelay = append(s.contentDelay, uint16(contentDelay))
	s.kind = append(s.kind, uint8(kind))
	s.ws = append(s.ws, uint8(ws))
	s.host = append(s.host, uint16(host))
	s.flags = append(s.flags, flags)
	pos := s.searchAfter(start, ref-1)
	s.order = append(s.order, 0)
	copy(s.order[pos+1:], s.order[pos:])
	s.order[pos] = ref
	return ref
}

// searchAfter returns the first position in order whose (start, ref) is
// greater than (start, ref).
func (s *Sim) searchAfter(start int64, ref int32) int {
	return sort.Search(len(s.order), func(i int) bool {
		k := s.order[i]
		st := s.startS[k]
		return st > start || (st == start && k > ref)
	})
}

func (s *Sim) publishedAt(ref int32) int64 {
	return s.startS[ref] + int64(s.dur[ref]) + int64(s.pubDelay[ref])
}

func (s *Sim) contentAt(ref int32) int64 {
	return s.publishedAt(ref) + int64(s.contentDelay[ref])
}

// listed reports whether Gong would list the call at now.
func (s *Sim) listed(ref int32, now int64) bool {
	return s.flags[ref]&flagDeleted == 0 && s.publishedAt(ref) <= now
}

func (s *Sim) callID(ref int32) string { return s.callKey.id(uint64(ref)) }

// refOf decodes a call id; ok is false when no such call exists.
func (s *Sim) refOf(id string) (int32, bool) {
	p, ok := s.callKey.pos(id)
	if !ok || p >= uint64(len(s.startS)) {
		return 0, false
	}
	return int32(p), true
}

func mondayBefore(t int64) int64 {
	d := time.Unix(t, 0).UTC()
	d = time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, time.UTC)
	wd := (int(d.Weekday()) + 6) % 7 // Monday = 0
	return d.AddDate(0, 0, -wd).Unix()
}

// Calls are three times as dense on weekdays from 12:00 to 23:00 UTC (US
// business hours) as at night and at weekends. Business time weighs each
// second by its hour's density; calls are spread evenly in business time.
var (
	hourWeight [168]int64 // per hour of the week, from Monday 00:00 UTC
	hourCum    [169]int64
	weekUnits  int64
)

func init() {
	for h := range 168 {
		w := int64(1)
		if day, hr := h/24, h%24; day < 5 && hr >= 12 && hr < 23 {
			w = 3
		}
		hourWeight[h] = w
		hourCum[h+1] = hourCum[h] + w
	}
	weekUnits = hourCum[168] * 3600
}

// bizToWall maps business time since w0 (a Monday 00:00 UTC) to unix
// seconds. Values at least 3 apart map to distinct, increasing seconds.
func bizToWall(w0, b int64) int64 {
	week, rem := b/weekUnits, b%weekUnits
	h := sort.Search(168, func(i int) bool { return hourCum[i+1]*3600 > rem })
	return w0 + week*7*dayS + int64(h)*3600 + (rem-hourCum[h]*3600)/hourWeight[h]
}

// wallToBiz is the inverse of bizToWall.
func wallToBiz(w0, t int64) int64 {
	d := t - w0
	week, rem := d/(7*dayS), d%(7*dayS)
	h := rem / 3600
	return week*weekUnits + hourCum[h]*3600 + rem%3600*hourWeight[h]
}

// growthAt maps a fraction x of the calls to the fraction of the time span
// by which they have happened, with volume growing linearly by growth.
func growthAt(x float64) float64 {
	c1 := 1 + growth/2
	return (-1 + math.Sqrt(1+2*growth*x*c1)) / growth
}

// Users returns every user as GET /v2/users would.
func (s *Sim) Users() []gong.User {
	s.sync()
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]gong.User, len(s.users))
	for i := range s.users {
		out[i] = s.userJSON(i)
	}
	return out
}

// Workspaces returns the workspaces as GET /v2/workspaces would.
func (s *Sim) Workspaces() []gong.Workspace {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]gong.Workspace, len(s.workspaces))
	for i, w := range s.workspaces {
		out[i] = gong.Workspace{ID: gong.ID(w.id), Name: w.name, Description: w.desc}
	}
	return out
}

// ProfileWithMembers is a permission profile and the ids of its members:
// the oracle for permission tests.
type ProfileWithMembers struct {
	Profile     gong.Profile
	WorkspaceID string
	MemberIDs   []string
}

// Profiles returns the permission profiles of a workspace, sorted by name as
// GET /v2/all-permission-profiles returns them, with their members; nil for
// an unknown workspace.
func (s *Sim) Profiles(workspaceID string) []ProfileWithMembers {
	s.sync()
	s.mu.RLock()
	defer s.mu.RUnlock()
	w, ok := s.wsByID[workspaceID]
	if !ok {
		return nil
	}
	var out []ProfileWithMembers
	for _, p := range s.profilesOf(w) {
		out = append(out, ProfileWithMembers{
			Profile:     s.profileJSON(p).Profile,
			WorkspaceID: workspaceID,
			MemberIDs:   s.memberIDs(p),
		})
	}
	return out
}

func (s *Sim) profilesOf(w int) []int {
	var out []int
	for i := range s.profiles {
		if s.profiles[i].ws == w {
			out = append(out, i)
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return s.profiles[out[a]].name < s.profiles[out[b]].name })
	return out
}

func (s *Sim) memberIDs(p int) []string {
	w := s.profiles[p].ws
	var out []string
	for u, m := range s.member[w] {
		if int(m) == p {
			out = append(out, s.users[u].id)
		}
	}
	return out
}

// Truth visits, oldest first, every call Gong would list now (published and
// not deleted, private ones included) as POST /v2/calls/extensive returns it
// with parties, Extended context and every content field selected. fn
// returns false to stop.
func (s *Sim) Truth(fn func(c gong.ExtensiveCall) bool) {
	now := s.sync().Unix()
	sel := fullSelector()
	var g gen
	// Render in batches so fn runs without the lock held.
	for pos := 0; ; {
		var batch []gong.ExtensiveCall
		s.mu.RLock()
		for ; pos < len(s.order) && len(batch) < 100; pos++ {
			if ref := s.order[pos]; s.listed(ref, now) {
				batch = append(batch, s.extensive(&g, ref, now, &sel))
			}
		}
		done := pos >= len(s.order)
		s.mu.RUnlock()
		for _, c := range batch {
			if !fn(c) {
				return
			}
		}
		if done {
			return
		}
	}
}
