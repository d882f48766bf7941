package main

import (
	"strings"
	"testing"
)

// The fast-path decoder refuses, at generation time, the shapes it cannot
// read exactly, rather than emit a decoder that accepts what encoding/json
// reads differently.
func TestGenDecodersRefuses(t *testing.T) {
	str := &shape{Type: "string"}
	tests := []struct {
		name   string
		shapes map[string]*shape
		want   string
	}{
		{"recursive structure", map[string]*shape{
			"In":   {Type: "structure", Members: members{{"Node", ref{Shape: "Node"}}}},
			"Node": {Type: "structure", Members: members{{"Kids", ref{Shape: "List"}}}},
			"List": {Type: "list", Member: &ref{Shape: "Node"}},
		}, "In -> Node -> List -> Node is recursive"},
		{"map", map[string]*shape{
			"In":  {Type: "structure", Members: members{{"Tags", ref{Shape: "Map"}}}},
			"Map": {Type: "map", Key: &ref{Shape: "Str"}, Value: &ref{Shape: "Str"}},
			"Str": str,
		}, "a map is not supported"},
		{"float", map[string]*shape{
			"In":  {Type: "structure", Members: members{{"Ratio", ref{Shape: "Dbl"}}}},
			"Dbl": {Type: "double"},
		}, "a double is not supported"},
	}
	for _, tt := range tests {
		a := &api{
			Operations: map[string]*operation{"Op": {Name: "Op", Input: &ref{Shape: "In"}, Output: &ref{Shape: "Out"}}},
			Shapes:     tt.shapes,
		}
		a.Shapes["Out"] = &shape{Type: "structure"}
		if err := a.resolve(); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		_, err := genDecoders(a)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: genDecoders = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
}
