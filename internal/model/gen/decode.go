package main

import (
	"fmt"
	"sort"
	"strings"
)

// genDecoders writes decode_gen.go: the fast path of decode (see decode.go
// in package model for what it accepts and why). Every structure reachable
// from an operation input gets a decodeJSON method reading one object, and
// every input a decodeBody method reading a whole request body.
func genDecoders(a *api) (*source, error) {
	if cycle := a.inputCycle(); cycle != nil {
		// encoding/json refuses to nest deeper than 10000 levels, and the
		// fast path would have to count levels to decline in time.
		return nil, fmt.Errorf("shape %s is recursive: the fast-path decoder does not support that", strings.Join(cycle, " -> "))
	}
	var structs []string
	for _, sn := range a.inputShapes() {
		if a.Shapes[sn].Type == "structure" {
			structs = append(structs, sn)
		}
	}
	sort.Slice(structs, func(i, j int) bool { return a.goNames[structs[i]] < a.goNames[structs[j]] })
	src := newSource()
	for _, op := range a.operationNames() {
		// The decoder is declared here, not in the generic decode, so
		// that it stays on the stack: a call through a type parameter's
		// method makes its arguments escape.
		name := a.goNames[a.Operations[op].Input.Shape]
		src.printf("\n// decodeBody is the fast path of decode for %s.\n", name)
		src.printf("func (v *%s) decodeBody(body []byte) bool {\n", name)
		src.printf("d := jsonDecoder{data: body}\nreturn v.decodeJSON(&d) && d.end()\n}\n")
	}
	for _, sn := range structs {
		if err := genDecoder(src, a, sn); err != nil {
			return nil, err
		}
	}
	return src, nil
}

func genDecoder(src *source, a *api, sn string) error {
	name := a.goNames[sn]
	src.printf("\n// decodeJSON is the fast path of decode for a %s object.\n", name)
	src.printf("func (v *%s) decodeJSON(d *jsonDecoder) bool {\n", name)
	src.printf("for more := d.openObject(); more; more = d.nextMember() {\nswitch string(d.key) {\n")
	for _, m := range a.Shapes[sn].Members {
		src.printf("case %q:\n", m.Name)
		if err := a.readMember(src, m); err != nil {
			return fmt.Errorf("%s.%s: %w", sn, m.Name, err)
		}
	}
	src.printf("default:\nreturn false // an unknown or differently-cased key\n}\n}\nreturn !d.declined\n}\n")
	return nil
}

// readMember writes the statements reading member m into field v.<m.Name>,
// which return false if the fast path declines. Structures and lists are
// read here as decode.go's member readers read scalars.
func (a *api) readMember(src *source, m member) error {
	field := "v." + m.Name
	s := a.Shapes[m.Shape]
	switch s.Type {
	case "structure":
		src.printf("if %s != nil {\nreturn false // a repeated key\n}\n", field)
		src.printf("if !d.null() {\n%s = new(%s)\n", field, a.goNames[m.Shape])
		src.printf("if !%s.decodeJSON(d) {\nreturn false\n}\n}\n", field)
	case "list":
		elemType, _ := a.goType(s.Member.Shape)
		read, err := a.readValue(s.Member.Shape, "e")
		if err != nil {
			return err
		}
		src.printf("if %s != nil {\nreturn false // a repeated key\n}\n", field)
		src.printf("if !d.null() {\n%s = []%s{} // [] is an empty list, not nil\n", field, elemType)
		src.printf("for more := d.openArray(); more; more = d.nextElement() {\n")
		src.printf("var e %s\nif !%s {\nreturn false\n}\n", elemType, read)
		src.printf("%s = append(%s, e)\n}\n", field, field)
		src.printf("if d.declined {\nreturn false\n}\n}\n")
	default:
		kind, err := a.scalarKind(m.Shape)
		if err != nil {
			return err
		}
		src.printf("if !read%sMember(d, &%s) {\nreturn false\n}\n", kind, field)
	}
	return nil
}

// readValue is the expression reading one value of shape sn into variable
// v, true if the fast path accepts it.
func (a *api) readValue(sn, v string) (string, error) {
	if a.Shapes[sn].Type == "structure" {
		return v + ".decodeJSON(d)", nil
	}
	kind, err := a.scalarKind(sn)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("read%s(d, &%s)", kind, v), nil
}

// scalarKind names the readers of decode.go for a scalar shape:
// read<kind> and read<kind>Member.
func (a *api) scalarKind(sn string) (string, error) {
	switch s := a.Shapes[sn]; s.Type {
	case "string":
		return "String", nil
	case "integer":
		return "Int32", nil
	case "long":
		return "Int64", nil
	case "boolean":
		return "Bool", nil
	case "timestamp":
		return "Timestamp", nil
	default:
		// Maps, floats and lists of lists: no input has them; add them
		// when a model does.
		return "", fmt.Errorf("shape %s: a %s is not supported by the fast-path decoder", sn, s.Type)
	}
}

// inputCycle returns a path from a shape reachable from an input back to
// itself, or nil when no such shape is recursive.
func (a *api) inputCycle() []string {
	const (
		visiting = 1
		done     = 2
	)
	state := map[string]int{}
	var path, cycle []string
	var visit func(string) bool
	visit = func(sn string) bool {
		switch state[sn] {
		case visiting:
			cycle = append(path, sn)
			return true
		case done:
			return false
		}
		state[sn], path = visiting, append(path, sn)
		s := a.Shapes[sn]
		children := []string{}
		for _, m := range s.Members {
			children = append(children, m.Shape)
		}
		for _, r := range []*ref{s.Member, s.Key, s.Value} {
			if r != nil {
				children = append(children, r.Shape)
			}
		}
		for _, c := range children {
			if visit(c) {
				return true
			}
		}
		state[sn], path = done, path[:len(path)-1]
		return false
	}
	for _, op := range a.operationNames() {
		if visit(a.Operations[op].Input.Shape) {
			return cycle
		}
	}
	return nil
}
