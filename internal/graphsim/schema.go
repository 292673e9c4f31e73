package graphsim

import (
	"fmt"
	"strings"
)

// validateSchema checks a PATCH .../schema body: first against the CSDL
// (schema and property types, enum members), then against the rules the
// documentation states (graph-connectors.md §2.4): 1 to 128 properties,
// alphanumeric names of at most 32 characters, unique names, searchable
// only for strings, refinable and searchable not both, a labeled property
// retrievable and of the label's type, each label on one property.
func validateSchema(body map[string]any) []string {
	problems := mustCSDL.check("schema", ecNamespace+".schema", body, true)
	if len(problems) > 0 {
		return problems
	}
	if bt, _ := body["baseType"].(string); bt != "microsoft.graph.externalItem" {
		problems = append(problems, fmt.Sprintf("schema.baseType must be microsoft.graph.externalItem, not %q", bt))
	}
	props, _ := body["properties"].([]any)
	if len(props) < 1 || len(props) > 128 {
		problems = append(problems, fmt.Sprintf("schema.properties must hold 1 to 128 properties, not %d", len(props)))
	}
	names := map[string]bool{}
	labels := map[string]string{}
	for i, raw := range props {
		p, _ := raw.(map[string]any)
		where := fmt.Sprintf("schema.properties[%d]", i)
		name, _ := p["name"].(string)
		if !nameRule.MatchString(name) {
			problems = append(problems, fmt.Sprintf("%s.name %q must be 1 to 32 letters and digits", where, name))
		}
		if names[strings.ToLower(name)] {
			problems = append(problems, fmt.Sprintf("%s.name %q is used twice", where, name))
		}
		names[strings.ToLower(name)] = true
		for _, a := range stringList(p["aliases"]) {
			if !nameRule.MatchString(a) {
				problems = append(problems, fmt.Sprintf("%s.aliases: %q must be 1 to 32 letters and digits", where, a))
			}
		}
		if d, _ := p["description"].(string); len(d) > 200 {
			problems = append(problems, fmt.Sprintf("%s.description is longer than 200 characters", where))
		}
		typ := strings.ToLower(fmt.Sprint(p["type"]))
		searchable, refinable, retrievable := flag(p["isSearchable"]), flag(p["isRefinable"]), flag(p["isRetrievable"])
		if searchable && typ != "string" && typ != "stringcollection" {
			problems = append(problems, fmt.Sprintf("%s (%s): only string and stringCollection properties can be searchable", where, name))
		}
		if searchable && refinable {
			problems = append(problems, fmt.Sprintf("%s (%s): a property cannot be both searchable and refinable", where, name))
		}
		for _, l := range stringList(p["labels"]) {
			l = strings.ToLower(l)
			if !retrievable {
				problems = append(problems, fmt.Sprintf("%s (%s): a property with a label must be retrievable", where, name))
			}
			if other, ok := labels[l]; ok {
				problems = append(problems, fmt.Sprintf("%s (%s): label %s is already on %s", where, name, l, other))
			}
			labels[l] = name
			if want, ok := labelTypes[l]; ok && !strings.Contains(want, "|"+typ+"|") {
				problems = append(problems, fmt.Sprintf("%s (%s): label %s needs a property of type %s, not %s", where, name, l, strings.Trim(want, "|"), typ))
			}
		}
	}
	return problems
}

// labelTypes are the property types the documented labels take (lower
// case, between bars).
var labelTypes = map[string]string{
	"title": "|string|", "url": "|string|", "filename": "|string|", "fileextension": "|string|",
	"iconurl": "|string|", "containername": "|string|", "containerurl": "|string|",
	"createdby": "|string|principal|", "lastmodifiedby": "|string|principal|",
	"authors":         "|stringcollection|principalcollection|",
	"createddatetime": "|datetime|", "lastmodifieddatetime": "|datetime|",
}

// flag reads a boolean written as JSON or as "true"/"false".
func flag(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}

// stringList reads an array of strings, ignoring anything else.
func stringList(v any) []string {
	arr, _ := v.([]any)
	var out []string
	for _, e := range arr {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
