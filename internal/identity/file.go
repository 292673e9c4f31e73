package identity

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gongconnector/internal/core"
)

// Group is a group of a file directory.
type Group struct {
	// ID identifies the group; it defaults to Name.
	ID   string `json:"id"`
	Name string `json:"name"`
	// Members are user ids, UPNs or mails, and ids or names of nested groups.
	Members []string `json:"members"`
}

// FileDirectory is a directory read from a CSV or JSON file; it is never
// modified after loading, so it is safe for concurrent use.
type FileDirectory struct {
	name   string
	users  []core.DirectoryUser
	byID   map[string]int
	byUPN  map[string][]int // lower-cased
	byMail map[string][]int // lower-cased mail and other mails
	byExt  map[string][]int

	groups      []fileGroup
	groupByID   map[string]int
	groupByName map[string][]int // lower-cased
}

type fileGroup struct {
	Group
	users  []int // direct members
	nested []int // direct member groups
}

// Name returns "file".
func (d *FileDirectory) Name() string { return DirectoryFile }

// LoadFile reads a directory file: JSON when the name ends in .json, CSV when
// it ends in .csv, otherwise JSON if the file starts with {.
//
// JSON:
//
//	{"users":  [{"id", "upn", "mail", "external_id", "other_mails": [], "display_name"}],
//	 "groups": [{"id", "name", "members": ["user id, upn or mail, or a nested group's id or name"]}]}
//
// CSV: the first line names the columns, in any order: id, upn, mail,
// external_id, display_name, other_mails and groups (the last two hold
// several values separated by ';'; groups are the user's groups, by name).
//
// A user's id defaults to its upn, then its mail.
func LoadFile(path string) (*FileDirectory, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("identity: read the directory file: %w", err)
	}
	return ParseFile(path, b)
}

// ParseFile reads a directory file's contents; name is used to choose the
// format (see LoadFile) and in error messages.
func ParseFile(name string, b []byte) (*FileDirectory, error) {
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf")) // spreadsheets save a byte-order mark
	isJSON := bytes.HasPrefix(bytes.TrimLeft(b, " \t\r\n"), []byte("{"))
	switch strings.ToLower(filepath.Ext(name)) {
	case ".json":
		isJSON = true
	case ".csv":
		isJSON = false
	}
	if isJSON {
		return parseJSON(name, b)
	}
	return parseCSV(name, b)
}

// NewFileDirectory builds a directory from users and groups held in memory;
// errors name them by position (users[3]).
func NewFileDirectory(users []core.DirectoryUser, groups []Group) (*FileDirectory, error) {
	userAt := func(i int) string { return fmt.Sprintf("users[%d]", i) }
	groupAt := func(i int) string { return fmt.Sprintf("groups[%d]", i) }
	return build("directory", slices.Clone(users), userAt, groups, groupAt, nil)
}

