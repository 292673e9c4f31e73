package gongsim

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"gongconnector/internal/gong"
)

// callQuery is a parsed call filter.
type callQuery struct {
	from, to int64 // unix seconds: from inclusive, to exclusive
	ws       int   // -1 any workspace, -2 an unknown one (matches nothing)
	hasIDs   bool
	refs     []int32
	hosts    map[uint16]bool
	key      string // canonical form, to bind cursors to the filter
}

// apiError is an error answer.
type apiError struct {
	status int
	msgs   []string
}

func badRequest(msg ...string) *apiError { return &apiError{status: 400, msgs: msg} }

const (
	msgNoCalls = "No calls found corresponding to the provided filters"
	msgNoUsers = "No users found corresponding to the provided filters"
)

// parseTime parses an ISO-8601 filter time.
func parseTime(field, v string) (time.Time, *apiError) {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return t, badRequest(field + ": Invalid date-time '" + v + "', expected ISO-8601 such as 2024-05-01T00:00:00Z")
	}
	return t, nil
}

// newCallQuery validates and normalizes a call filter. prefix names the
// fields in messages ("filter." for POST bodies).
func (s *Sim) newCallQuery(prefix string, from, to, ws *string, ids, hosts *[]gong.ID) (*callQuery, *apiError) {
	q := &callQuery{from: math.MinInt64, to: math.MaxInt64, ws: -1}
	var kb strings.Builder
	var ft, tt time.Time
	if from != nil && *from != "" {
		t, e := parseTime(prefix+"fromDateTime", *from)
		if e != nil {
			return nil, e
		}
		ft = t
		q.from = ceilSec(t)
	}
	if to != nil && *to != "" {
		t, e := parseTime(prefix+"toDateTime", *to)
		if e != nil {
			return nil, e
		}
		tt = t
		q.to = ceilSec(t)
	}
	if !ft.IsZero() && !tt.IsZero() && !ft.Before(tt) {
		return nil, badRequest(prefix + "fromDateTime: must be before toDateTime")
	}
	kb.WriteString(strconv.FormatInt(q.from, 10) + "|" + strconv.FormatInt(q.to, 10) + "|")
	if ws != nil && *ws != "" {
		w, ok := s.wsByID[*ws]
		q.ws = w
		if !ok {
			q.ws = -2
		}
		kb.WriteString(*ws)
	}
	kb.WriteString("|")
	if ids != nil {
		if len(*ids) == 0 {
			return nil, badRequest(prefix + "callIds: must not be empty")
		}
		q.hasIDs = true
		sorted := make([]string, 0, len(*ids))
		for _, id := range *ids {
			sorted = append(sorted, string(id))
			if ref, ok := s.refOf(string(id)); ok && !slices.Contains(q.refs, ref) {
				q.refs = append(q.refs, ref)
			}
		}
		slices.Sort(sorted)
		kb.WriteString(strings.Join(sorted, ","))
		sort.Slice(q.refs, func(i, j int) bool { return s.less(q.refs[i], q.refs[j]) })
	}
	kb.WriteString("|")
	if hosts != nil {
		if len(*hosts) == 0 {
			return nil, badRequest(prefix + "primaryUserIds: must not be empty")
		}
		q.hosts = map[uint16]bool{}
		sorted := make([]string, 0, len(*hosts))
		for _, id := range *hosts {
			sorted = append(sorted, string(id))
			if u, ok := s.userByID[string(id)]; ok {
				q.hosts[uint16(u)] = true
			}
		}
		slices.Sort(sorted)
		kb.WriteString(strings.Join(sorted, ","))
	}
	q.key = kb.String()
	return q, nil
}

