package main

import (
	"strings"
	"testing"
)

// TestGenEncodersRejectsMaps checks that a shape the encoders cannot write
// stops the generator instead of producing Go that does not compile.
func TestGenEncodersRejectsMaps(t *testing.T) {
	a := &api{
		Operations: map[string]*operation{"GetTags": {Name: "GetTags", Input: &ref{Shape: "GetTagsRequest"}, Output: &ref{Shape: "GetTagsResponse"}}},
		Shapes: map[string]*shape{
			"GetTagsRequest":  {Type: "structure"},
			"GetTagsResponse": {Type: "structure", Members: members{{Name: "Tags", ref: ref{Shape: "TagMap"}}}},
			"TagMap":          {Type: "map", Key: &ref{Shape: "String"}, Value: &ref{Shape: "String"}},
			"String":          {Type: "string"},
		},
	}
	if err := a.resolve(); err != nil {
		t.Fatal(err)
	}
	_, err := genEncoders(a)
	if err == nil || !strings.Contains(err.Error(), "TagMap") {
		t.Fatalf("genEncoders = %v, want an error naming TagMap", err)
	}
}
