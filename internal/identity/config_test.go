package identity_test

import (
	"strings"
	"testing"

	"github.com/goccy/go-yaml"

	"gongconnector/internal/core"
	"gongconnector/internal/identity"
)

// section is the config file's shape around the identity section.
type section struct {
	Identity identity.Config `yaml:"identity"`
}

func parse(t *testing.T, src string) identity.Config {
	t.Helper()
	s := section{Identity: identity.DefaultConfig()}
	if err := yaml.UnmarshalWithOptions([]byte(src), &s, yaml.Strict()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return s.Identity
}

func TestConfigDecodesTheDocumentedShape(t *testing.T) {
	c := parse(t, `
identity:
  directory: entra
  entra:
    tenant_id: "11111111-2222-3333-4444-555555555555"
    client_id: "66666666-7777-8888-9999-000000000000"
  mapping:
    target: mail
    properties:
      - property: first_name
        regex: '^(\w+)'
      - property: last_name
        regex: '(\w+)$'
    template: '{0}.{1}@contoso.com'
`)
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	if c.Entra.GraphURL != identity.DefaultGraphURL || c.Entra.AuthorityHost != identity.DefaultAuthorityHost {
		t.Errorf("Entra defaults lost: %+v", c.Entra)
	}
	if c.Mapping.Target != core.AttrMail || len(c.Mapping.Properties) != 2 || c.Mapping.Properties[1].Regex != `(\w+)$` {
		t.Errorf("mapping: %+v", c.Mapping)
	}
}

func TestDefaultConfigIsValid(t *testing.T) {
	c := identity.DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if c.Directory != identity.DirectoryEmail || c.Mapping.Target != core.AttrUPN {
		t.Errorf("got %+v, want the email directory mapping to UPN", c)
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want []string // each must appear in the error; none means valid
	}{
		{"empty section takes defaults", "identity: {}\n", nil},
		{"file directory", "identity:\n  directory: file\n  file: people.csv\n", nil},
		{"unknown directory", "identity:\n  directory: ldap\n", []string{`identity.directory "ldap" is not known: use email, file or entra`}},
		{"file directory without a file", "identity:\n  directory: file\n", []string{"identity.file is required when identity.directory is file"}},
		{"file given to the email directory", "identity:\n  file: people.csv\n", []string{`identity.file "people.csv" is only read when identity.directory is file`}},
		{"entra without tenant or client", "identity:\n  directory: entra\n", []string{"identity.entra.tenant_id is required", "identity.entra.client_id is required"}},
		{"entra over plain http", "identity:\n  directory: entra\n  entra: {tenant_id: t, client_id: c, graph_url: 'http://graph.example.com'}\n", []string{"identity.entra.graph_url"}},
		{"entra test double on loopback", "identity:\n  directory: entra\n  entra: {tenant_id: t, client_id: c, graph_url: 'http://127.0.0.1:8080/v1.0', authority_host: 'http://localhost:8081'}\n", nil},
		{"unknown target", "identity:\n  mapping: {target: sid}\n", []string{`identity.mapping.target "sid" is not known: use upn, mail, object_id or external_id`}},
		{"external id without a real directory", "identity:\n  mapping: {target: external_id}\n", []string{"external_id needs a file or entra directory"}},
		{"regex that does not compile", `
identity:
  mapping:
    properties:
      - {property: first_name, regex: '^(\w+)'}
      - {property: last_name, regex: '(\w+'}
    template: '{0}.{1}@x.com'
`, []string{`identity.mapping.properties[1].regex "(\w+" does not compile: missing closing )`}},
		{"template refers past the properties", `
identity:
  mapping:
    properties: [{property: first_name}, {property: last_name}]
    template: '{0}.{2}@x.com'
`, []string{`identity.mapping.template "{0}.{2}@x.com" refers to {2}, but only 2 properties are listed ({0} to {1})`, "properties[1] (last_name) is not used"}},
		{"one property, {1}", "identity:\n  mapping:\n    properties: [{property: email}]\n    template: '{1}'\n",
			[]string{"refers to {1}, but only 1 property is listed ({0})"}},
		{"unknown property", "identity:\n  mapping:\n    properties: [{property: department}]\n    template: '{0}@x.com'\n",
			[]string{`identity.mapping.properties[0].property "department" is not known: use id, email, first_name, last_name or title`}},
		{"a typo in a reference", "identity:\n  mapping:\n    properties: [{property: email}]\n    template: '{first}@x.com'\n",
			[]string{"has {first}, which is not a property reference"}},
		{"unclosed brace", "identity:\n  mapping:\n    properties: [{property: email}]\n    template: '{0@x.com'\n",
			[]string{"without a closing }"}},
		{"template without references", "identity:\n  mapping:\n    properties: [{property: email}]\n    template: 'everyone@x.com'\n",
			[]string{"uses no property", "same identity"}},
		{"properties without a template", "identity:\n  mapping:\n    properties: [{property: email}]\n",
			[]string{"identity.mapping.template is required when properties are listed"}},
		{"template without properties", "identity:\n  mapping:\n    template: '{0}@x.com'\n",
			[]string{"no identity.mapping.properties are listed"}},
		{"every problem at once", "identity:\n  directory: nis\n  mapping:\n    target: sid\n    properties: [{property: x, regex: '['}]\n    template: '{0}'\n",
			[]string{"identity.directory", "identity.mapping.target", "properties[0].property", "properties[0].regex"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := parse(t, tt.yaml).Validate()
			if len(tt.want) == 0 {
				if err != nil {
					t.Fatalf("got %v, want valid", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("got valid, want an error mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not say %q", err, w)
				}
			}
		})
	}
}
