package identity

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"gongconnector/internal/core"
)

// properties are the Gong user properties a custom mapping can read.
var properties = map[string]func(u *core.User) string{
	"id":         func(u *core.User) string { return u.ID },
	"email":      func(u *core.User) string { return u.Email },
	"first_name": func(u *core.User) string { return u.FirstName },
	"last_name":  func(u *core.User) string { return u.LastName },
	"title":      func(u *core.User) string { return u.Title },
}

const propertyNames = "id, email, first_name, last_name or title"

// Mapper turns a Gong user into the value looked up in the directory.
type Mapper struct {
	target core.Attribute
	props  []compiledProperty
	parts  []templatePart // empty for the default mapping
}

type compiledProperty struct {
	name  string
	value func(*core.User) string
	re    *regexp.Regexp // nil: the whole value
}

// templatePart is literal text, or the output of property index when index >= 0.
type templatePart struct {
	text  string
	index int
}

// Compile checks m and prepares it for use; the error lists every problem.
// A mapping without properties is the default mapping.
func Compile(m Mapping) (*Mapper, error) {
	if problems := mappingProblems(m); len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "; "))
	}
	mp := &Mapper{target: m.Target}
	if mp.target == "" {
		mp.target = core.AttrUPN
	}
	if len(m.Properties) == 0 {
		return mp, nil
	}
	for _, p := range m.Properties {
		cp := compiledProperty{name: p.Property, value: properties[p.Property]}
		if p.Regex != "" {
			cp.re = regexp.MustCompile(p.Regex) // mappingProblems compiled it already
		}
		mp.props = append(mp.props, cp)
	}
	mp.parts, _ = parseTemplate(m.Template)
	return mp, nil
}

// Target is the directory attribute the mapping resolves to.
func (m *Mapper) Target() core.Attribute { return cmp.Or(m.target, core.AttrUPN) }

// IsDefault reports whether m is the default mapping: Gong email and aliases
// matched to UPN or mail.
func (m *Mapper) IsDefault() bool { return len(m.parts) == 0 }

