package graphsim

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// record is a directory object as the $filter evaluator sees it: single
// string properties and string collections, keyed by lower-case name.
type record struct {
	single map[string]string
	multi  map[string][]string
}

// schema says which properties of an entity type can be filtered on.
type schema struct {
	typeName string
	single   map[string]string // lower-case name -> canonical name
	multi    map[string]string
}

var userSchema = schema{
	typeName: "microsoft.graph.user",
	single: map[string]string{
		"id": "id", "userprincipalname": "userPrincipalName", "mail": "mail",
		"employeeid": "employeeId", "displayname": "displayName",
	},
	multi: map[string]string{"othermails": "otherMails", "proxyaddresses": "proxyAddresses"},
}

var groupSchema = schema{
	typeName: "microsoft.graph.group",
	single:   map[string]string{"id": "id", "displayname": "displayName", "mail": "mail"},
	multi:    map[string]string{},
}

// filterError is a $filter Graph would answer with 400; code is Graph's error code.
type filterError struct {
	code, msg string
}

func (e *filterError) Error() string { return e.msg }

// cond is a parsed $filter expression.
type cond interface {
	match(r *record) bool
}

type orCond []cond
type andCond []cond

// eqCond is "prop eq 'value'".
type eqCond struct{ prop, value string }

// anyCond is "prop/any(x:x eq 'value')".
type anyCond struct{ prop, value string }

func (c orCond) match(r *record) bool {
	for _, x := range c {
		if x.match(r) {
			return true
		}
	}
	return false
}

func (c andCond) match(r *record) bool {
	for _, x := range c {
		if !x.match(r) {
			return false
		}
	}
	return true
}

// Entra compares directory strings without regard to case.
func (c eqCond) match(r *record) bool {
	v, ok := r.single[c.prop]
	return ok && v != "" && strings.EqualFold(v, c.value)
}

func (c anyCond) match(r *record) bool {
	for _, v := range r.multi[c.prop] {
		if strings.EqualFold(v, c.value) {
			return true
		}
	}
	return false
}

// token kinds of the $filter lexer.
const (
	tkEOF = iota
	tkIdent
	tkString
	tkLParen
	tkRParen
	tkSlash
	tkColon
	tkOther
)

type token struct {
	kind int
	text string // identifier, decoded string literal, or the offending text
	pos  int
}

func lex(s string) ([]token, error) {
	var out []token
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(':
			out = append(out, token{tkLParen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tkRParen, ")", i})
			i++
		case c == '/':
			out = append(out, token{tkSlash, "/", i})
			i++
		case c == ':':
			out = append(out, token{tkColon, ":", i})
			i++
		case c == '\'':
			start := i
			var b strings.Builder
			i++
			closed := false
			for i < len(s) {
				if s[i] == '\'' {
					if i+1 < len(s) && s[i+1] == '\'' {
						b.WriteByte('\'')
						i += 2
						continue
					}
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, &filterError{"BadRequest", fmt.Sprintf("Invalid filter clause: unterminated string literal at position %d.", start)}
			}
			out = append(out, token{tkString, b.String(), start})
		case c == '_' || c < 0x80 && unicode.IsLetter(rune(c)):
			start := i
			for i < len(s) && (s[i] == '_' || s[i] < 0x80 && (unicode.IsLetter(rune(s[i])) || unicode.IsDigit(rune(s[i])))) {
				i++
			}
			out = append(out, token{tkIdent, s[start:i], start})
		default:
			start := i
			for i < len(s) && s[i] != ' ' {
				i++
			}
			out = append(out, token{tkOther, s[start:i], start})
		}
	}
	return append(out, token{tkEOF, "", len(s)}), nil
}

// parser is a recursive-descent parser of the $filter subset the simulator
// understands: eq comparisons, any() over string collections, and/or,
// parentheses. Anything else is rejected as Graph rejects what a resource
// does not support.
type parser struct {
	toks []token
	i    int
	sch  *schema
}

func parseFilter(s string, sch *schema) (cond, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks, sch: sch}
	c, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tkEOF {
		return nil, p.syntax(t, "end of expression")
	}
	return c, nil
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tkEOF {
		p.i++
	}
	return t
}

func (p *parser) syntax(t token, want string) error {
	got := t.text
	if t.kind == tkEOF {
		got = "end of input"
	}
	return &filterError{"BadRequest", fmt.Sprintf("Invalid filter clause: syntax error at position %d in '%s': expected %s.", t.pos, got, want)}
}

func unsupported(format string, args ...any) error {
	return &filterError{"Request_UnsupportedQuery", fmt.Sprintf(format, args...)}
}

func (p *parser) keyword(word string) bool {
	if t := p.peek(); t.kind == tkIdent && t.text == word {
		p.i++
		return true
	}
	return false
}

