package graphsim

import (
	_ "embed"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// The test double checks request bodies against Microsoft Graph's own
// metadata: the microsoft.graph.externalConnectors namespace of the v1.0
// CSDL, a verbatim copy of ../shared/fixtures/graph/csdl (TestEmbeddedCSDL
// keeps them equal). A body is checked for the property names its type
// declares, the type of each value, enum members, and non-nullable
// properties; the documented rules on top (schema.go) come after.

//go:embed csdl/v1.0-externalConnectors-namespace.xml
var externalConnectorsCSDL []byte

const ecNamespace = "microsoft.graph.externalConnectors"

// csdl is the part of the metadata the double checks against.
type csdl struct {
	enums map[string]map[string]string // type → lower-cased member → member
	types map[string]*structType       // complex and entity types
}

type structType struct {
	name     string
	base     string
	open     bool
	abstract bool
	props    map[string]csdlProp
}

type csdlProp struct {
	name, typ string
	nullable  bool
}

func parseCSDL(b []byte) (*csdl, error) {
	var doc struct {
		Enums []struct {
			Name    string `xml:"Name,attr"`
			Members []struct {
				Name string `xml:"Name,attr"`
			} `xml:"Member"`
		} `xml:"EnumType"`
		Complex []xmlStruct `xml:"ComplexType"`
		Entity  []xmlStruct `xml:"EntityType"`
	}
	if err := xml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("parse the CSDL: %w", err)
	}
	c := &csdl{enums: map[string]map[string]string{}, types: map[string]*structType{}}
	for _, e := range doc.Enums {
		m := map[string]string{}
		for _, mem := range e.Members {
			m[strings.ToLower(mem.Name)] = mem.Name
		}
		c.enums[ecNamespace+"."+e.Name] = m
	}
	for _, t := range append(doc.Complex, doc.Entity...) {
		st := &structType{name: ecNamespace + "." + t.Name, base: t.BaseType, open: t.OpenType == "true", abstract: t.Abstract == "true", props: map[string]csdlProp{}}
		for _, p := range t.Props {
			st.props[p.Name] = csdlProp{name: p.Name, typ: p.Type, nullable: p.Nullable != "false"}
		}
		c.types[st.name] = st
	}
	return c, nil
}

type xmlStruct struct {
	Name     string `xml:"Name,attr"`
	BaseType string `xml:"BaseType,attr"`
	OpenType string `xml:"OpenType,attr"`
	Abstract string `xml:"Abstract,attr"`
	Props    []struct {
		Name     string `xml:"Name,attr"`
		Type     string `xml:"Type,attr"`
		Nullable string `xml:"Nullable,attr"`
	} `xml:"Property"`
}

// mustCSDL is the embedded metadata, parsed once.
var mustCSDL = func() *csdl {
	c, err := parseCSDL(externalConnectorsCSDL)
	if err != nil {
		panic(err)
	}
	return c
}()

// entityID is graph.entity's one property, the base of every entity type.
const entityBase = "graph.entity"