// Candidates returns the addresses the default mapping looks up for u: its
// email, then its aliases, lower-cased, without blanks or repeats.
func (m *Mapper) Candidates(u core.User) []string {
	out := make([]string, 0, 1+len(u.Aliases))
	for _, s := range append([]string{u.Email}, u.Aliases...) {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Key returns the value to look up for u in the target attribute. For the
// default mapping it is u's lower-cased email. The error is a *KeyError
// when a property does not give a value.
func (m *Mapper) Key(u core.User) (string, error) {
	if m.IsDefault() {
		c := m.Candidates(core.User{Email: u.Email})
		if len(c) == 0 {
			return "", &KeyError{Property: "email", Value: u.Email}
		}
		return c[0], nil
	}
	outputs := make([]string, len(m.props))
	for i, p := range m.props {
		v := p.value(&u)
		out := strings.TrimSpace(v)
		if p.re != nil {
			sub := p.re.FindStringSubmatch(v)
			switch {
			case sub == nil:
				out = ""
			case len(sub) > 1:
				out = sub[1]
			default:
				out = sub[0]
			}
		}
		if out == "" {
			re := ""
			if p.re != nil {
				re = p.re.String()
			}
			return "", &KeyError{Property: p.name, Value: v, Regex: re}
		}
		outputs[i] = out
	}
	var b strings.Builder
	for _, part := range m.parts {
		if part.index >= 0 {
			b.WriteString(outputs[part.index])
		} else {
			b.WriteString(part.text)
		}
	}
	return b.String(), nil
}

// KeyError says which property of a Gong user gave no value to the mapping.
type KeyError struct {
	Property string
	Value    string
	// Regex is the property's regular expression, "" when it has none.
	Regex string
}

// Error says what the mapping could not read, for the mapping report.
func (e *KeyError) Error() string {
	switch {
	case e.Value == "":
		return fmt.Sprintf("the Gong user has no %s", e.Property)
	case e.Regex == "":
		return fmt.Sprintf("%s %q is blank", e.Property, e.Value)
	default:
		return fmt.Sprintf("%s %q does not match the regex %s (or its capture group is empty)", e.Property, e.Value, e.Regex)
	}
}

// mappingProblems lists what is wrong with m, worded with its config path.
func mappingProblems(m Mapping) []string {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if m.Target != "" && !m.Target.Valid() {
		add("identity.mapping.target %q is not known: use upn, mail, object_id or external_id", string(m.Target))
	}
	for i, p := range m.Properties {
		if _, ok := properties[p.Property]; !ok {
			if p.Property == "" {
				add("identity.mapping.properties[%d].property is empty: use %s", i, propertyNames)
			} else {
				add("identity.mapping.properties[%d].property %q is not known: use %s", i, p.Property, propertyNames)
			}
		}
		if _, err := regexp.Compile(p.Regex); err != nil {
			add("identity.mapping.properties[%d].regex %s does not compile: %s", i, asWritten(p.Regex), regexReason(err))
		}
	}
	switch {
	case len(m.Properties) == 0 && m.Template != "":
		add("identity.mapping.template %s is set but no identity.mapping.properties are listed: list the properties it uses, or remove it to use the default mapping", asWritten(m.Template))
	case len(m.Properties) > 0 && strings.TrimSpace(m.Template) == "":
		add("identity.mapping.template is required when properties are listed, e.g. '{0}.{1}@contoso.com'")
	case len(m.Properties) > 0:
		parts, err := parseTemplate(m.Template)
		if err != nil {
			add("identity.mapping.template %s %v", asWritten(m.Template), err)
			break
		}
		used := make([]bool, len(m.Properties))
		for _, part := range parts {
			if part.index < 0 {
				continue
			}
			if part.index >= len(m.Properties) {
				add("identity.mapping.template %s refers to {%d}, but only %s", asWritten(m.Template), part.index, listed(len(m.Properties)))
				continue
			}
			used[part.index] = true
		}
		for i, u := range used {
			if !u {
				add("identity.mapping.properties[%d] (%s) is not used: the template has no {%d}", i, m.Properties[i].Property, i)
			}
		}
	}
	return problems
}

func listed(n int) string {
	if n == 1 {
		return "1 property is listed ({0})"
	}
	return fmt.Sprintf("%d properties are listed ({0} to {%d})", n, n-1)
}

// regexReason is the compiler's complaint without Go's "error parsing regexp" prefix.
func regexReason(err error) string {
	var se *syntax.Error
	if errors.As(err, &se) {
		return string(se.Code)
	}
	return err.Error()
}

// parseTemplate splits s into literals and {i} references. Braces are only
// allowed in references, so a typo such as {first} is caught before it maps
// everyone to nobody.
func parseTemplate(s string) ([]templatePart, error) {
	var parts []templatePart
	var lit strings.Builder
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("has a { at position %d without a closing }", i+1)
			}
			ref := s[i+1 : i+end]
			n, err := strconv.Atoi(ref)
			if err != nil || n < 0 || ref != strconv.Itoa(n) {
				return nil, fmt.Errorf("has {%s}, which is not a property reference: use {0}, {1}, … for the listed properties", ref)
			}
			if lit.Len() > 0 {
				parts = append(parts, templatePart{text: lit.String(), index: -1})
				lit.Reset()
			}
			parts = append(parts, templatePart{index: n})
			i += end
		case '}':
			return nil, fmt.Errorf("has a } at position %d without an opening {", i+1)
		default:
			lit.WriteByte(s[i])
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, templatePart{text: lit.String(), index: -1})
	}
	if !hasReference(parts) {
		return nil, errors.New("uses no property ({0}, {1}, …), so it would map every Gong user to the same identity")
	}
	return parts, nil
}

func hasReference(parts []templatePart) bool {
	for _, p := range parts {
		if p.index >= 0 {
			return true
		}
	}
	return false
}

// asWritten quotes s as the admin typed it: regular expressions are full of
// backslashes that %q would double.
func asWritten(s string) string {
	if strings.ContainsRune(s, '"') || strings.ContainsFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) {
		return strconv.Quote(s)
	}
	return `"` + s + `"`
}
