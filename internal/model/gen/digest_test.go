package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addErrorTraits takes fault and status from the Smithy model, with
// Smithy's default status, and refuses models that disagree on which
// shapes are exceptions.
func TestAddErrorTraits(t *testing.T) {
	smithy := func(t *testing.T, shapes string) string {
		path := filepath.Join(t.TempDir(), "m.smithy.json")
		if err := os.WriteFile(path, []byte(`{"shapes":{`+shapes+`}}`), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	newAPI := func() *api {
		return &api{Shapes: map[string]*shape{
			"NotFound": {Type: "structure", Exception: true},
			"Broken":   {Type: "structure", Exception: true},
			"Input":    {Type: "structure"},
		}}
	}
	a := newAPI()
	err := a.addErrorTraits(smithy(t, `
		"x#NotFound": {"traits": {"smithy.api#error": "client", "smithy.api#httpError": 404, "smithy.api#documentation": "prose"}},
		"x#Broken": {"traits": {"smithy.api#error": "server"}},
		"x#Input": {"traits": {}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := *a.Shapes["NotFound"].Error; got != (errorInfo{HTTPStatusCode: 404, SenderFault: true}) {
		t.Errorf("NotFound: %+v", got)
	}
	if got := *a.Shapes["Broken"].Error; got != (errorInfo{HTTPStatusCode: 500, SenderFault: false}) {
		t.Errorf("Broken: %+v", got)
	}

	for _, tc := range []struct{ shapes, want string }{
		{`"x#NotFound": {"traits": {"smithy.api#error": "client"}}`, "exception Broken has no error trait"},
		{`"x#Input": {"traits": {"smithy.api#error": "client"}}`, "x#Input is an error, but not an exception"},
		{`"x#NotFound": {"traits": {"smithy.api#error": "neither"}}, "x#Broken": {"traits": {"smithy.api#error": "server"}}`, "unknown error trait"},
	} {
		err := newAPI().addErrorTraits(smithy(t, tc.shapes))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.shapes, err, tc.want)
		}
	}
}