// check returns what is wrong with v as a value of typ, each problem
// prefixed with its path (empty when v conforms). create requires the
// non-nullable properties of structured types.
func (c *csdl) check(path, typ string, v any, create bool) []string {
	if v == nil {
		return nil // nullability of a property is checked by its owner
	}
	if inner, ok := strings.CutPrefix(typ, "Collection("); ok {
		inner = strings.TrimSuffix(inner, ")")
		arr, ok := v.([]any)
		if !ok {
			return []string{fmt.Sprintf("%s: want an array of %s", path, inner)}
		}
		var out []string
		for i, e := range arr {
			if e == nil {
				out = append(out, fmt.Sprintf("%s[%d]: null in a collection", path, i))
				continue
			}
			out = append(out, c.check(fmt.Sprintf("%s[%d]", path, i), inner, e, create)...)
		}
		return out
	}
	switch typ {
	case "Edm.String":
		if _, ok := v.(string); !ok {
			return []string{fmt.Sprintf("%s: want a string", path)}
		}
		return nil
	case "Edm.Boolean":
		// The official samples write booleans as "true"/"false" strings,
		// which the service accepts.
		switch b := v.(type) {
		case bool:
			return nil
		case string:
			if strings.EqualFold(b, "true") || strings.EqualFold(b, "false") {
				return nil
			}
		}
		return []string{fmt.Sprintf("%s: want true or false", path)}
	case "Edm.Int32", "Edm.Int64", "Edm.Double":
		f, ok := v.(float64)
		if !ok || (typ != "Edm.Double" && f != float64(int64(f))) {
			return []string{fmt.Sprintf("%s: want a number (%s)", path, typ)}
		}
		return nil
	case "Edm.DateTimeOffset":
		s, ok := v.(string)
		if _, err := time.Parse(time.RFC3339Nano, s); !ok || err != nil {
			return []string{fmt.Sprintf("%s: want an ISO 8601 date and time such as 2026-05-12T15:00:00Z", path)}
		}
		return nil
	case "Edm.Untyped":
		return nil
	}
	if members, ok := c.enums[typ]; ok {
		s, ok := v.(string)
		if !ok || members[strings.ToLower(s)] == "" {
			return []string{fmt.Sprintf("%s: %v is not a member of %s", path, v, typ)}
		}
		return nil
	}
	st, ok := c.types[typ]
	if !ok {
		return nil // a type outside this namespace (graph.*): not checked here
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return []string{fmt.Sprintf("%s: want an object (%s)", path, typ)}
	}
	// A derived type named by @odata.type is checked as that type.
	if odt, ok := obj["@odata.type"].(string); ok {
		name := strings.TrimPrefix(odt, "#")
		if d, ok := c.types[name]; ok && d != st {
			if !c.derives(d, st) {
				return []string{fmt.Sprintf("%s: @odata.type %s is not a %s", path, odt, typ)}
			}
			st = d
		}
	}
	if st.abstract {
		return []string{fmt.Sprintf("%s: %s is abstract; name a concrete type with @odata.type", path, typ)}
	}
	props := c.allProps(st)
	var out []string
	for k, val := range obj {
		if strings.Contains(k, "@odata.") {
			continue // annotations
		}
		p, ok := props[k]
		if !ok {
			if !st.open {
				out = append(out, fmt.Sprintf("%s: %s has no property %q", path, typ, k))
			}
			continue
		}
		if val == nil && !p.nullable {
			out = append(out, fmt.Sprintf("%s.%s: must not be null", path, k))
			continue
		}
		out = append(out, c.check(path+"."+k, p.typ, val, create)...)
	}
	if create {
		for name, p := range props {
			// A non-nullable enum left out takes its default (the official
			// create example leaves out contentCategory).
			if _, isEnum := c.enums[p.typ]; isEnum {
				continue
			}
			if _, ok := obj[name]; !ok && !p.nullable && name != "id" {
				out = append(out, fmt.Sprintf("%s: %s requires %q", path, typ, name))
			}
		}
	}
	return out
}

// allProps returns a type's properties with its base types' ones.
func (c *csdl) allProps(st *structType) map[string]csdlProp {
	props := map[string]csdlProp{}
	for t := st; t != nil; t = c.types[t.base] {
		for k, p := range t.props {
			props[k] = p
		}
		if t.base == entityBase {
			props["id"] = csdlProp{name: "id", typ: "Edm.String", nullable: false}
		}
	}
	return props
}

func (c *csdl) derives(d, base *structType) bool {
	for t := d; t != nil; t = c.types[t.base] {
		if t == base {
			return true
		}
	}
	return false
}

// nameRule is the documented shape of property names and aliases.
var nameRule = regexp.MustCompile(`^[A-Za-z0-9]{1,32}$`)
