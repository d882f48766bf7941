package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
)

// The model digest is the generator's whole input, committed so that a
// clone generates (and checks) the Go of package model without the AWS
// models beside it. It holds facts only: the metadata, operations, shapes
// with their members, required members and constraints, the exceptions
// with their HTTP status and fault, and the paginators. Nothing of the
// models' documentation is kept. Its format is the api type as JSON (a
// subset of botocore's service-2.json with paginators-1.json folded in),
// indented, with object keys sorted except structure members, which keep
// model order.

// extract reads the botocore and Smithy models in dir and returns the
// digest of what the generator uses.
func extract(dir string) ([]byte, error) {
	var a api
	if err := readJSON(filepath.Join(dir, "service-2.json"), &a); err != nil {
		return nil, err
	}
	var p struct {
		Pagination map[string]paginator `json:"pagination"`
	}
	if err := readJSON(filepath.Join(dir, "paginators-1.json"), &p); err != nil {
		return nil, err
	}
	a.Paginators = p.Pagination
	smithy, err := smithyPath(dir)
	if err != nil {
		return nil, err
	}
	if err := a.addErrorTraits(smithy); err != nil {
		return nil, err
	}
	if err := a.resolve(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // patterns stay readable
	enc.SetIndent("", "  ")
	if err := enc.Encode(&a); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// smithyPath finds the one Smithy JSON model in dir.
func smithyPath(dir string) (string, error) {
	paths, err := filepath.Glob(filepath.Join(dir, "*.smithy.json"))
	if err != nil {
		return "", err
	}
	if len(paths) != 1 {
		return "", fmt.Errorf("want one *.smithy.json model in %s, found %d", dir, len(paths))
	}
	return paths[0], nil
}

// addErrorTraits sets the Error of every exception from the Smithy
// model's error and httpError traits. The two models must agree on which
// shapes are exceptions.
func (a *api) addErrorTraits(path string) error {
	var m struct {
		Shapes map[string]struct {
			Traits struct {
				Error     string `json:"smithy.api#error"`
				HTTPError int    `json:"smithy.api#httpError"`
			} `json:"traits"`
		} `json:"shapes"`
	}
	if err := readJSON(path, &m); err != nil {
		return err
	}
	found := map[string]bool{}
	for id, s := range m.Shapes {
		fault := s.Traits.Error
		if fault == "" {
			continue
		}
		_, name, _ := strings.Cut(id, "#")
		bs := a.Shapes[name]
		if bs == nil || !bs.Exception {
			return fmt.Errorf("%s: %s is an error, but not an exception of service-2.json", path, id)
		}
		info := &errorInfo{HTTPStatusCode: s.Traits.HTTPError, SenderFault: fault == "client"}
		switch {
		case fault != "client" && fault != "server":
			return fmt.Errorf("%s: %s: unknown error trait %q", path, id, fault)
		case info.HTTPStatusCode != 0:
		case info.SenderFault:
			info.HTTPStatusCode = 400
		default:
			info.HTTPStatusCode = 500
		}
		bs.Error, found[name] = info, true
	}
	for name, s := range a.Shapes {
		if s.Exception && !found[name] {
			return fmt.Errorf("%s: exception %s has no error trait", path, name)
		}
	}
	return nil
}