func (p *parser) or() (cond, error) {
	first, err := p.and()
	if err != nil {
		return nil, err
	}
	terms := orCond{first}
	for p.keyword("or") {
		c, err := p.and()
		if err != nil {
			return nil, err
		}
		terms = append(terms, c)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return terms, nil
}

func (p *parser) and() (cond, error) {
	first, err := p.primary()
	if err != nil {
		return nil, err
	}
	terms := andCond{first}
	for p.keyword("and") {
		c, err := p.primary()
		if err != nil {
			return nil, err
		}
		terms = append(terms, c)
	}
	if len(terms) == 1 {
		return first, nil
	}
	return terms, nil
}

func (p *parser) primary() (cond, error) {
	t := p.next()
	switch t.kind {
	case tkLParen:
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if r := p.next(); r.kind != tkRParen {
			return nil, p.syntax(r, "')'")
		}
		return c, nil
	case tkIdent:
	default:
		return nil, p.syntax(t, "a property name")
	}
	if p.peek().kind == tkLParen {
		return nil, unsupported("Unsupported or invalid query filter clause specified for function '%s'.", t.text)
	}
	if p.peek().kind == tkSlash {
		p.next()
		return p.lambda(t)
	}
	prop, ok := p.sch.single[strings.ToLower(t.text)]
	if !ok {
		if _, multi := p.sch.multi[strings.ToLower(t.text)]; multi {
			return nil, unsupported("Unsupported query: '%s' is a collection; use %s/any(x:x eq '...').", t.text, t.text)
		}
		return nil, &filterError{"BadRequest", fmt.Sprintf("Could not find a property named '%s' on type '%s'.", t.text, p.sch.typeName)}
	}
	op := p.next()
	if op.kind != tkIdent {
		return nil, p.syntax(op, "an operator")
	}
	if op.text != "eq" {
		return nil, unsupported("Unsupported or invalid query filter clause specified for property '%s' of resource '%s'.", prop, strings.TrimPrefix(p.sch.typeName, "microsoft.graph."))
	}
	v := p.next()
	if v.kind == tkEOF || v.kind == tkRParen {
		return nil, p.syntax(v, "a literal")
	}
	if v.kind != tkString {
		return nil, unsupported("Unsupported query: only string literals can be compared with '%s'.", prop)
	}
	return eqCond{strings.ToLower(prop), v.text}, nil
}

// lambda parses "any(x:x eq 'value')" after "prop/".
func (p *parser) lambda(propTok token) (cond, error) {
	prop, ok := p.sch.multi[strings.ToLower(propTok.text)]
	if !ok {
		return nil, unsupported("Unsupported query: '%s' is not a string collection of '%s'.", propTok.text, p.sch.typeName)
	}
	fn := p.next()
	if fn.kind != tkIdent || fn.text != "any" {
		return nil, unsupported("Unsupported query: only any() is supported on '%s'.", prop)
	}
	if t := p.next(); t.kind != tkLParen {
		return nil, p.syntax(t, "'('")
	}
	v := p.next()
	if v.kind != tkIdent {
		return nil, p.syntax(v, "a range variable")
	}
	if t := p.next(); t.kind != tkColon {
		return nil, p.syntax(t, "':'")
	}
	if t := p.next(); t.kind != tkIdent || t.text != v.text {
		return nil, p.syntax(t, "the range variable '"+v.text+"'")
	}
	if t := p.next(); t.kind != tkIdent || t.text != "eq" {
		return nil, unsupported("Unsupported query: only 'eq' is supported inside any() on '%s'.", prop)
	}
	lit := p.next()
	if lit.kind != tkString {
		return nil, unsupported("Unsupported query: only string literals can be compared inside any().")
	}
	if t := p.next(); t.kind != tkRParen {
		return nil, p.syntax(t, "')'")
	}
	return anyCond{strings.ToLower(prop), lit.text}, nil
}

// index maps a lower-case property name and lower-case value to the
// positions of the records holding it, so a lookup among many users does
// not scan them all.
type index map[string]map[string][]int

func (ix index) add(pos int, r *record) {
	put := func(prop, v string) {
		if v == "" {
			return
		}
		m := ix[prop]
		if m == nil {
			m = map[string][]int{}
			ix[prop] = m
		}
		k := strings.ToLower(v)
		if l := m[k]; len(l) == 0 || l[len(l)-1] != pos {
			m[k] = append(l, pos)
		}
	}
	for p, v := range r.single {
		put(p, v)
	}
	for p, vs := range r.multi {
		for _, v := range vs {
			put(p, v)
		}
	}
}

// candidates returns, in ascending order, the positions of the records
// that may match c; ok is false when c cannot be narrowed by the index.
func (ix index) candidates(c cond) (pos []int, ok bool) {
	switch c := c.(type) {
	case eqCond:
		return ix[c.prop][strings.ToLower(c.value)], true
	case anyCond:
		return ix[c.prop][strings.ToLower(c.value)], true
	case andCond:
		for _, x := range c {
			if p, ok := ix.candidates(x); ok {
				return p, true
			}
		}
	case orCond:
		seen := map[int]bool{}
		for _, x := range c {
			p, ok := ix.candidates(x)
			if !ok {
				return nil, false
			}
			for _, i := range p {
				if !seen[i] {
					seen[i] = true
					pos = append(pos, i)
				}
			}
		}
		slices.Sort(pos)
		return pos, true
	}
	return nil, false
}
