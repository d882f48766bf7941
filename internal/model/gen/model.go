package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"sort"
)

// api is the WorkMail model as the generator reads it: the facts of the
// botocore service model (service-2.json) and paginator model
// (paginators-1.json), with the error traits of the Smithy model, and none
// of their documentation. The same structure, written as JSON, is the
// model digest committed beside the generator (digest.go): the generator
// writes Go from the digest, and refreshes the digest from the models
// where they are present.
type api struct {
	Metadata   metadata              `json:"metadata"`
	Operations map[string]*operation `json:"operations"`
	Shapes     map[string]*shape     `json:"shapes"`
	Paginators map[string]paginator  `json:"paginators"`

	// goNames maps a shape name to the Go type declared for it. Operation
	// inputs and outputs are renamed <Operation>Input / <Operation>Output so
	// handlers read naturally whatever botocore called the shapes.
	goNames map[string]string
}

type metadata struct {
	APIVersion       string `json:"apiVersion"`
	EndpointPrefix   string `json:"endpointPrefix"`
	JSONVersion      string `json:"jsonVersion"`
	Protocol         string `json:"protocol"`
	ServiceID        string `json:"serviceId"`
	SignatureVersion string `json:"signatureVersion"`
	TargetPrefix     string `json:"targetPrefix"`
}

type operation struct {
	Name       string `json:"name"`
	Input      *ref   `json:"input"`
	Output     *ref   `json:"output"`
	Errors     []ref  `json:"errors,omitempty"`
	Idempotent bool   `json:"idempotent,omitempty"`
}

type ref struct {
	Shape            string `json:"shape"`
	IdempotencyToken bool   `json:"idempotencyToken,omitempty"`
}

type shape struct {
	Type      string       `json:"type"`
	Members   members      `json:"members,omitempty"`
	Required  []string     `json:"required,omitempty"`
	Member    *ref         `json:"member,omitempty"` // list element
	Key       *ref         `json:"key,omitempty"`    // map key
	Value     *ref         `json:"value,omitempty"`  // map value
	Enum      []string     `json:"enum,omitempty"`
	Min       *json.Number `json:"min,omitempty"`
	Max       *json.Number `json:"max,omitempty"`
	Pattern   string       `json:"pattern,omitempty"`
	Sensitive bool         `json:"sensitive,omitempty"`
	Exception bool         `json:"exception,omitempty"`
	// Error is set for exceptions, from the Smithy model's error and
	// httpError traits (botocore's service-2.json leaves it out).
	Error *errorInfo `json:"error,omitempty"`
}

// errorInfo is what the model says about an exception, in botocore's
// words: whether the sender is at fault (Smithy's "client" errors, as
// opposed to "server") and the HTTP status code (Smithy's httpError, or
// its default: 400 for a client error, 500 for a server one).
type errorInfo struct {
	HTTPStatusCode int  `json:"httpStatusCode"`
	SenderFault    bool `json:"senderFault"`
}

type paginator struct {
	InputToken  string `json:"input_token"`
	OutputToken string `json:"output_token"`
	LimitKey    string `json:"limit_key"`
	ResultKey   string `json:"result_key"`
}

type member struct {
	Name string
	ref
}

// members keeps structure members in model order: validation reports
// violations in that order, and a Go map would lose it.
type members []member

func (ms *members) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("members: want a JSON object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		m := member{Name: tok.(string)}
		if err := dec.Decode(&m.ref); err != nil {
			return fmt.Errorf("member %s: %w", m.Name, err)
		}
		*ms = append(*ms, m)
	}
	return nil
}

// MarshalJSON writes the members as an object in model order.
func (ms members) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, m := range ms {
		if i > 0 {
			b = append(b, ',')
		}
		name, err := json.Marshal(m.Name)
		if err != nil {
			return nil, err
		}
		r, err := json.Marshal(m.ref)
		if err != nil {
			return nil, err
		}
		b = append(append(append(b, name...), ':'), r...)
	}
	return append(b, '}'), nil
}