// build indexes users and groups; userAt and groupAt say where the i-th one
// was written. preResolved, when not nil, gives each group's user members as
// indices (CSV), and Members strings are ignored.
func build(name string, users []core.DirectoryUser, userAt func(int) string, groups []Group, groupAt func(int) string, preResolved [][]int) (*FileDirectory, error) {
	d := &FileDirectory{
		name:        name,
		users:       users,
		byID:        make(map[string]int, len(users)),
		byUPN:       make(map[string][]int, len(users)),
		byMail:      make(map[string][]int, len(users)),
		byExt:       make(map[string][]int),
		groupByID:   make(map[string]int, len(groups)),
		groupByName: make(map[string][]int, len(groups)),
	}
	fail := func(where, format string, args ...any) error {
		return fmt.Errorf("identity: %s %s: %s", name, where, fmt.Sprintf(format, args...))
	}
	for i := range d.users {
		u := &d.users[i]
		u.ID, u.UPN, u.Mail = strings.TrimSpace(u.ID), strings.TrimSpace(u.UPN), strings.TrimSpace(u.Mail)
		u.ExternalID, u.DisplayName = strings.TrimSpace(u.ExternalID), strings.TrimSpace(u.DisplayName)
		u.OtherMails = cleanList(u.OtherMails)
		if u.ID == "" {
			u.ID = cmp.Or(u.UPN, u.Mail)
		}
		if u.ID == "" {
			return nil, fail(userAt(i), "a user needs an id, upn or mail")
		}
		if j, dup := d.byID[u.ID]; dup {
			return nil, fail(userAt(i), "user id %q is already used at %s; ids must be unique", u.ID, userAt(j))
		}
		d.byID[u.ID] = i
		if u.UPN != "" {
			k := strings.ToLower(u.UPN)
			d.byUPN[k] = append(d.byUPN[k], i)
		}
		var mails []string
		for _, m := range append([]string{u.Mail}, u.OtherMails...) {
			if m = strings.ToLower(m); m != "" && !slices.Contains(mails, m) {
				mails = append(mails, m)
				d.byMail[m] = append(d.byMail[m], i)
			}
		}
		if u.ExternalID != "" {
			d.byExt[u.ExternalID] = append(d.byExt[u.ExternalID], i)
		}
	}
	for i, g := range groups {
		g.ID, g.Name = strings.TrimSpace(g.ID), strings.TrimSpace(g.Name)
		if g.ID == "" {
			g.ID = g.Name
		}
		if g.ID == "" {
			return nil, fail(groupAt(i), "a group needs an id or a name")
		}
		if g.Name == "" {
			g.Name = g.ID
		}
		if j, dup := d.groupByID[g.ID]; dup {
			return nil, fail(groupAt(i), "group id %q is already used at %s; ids must be unique", g.ID, groupAt(j))
		}
		d.groupByID[g.ID] = i
		k := strings.ToLower(g.Name)
		d.groupByName[k] = append(d.groupByName[k], i)
		d.groups = append(d.groups, fileGroup{Group: g})
	}
	for i := range d.groups {
		g := &d.groups[i]
		if preResolved != nil {
			g.users = preResolved[i]
			continue
		}
		for _, m := range g.Members {
			m = strings.TrimSpace(m)
			if m == "" {
				continue
			}
			us, gs := d.findUsers(m), d.findGroups(m)
			switch {
			case len(us)+len(gs) == 0:
				return nil, fail(groupAt(i), "member %q of group %q is no user (id, upn or mail) and no group (id or name) in the file", m, g.Name)
			case len(us)+len(gs) > 1:
				return nil, fail(groupAt(i), "member %q of group %q is ambiguous: it names %s; give them distinct ids, or name the member by a value only one of them has", m, g.Name, d.describeMatches(us, gs))
			case len(us) == 1:
				g.users = append(g.users, us[0])
			default:
				g.nested = append(g.nested, gs[0])
			}
		}
	}
	if cycle := d.findCycle(); cycle != nil {
		names := make([]string, len(cycle))
		for i, gi := range cycle {
			names[i] = fmt.Sprintf("%q", d.groups[gi].Name)
		}
		return nil, fail(groupAt(cycle[0]), "groups contain each other: %s; nested groups must end in users", strings.Join(names, " → "))
	}
	return d, nil
}