func ceilSec(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func (s *Sim) less(a, b int32) bool {
	sa, sb := s.startS[a], s.startS[b]
	return sa < sb || (sa == sb && a < b)
}

func (s *Sim) matches(q *callQuery, ref int32, now int64) bool {
	st := s.startS[ref]
	if st < q.from || st >= q.to || !s.listed(ref, now) {
		return false
	}
	if q.ws != -1 && int(s.ws[ref]) != q.ws {
		return false
	}
	if q.hosts != nil && !q.hosts[s.host[ref]] {
		return false
	}
	return true
}

// pageCalls lists one page of calls. With after == nil it is the first page
// and counts the total; otherwise it resumes strictly after (start, ref).
func (s *Sim) pageCalls(q *callQuery, after *cursorClaims, now int64, size int) (refs []int32, more bool, total int) {
	if q.ws == -2 {
		return nil, false, 0
	}
	take := func(ref int32) bool {
		if len(refs) < size {
			refs = append(refs, ref)
			return true
		}
		more = true
		return after == nil // keep counting on the first page
	}
	if q.hasIDs {
		for _, ref := range q.refs {
			if !s.matches(q, ref, now) {
				continue
			}
			if after != nil && !s.less(int32(after.Pos), ref) {
				continue
			}
			total++
			if !take(ref) {
				break
			}
		}
	} else {
		var pos int
		if after != nil {
			pos = s.searchAfter(after.Start, int32(after.Pos))
		} else {
			pos = sort.Search(len(s.order), func(i int) bool { return s.startS[s.order[i]] >= q.from })
		}
		for ; pos < len(s.order); pos++ {
			ref := s.order[pos]
			if s.startS[ref] >= q.to {
				break
			}
			if !s.matches(q, ref, now) {
				continue
			}
			total++
			if !take(ref) {
				break
			}
		}
	}
	if after != nil {
		total = after.Total
	}
	return refs, more, total
}

// callPage runs a paginated call listing: it checks the cursor, lists the
// page and returns the records block.
func (s *Sim) callPage(kind string, q *callQuery, cursor string, now int64) ([]int32, gong.Records, *apiError) {
	filter := filterHash(kind + "|" + q.key)
	var after *cursorClaims
	first := now
	page := 0
	if cursor != "" {
		c, msg := s.parseCursor(cursor, kind, filter, now)
		if msg != "" {
			return nil, gong.Records{}, badRequest(msg)
		}
		after, first, page = &c, c.First, c.PageNumber+1
	}
	refs, more, total := s.pageCalls(q, after, now, s.opts.PageSize)
	if len(refs) == 0 {
		return nil, gong.Records{}, &apiError{status: 404, msgs: []string{msgNoCalls}}
	}
	rec := gong.Records{TotalRecords: total, CurrentPageSize: len(refs), CurrentPageNumber: page}
	if more {
		last := refs[len(refs)-1]
		rec.Cursor = s.signCursor(cursorClaims{
			Kind: kind, Filter: filter, CallID: s.callID(last),
			Time:  time.Unix(s.startS[last], 0).UTC().Format(time.RFC3339),
			Start: s.startS[last], Pos: int64(last), Total: total, PageNumber: page,
			PageSize: s.opts.PageSize, First: first, Exp: first + int64(s.opts.CursorTTL.Seconds()),
		})
	}
	return refs, rec, nil
}

// userQuery is a parsed users filter.
type userQuery struct {
	from, to int64
	ids      map[int]bool
	key      string
}

func (s *Sim) userPage(kind string, q *userQuery, cursor string, now int64) ([]int, gong.Records, *apiError) {
	filter := filterHash(kind + "|" + q.key)
	start, first, page := 0, now, 0
	var total int
	if cursor != "" {
		c, msg := s.parseCursor(cursor, kind, filter, now)
		if msg != "" {
			return nil, gong.Records{}, badRequest(msg)
		}
		start, first, page, total = int(c.Pos)+1, c.First, c.PageNumber+1, c.Total
	}
	var out []int
	more := false
	for u := range s.users {
		us := &s.users[u]
		if us.created < q.from || us.created >= q.to || (q.ids != nil && !q.ids[u]) {
			continue
		}
		if cursor == "" {
			total++
		}
		if u < start {
			continue
		}
		if len(out) == s.opts.PageSize {
			more = true
			if cursor != "" {
				break
			}
			continue
		}
		out = append(out, u)
	}
	if len(out) == 0 {
		return nil, gong.Records{}, &apiError{status: 404, msgs: []string{msgNoUsers}}
	}
	rec := gong.Records{TotalRecords: total, CurrentPageSize: len(out), CurrentPageNumber: page}
	if more {
		rec.Cursor = s.signCursor(cursorClaims{Kind: kind, Filter: filter, Pos: int64(out[len(out)-1]), Total: total,
			PageNumber: page, PageSize: s.opts.PageSize, First: first, Exp: first + int64(s.opts.CursorTTL.Seconds())})
	}
	return out, rec, nil
}