func (s *shape) isRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// parse reads a model digest and checks it (resolve).
func parse(digest []byte) (*api, error) {
	var a api
	dec := json.NewDecoder(bytes.NewReader(digest))
	dec.DisallowUnknownFields() // a digest holds nothing the generator ignores
	if err := dec.Decode(&a); err != nil {
		return nil, fmt.Errorf("model digest: %w", err)
	}
	if err := a.resolve(); err != nil {
		return nil, err
	}
	return &a, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// resolve names every shape's Go type and checks the model for anything the
// generator cannot express, so a surprising model fails loudly here rather
// than producing Go that does not compile.
func (a *api) resolve() error {
	a.goNames = map[string]string{}
	// Go name -> shape name, to detect clashes; seeded with the hand-written
	// and generated non-shape types of package model.
	owner := map[string]string{}
	for _, taken := range []string{"Error", "ErrorCode", "Timestamp", "Handlers", "UnimplementedHandlers", "Paginator"} {
		owner[taken] = "(package model)"
	}
	name := func(shapeName, goName string) error {
		if prev, ok := a.goNames[shapeName]; ok && prev != goName {
			return fmt.Errorf("shape %s would be both %s and %s", shapeName, prev, goName)
		}
		if prev, ok := owner[goName]; ok && prev != shapeName {
			return fmt.Errorf("shapes %s and %s would both be Go type %s", prev, shapeName, goName)
		}
		a.goNames[shapeName], owner[goName] = goName, shapeName
		return nil
	}
	for _, opName := range a.operationNames() {
		op := a.Operations[opName]
		if op.Input == nil || op.Output == nil {
			return fmt.Errorf("operation %s lacks an input or output shape", opName)
		}
		if err := name(op.Input.Shape, opName+"Input"); err != nil {
			return err
		}
		if err := name(op.Output.Shape, opName+"Output"); err != nil {
			return err
		}
		for _, e := range op.Errors {
			if s := a.Shapes[e.Shape]; s == nil || !s.Exception {
				return fmt.Errorf("operation %s declares %s, which is not an exception shape", opName, e.Shape)
			}
		}
		if op.Name != opName {
			return fmt.Errorf("operation %s is named %q", opName, op.Name)
		}
	}
	for opName := range a.Paginators {
		if a.Operations[opName] == nil {
			return fmt.Errorf("paginator for unknown operation %s", opName)
		}
	}
	for _, sn := range a.shapeNames() {
		if s := a.Shapes[sn]; s.Exception && s.Error == nil {
			return fmt.Errorf("exception %s lacks its error traits", sn)
		}
	}
	for _, sn := range a.shapeNames() {
		s := a.Shapes[sn]
		if s.Exception || !(s.Type == "structure" || len(s.Enum) > 0) {
			continue
		}
		if _, done := a.goNames[sn]; !done {
			if err := name(sn, sn); err != nil {
				return err
			}
		}
	}
	for _, sn := range a.shapeNames() {
		s := a.Shapes[sn]
		for _, r := range []*ref{s.Member, s.Key, s.Value} {
			if r != nil && a.Shapes[r.Shape] == nil {
				return fmt.Errorf("shape %s refers to unknown shape %s", sn, r.Shape)
			}
		}
		for _, m := range s.Members {
			if a.Shapes[m.Shape] == nil {
				return fmt.Errorf("%s.%s refers to unknown shape %s", sn, m.Name, m.Shape)
			}
			if !isExported(m.Name) || m.Name == "Validate" {
				return fmt.Errorf("%s.%s cannot be a Go field name", sn, m.Name)
			}
		}
		if _, err := a.goType(sn); err != nil {
			return err
		}
	}
	return nil
}

// goType is the Go type of a value of shape sn where it appears as an
// element (of a list or map); fields add a pointer to scalars and structures.
func (a *api) goType(sn string) (string, error) {
	s := a.Shapes[sn]
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			return a.goNames[sn], nil
		}
		return "string", nil
	case "integer":
		return "int32", nil
	case "long":
		return "int64", nil
	case "boolean":
		return "bool", nil
	case "double", "float":
		return "float64", nil
	case "timestamp":
		return "Timestamp", nil
	case "structure":
		return a.goNames[sn], nil
	case "list":
		elem, err := a.goType(s.Member.Shape)
		return "[]" + elem, err
	case "map":
		if a.Shapes[s.Key.Shape].Type != "string" {
			return "", fmt.Errorf("map shape %s: only string keys are supported", sn)
		}
		elem, err := a.goType(s.Value.Shape)
		return "map[string]" + elem, err
	}
	return "", fmt.Errorf("shape %s: unsupported type %q", sn, s.Type)
}

// fieldType is the Go type of a structure member of shape sn. Scalars and
// structures are pointers so that "absent" (and JSON null) stays nil and
// can be told apart from a zero value; lists and maps are nil when absent.
func (a *api) fieldType(sn string) string {
	t, _ := a.goType(sn) // resolve already rejected unsupported shapes
	switch a.Shapes[sn].Type {
	case "list", "map":
		return t
	}
	return "*" + t
}

// inputShapes lists the shapes reachable from operation inputs, sorted.
func (a *api) inputShapes() []string {
	return a.reachable(func(op *operation) *ref { return op.Input })
}

// outputShapes lists the shapes reachable from operation outputs, sorted.
func (a *api) outputShapes() []string {
	return a.reachable(func(op *operation) *ref { return op.Output })
}

// reachable lists the shapes reachable from the root each operation's
// root function names, sorted.
func (a *api) reachable(root func(*operation) *ref) []string {
	seen := map[string]bool{}
	var visit func(string)
	visit = func(sn string) {
		if seen[sn] {
			return
		}
		seen[sn] = true
		s := a.Shapes[sn]
		for _, m := range s.Members {
			visit(m.Shape)
		}
		for _, r := range []*ref{s.Member, s.Key, s.Value} {
			if r != nil {
				visit(r.Shape)
			}
		}
	}
	for _, op := range a.Operations {
		visit(root(op).Shape)
	}
	return sortedKeys(seen)
}

func (a *api) operationNames() []string { return sortedKeys(a.Operations) }
func (a *api) shapeNames() []string     { return sortedKeys(a.Shapes) }

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