// findUsers returns the users whose id is s or whose UPN or mail is s
// without regard to case.
func (d *FileDirectory) findUsers(s string) []int {
	var out []int
	if i, ok := d.byID[s]; ok {
		out = append(out, i)
	}
	k := strings.ToLower(s)
	for _, i := range append(slices.Clone(d.byUPN[k]), d.byMail[k]...) {
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

// findGroups returns the groups whose id is s or whose name is s without
// regard to case.
func (d *FileDirectory) findGroups(s string) []int {
	var out []int
	if i, ok := d.groupByID[s]; ok {
		out = append(out, i)
	}
	for _, i := range d.groupByName[strings.ToLower(s)] {
		if !slices.Contains(out, i) {
			out = append(out, i)
		}
	}
	return out
}

func (d *FileDirectory) describeMatches(us, gs []int) string {
	var names []string
	for _, i := range us {
		names = append(names, "user "+describe(&d.users[i]))
	}
	for _, i := range gs {
		names = append(names, fmt.Sprintf("group %q (id %s)", d.groups[i].Name, d.groups[i].ID))
	}
	return strings.Join(names, " and ")
}

// findCycle returns groups that contain each other, first repeated at the
// end, or nil.
func (d *FileDirectory) findCycle() []int {
	const (
		unseen = iota
		open
		done
	)
	state := make([]int, len(d.groups))
	var path []int
	var visit func(int) []int
	visit = func(g int) []int {
		state[g] = open
		path = append(path, g)
		for _, n := range d.groups[g].nested {
			switch state[n] {
			case open:
				start := slices.Index(path, n)
				return append(slices.Clone(path[start:]), n)
			case unseen:
				if c := visit(n); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[g] = done
		return nil
	}
	for g := range d.groups {
		if state[g] == unseen {
			if c := visit(g); c != nil {
				return c
			}
		}
	}
	return nil
}

// Lookup returns the users whose attr equals each value: UPN and mail (which
// includes other mails) without regard to case, object_id (the file's id)
// and external_id exactly.
func (d *FileDirectory) Lookup(ctx context.Context, attr core.Attribute, values []string) (map[string][]core.DirectoryUser, error) {
	if !attr.Valid() {
		return nil, fmt.Errorf("identity: the file directory cannot look users up by %q", string(attr))
	}
	out := make(map[string][]core.DirectoryUser, len(values))
	for _, v := range values {
		var idx []int
		switch attr {
		case core.AttrUPN:
			idx = d.byUPN[strings.ToLower(v)]
		case core.AttrMail:
			idx = d.byMail[strings.ToLower(v)]
		case core.AttrObjectID:
			if i, ok := d.byID[v]; ok {
				idx = []int{i}
			}
		case core.AttrExternalID:
			idx = d.byExt[v]
		}
		if len(idx) > 0 {
			out[v] = d.copies(idx)
		}
	}
	return out, nil
}

// Members returns the users of a group and of the groups nested in it, each
// once; group is the group's id or name.
func (d *FileDirectory) Members(ctx context.Context, group string) ([]core.DirectoryUser, error) {
	gs := d.findGroups(strings.TrimSpace(group))
	switch {
	case len(gs) == 0:
		return nil, fmt.Errorf("identity: %s has no group %q (by id or name)", d.name, group)
	case len(gs) > 1:
		return nil, fmt.Errorf("identity: %s has %d groups named %q; name the group by its id", d.name, len(gs), group)
	}
	seenGroup := map[int]bool{}
	seenUser := map[int]bool{}
	var idx []int
	var walk func(int)
	walk = func(g int) {
		if seenGroup[g] {
			return
		}
		seenGroup[g] = true
		for _, u := range d.groups[g].users {
			if !seenUser[u] {
				seenUser[u] = true
				idx = append(idx, u)
			}
		}
		for _, n := range d.groups[g].nested {
			walk(n)
		}
	}
	walk(gs[0])
	return d.copies(idx), nil
}

// copies keeps callers from changing the directory through returned slices.
func (d *FileDirectory) copies(idx []int) []core.DirectoryUser {
	out := make([]core.DirectoryUser, len(idx))
	for i, j := range idx {
		out[i] = d.users[j]
		out[i].OtherMails = slices.Clone(out[i].OtherMails)
	}
	return out
}

// Len returns the number of users.
func (d *FileDirectory) Len() int { return len(d.users) }

func parseJSON(name string, b []byte) (*FileDirectory, error) {
	// A first pass over the whole file gives syntax errors an absolute
	// position; the streaming pass below reports them relative to a value.
	var whole any
	if err := json.Unmarshal(b, &whole); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, fmt.Errorf("identity: %s line %d: %s", name, lineAt(b, se.Offset), se.Error())
		}
		return nil, fmt.Errorf("identity: %s: %w", name, err)
	}
	if _, ok := whole.(map[string]any); !ok {
		return nil, fmt.Errorf(`identity: %s: the file must be one JSON object: {"users": [...], "groups": [...]}`, name)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var users []core.DirectoryUser
	var groups []Group
	var userOff, groupOff []int64
	failAt := func(off int64, format string, args ...any) error {
		return fmt.Errorf("identity: %s line %d: %s", name, lineAt(b, off), fmt.Sprintf(format, args...))
	}
	if _, err := dec.Token(); err != nil { // the {, checked above
		return nil, failAt(0, "%v", err)
	}
	seen := map[string]bool{}
	for dec.More() {
		off := skipSeparators(b, dec.InputOffset())
		tok, err := dec.Token()
		if err != nil {
			return nil, failAt(off, "%v", err)
		}
		key, _ := tok.(string)
		if key != "users" && key != "groups" {
			return nil, failAt(off, `unknown key %q: the file has "users" and "groups"`, key)
		}
		if seen[key] {
			return nil, failAt(off, "%q appears twice", key)
		}
		seen[key] = true
		if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
			return nil, failAt(off, "%q must be a list [...]", key)
		}
		for dec.More() {
			start := skipSeparators(b, dec.InputOffset())
			var err error
			if key == "users" {
				var u core.DirectoryUser
				err = dec.Decode(&u)
				users, userOff = append(users, u), append(userOff, start)
			} else {
				var g Group
				err = dec.Decode(&g)
				groups, groupOff = append(groups, g), append(groupOff, start)
			}
			if err != nil {
				return nil, failAt(start, "%s", jsonFieldProblem(strings.TrimSuffix(key, "s"), err))
			}
		}
		if _, err := dec.Token(); err != nil { // the ]
			return nil, failAt(off, "%v", err)
		}
	}
	userAt := func(i int) string { return fmt.Sprintf("line %d", lineAt(b, userOff[i])) }
	groupAt := func(i int) string { return fmt.Sprintf("line %d", lineAt(b, groupOff[i])) }
	return build(name, users, userAt, groups, groupAt, nil)
}

// jsonFieldProblem rewords a decoding error of one user or group.
func jsonFieldProblem(kind string, err error) string {
	fields := "id, upn, mail, external_id, other_mails and display_name"
	if kind == "group" {
		fields = "id, name and members"
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		want := "a string"
		if te.Type.Kind().String() == "slice" {
			want = "a list of strings"
		}
		found := "a " + te.Value
		if strings.HasPrefix(te.Value, "a") || strings.HasPrefix(te.Value, "o") {
			found = "an " + te.Value
		}
		if te.Field == "" {
			return fmt.Sprintf("a %s must be an object {...}, not %s", kind, found)
		}
		return fmt.Sprintf("%s %s must be %s, not %s", kind, te.Field, want, found)
	}
	if msg, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return fmt.Sprintf("unknown %s field %s: a %s has %s", kind, msg, kind, fields)
	}
	return err.Error()
}

// skipSeparators moves off past blanks and the comma between list elements,
// so an element's line is where it starts.
func skipSeparators(b []byte, off int64) int64 {
	for off < int64(len(b)) && bytes.IndexByte([]byte(" \t\r\n,:"), b[off]) >= 0 {
		off++
	}
	return off
}

func lineAt(b []byte, off int64) int {
	off = min(max(off, 0), int64(len(b)))
	return 1 + bytes.Count(b[:off], []byte("\n"))
}

// csvColumns are the columns a CSV directory file may have.
var csvColumns = []string{"id", "upn", "mail", "external_id", "display_name", "other_mails", "groups"}

func parseCSV(name string, b []byte) (*FileDirectory, error) {
	r := csv.NewReader(bytes.NewReader(b))
	r.TrimLeadingSpace = true
	failAt := func(line int, format string, args ...any) error {
		return fmt.Errorf("identity: %s line %d: %s", name, line, fmt.Sprintf(format, args...))
	}
	header, err := r.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("identity: %s is empty: its first line must name the columns, e.g. id,upn,mail,display_name,groups", name)
	}
	if err != nil {
		return nil, csvProblem(name, err, 0)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		h = strings.NewReplacer(" ", "_", "-", "_").Replace(h)
		if !slices.Contains(csvColumns, h) {
			return nil, failAt(1, "unknown column %q: the first line must name the columns, from %s", header[i], strings.Join(csvColumns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, failAt(1, "column %q appears twice", h)
		}
		col[h] = i
	}
	_, hasID := col["id"]
	_, hasUPN := col["upn"]
	_, hasMail := col["mail"]
	if !hasID && !hasUPN && !hasMail {
		return nil, failAt(1, "the columns must include id, upn or mail")
	}
	field := func(rec []string, c string) string {
		if i, ok := col[c]; ok {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var users []core.DirectoryUser
	var userLine []int
	var groups []Group
	var groupLine []int
	var groupUsers [][]int
	groupByName := map[string]int{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, csvProblem(name, err, len(header))
		}
		line, _ := r.FieldPos(0)
		u := core.DirectoryUser{
			ID:          field(rec, "id"),
			UPN:         field(rec, "upn"),
			Mail:        field(rec, "mail"),
			ExternalID:  field(rec, "external_id"),
			DisplayName: field(rec, "display_name"),
			OtherMails:  splitList(field(rec, "other_mails")),
		}
		for _, g := range splitList(field(rec, "groups")) {
			k := strings.ToLower(g)
			gi, ok := groupByName[k]
			if !ok {
				gi = len(groups)
				groupByName[k] = gi
				groups = append(groups, Group{ID: g, Name: g})
				groupLine = append(groupLine, line)
				groupUsers = append(groupUsers, nil)
			}
			// A group named twice on one line holds the user once; users
			// are appended in order, so only the last one can repeat.
			if gu := groupUsers[gi]; len(gu) == 0 || gu[len(gu)-1] != len(users) {
				groupUsers[gi] = append(gu, len(users))
			}
		}
		users = append(users, u)
		userLine = append(userLine, line)
	}
	userAt := func(i int) string { return fmt.Sprintf("line %d", userLine[i]) }
	groupAt := func(i int) string { return fmt.Sprintf("line %d", groupLine[i]) }
	return build(name, users, userAt, groups, groupAt, groupUsers)
}

// csvProblem rewords the CSV reader's errors with their line.
func csvProblem(name string, err error, columns int) error {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return fmt.Errorf("identity: %s: %w", name, err)
	}
	if errors.Is(pe.Err, csv.ErrFieldCount) {
		return fmt.Errorf("identity: %s line %d: the line has a different number of fields than the header's %d columns (a value with a comma needs \"double quotes\")", name, pe.Line, columns)
	}
	return fmt.Errorf("identity: %s line %d, column %d: %v", name, pe.Line, pe.Column, pe.Err)
}

// splitList splits a ;-separated cell.
func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return cleanList(strings.Split(s, ";"))
}

// cleanList trims values and drops blanks.
func cleanList(list []string) []string {
	var out []string
	for _, v := range list {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
