package record

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

type inner struct {
	Kind string `json:"kind"`
	N    int32  `json:"n,omitempty"`
}

type names struct {
	Email   string   `json:"email,omitempty"`
	Aliases []string `json:"aliases,omitempty"`
}

type label string

type sample struct {
	ID    string `json:"id"`
	Count int    `json:"count"`
	Neg   int64  `json:"neg"`
	Size  uint32 `json:"size"`
	On    bool   `json:"on"`
	names
	Secret   []byte    `json:"secret"`
	At       time.Time `json:"at"`
	Never    time.Time `json:"never,omitzero"`
	Labels   []label   `json:"labels"`
	Empty    []string  `json:"empty"`
	Nil      []string  `json:"nil"`
	Inner    inner     `json:"inner"`
	Inners   []inner   `json:"inners"`
	Skipped  string    `json:"-"`
	internal string
}

func full() sample {
	return sample{
		ID: "u-1", Count: 7, Neg: -1 << 40, Size: 1 << 31, On: true,
		names:  names{Email: "a@b.example", Aliases: []string{"c@b.example", ""}},
		Secret: []byte{0, 1, 2, 255},
		At:     time.Date(2026, 12, 3, 8, 0, 0, 123456789, time.UTC),
		Labels: []label{"x", "y"}, Empty: []string{},
		Inner: inner{Kind: "k", N: -3}, Inners: []inner{{Kind: "a"}, {}, {N: 9}},
	}
}

func TestRoundTrip(t *testing.T) {
	c := For[sample]()
	for _, in := range []sample{full(), {}, {ID: "only"}} {
		raw := c.Append(nil, &in)
		if raw[0] != Version {
			t.Fatalf("first byte %#x", raw[0])
		}
		var out sample
		if err := c.Decode(raw, &out); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Errorf("round trip:\n got %+v\nwant %+v", out, in)
		}
	}
}

// A nil slice and an empty one stay apart, as they do in JSON.
func TestNilAndEmptySlices(t *testing.T) {
	c := For[sample]()
	in := sample{Empty: []string{}, Inners: []inner{}}
	var out sample
	if err := c.Decode(c.Append(nil, &in), &out); err != nil {
		t.Fatal(err)
	}
	if out.Empty == nil || out.Inners == nil || out.Nil != nil || out.Labels != nil {
		t.Errorf("got %#v", out)
	}
}

// Times read back in UTC, to the nanosecond, whatever zone they were in.
func TestTimeInUTC(t *testing.T) {
	c := For[sample]()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("X", 3600))
	in := sample{At: at}
	var out sample
	if err := c.Decode(c.Append(nil, &in), &out); err != nil {
		t.Fatal(err)
	}
	if !out.At.Equal(at) || out.At.Location() != time.UTC {
		t.Errorf("got %v, want %v in UTC", out.At, at)
	}
}

// A JSON record, as earlier releases wrote them, decodes the same.
func TestDecodesJSON(t *testing.T) {
	c := For[sample]()
	in := full()
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out sample
	if err := c.Decode(raw, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, in) {
		t.Errorf("got %+v\nwant %+v", out, in)
	}
}

type older struct {
	ID    string `json:"id"`
	Count int    `json:"count"`
}

type newer struct {
	ID    string    `json:"id"`
	Added []inner   `json:"added"`
	When  time.Time `json:"when"`
	Count int       `json:"count"`
}

// Records move between releases like JSON: unknown fields are skipped,
// missing ones stay zero, order does not matter.
func TestEvolution(t *testing.T) {
	n := newer{ID: "x", Added: []inner{{Kind: "k"}}, When: time.Unix(5, 0).UTC(), Count: 3}
	var o older
	if err := For[older]().Decode(For[newer]().Append(nil, &n), &o); err != nil {
		t.Fatal(err)
	}
	if o != (older{ID: "x", Count: 3}) {
		t.Errorf("older read %+v", o)
	}
	var back newer
	if err := For[newer]().Decode(For[older]().Append(nil, &o), &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, newer{ID: "x", Count: 3}) {
		t.Errorf("newer read %+v", back)
	}
}

func TestCorruptRecords(t *testing.T) {
	c := For[sample]()
	good := c.Append(nil, new(full()))
	for name, raw := range map[string][]byte{
		"empty":         nil,
		"version":       {2, 0},
		"truncated":     good[:len(good)-1],
		"long length":   {Version, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"overlong":      {Version, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01},
		"bad bool":      append([]byte{Version, 2, 'o', 'n', 1}, 2),
		"bad integer":   append([]byte{Version, 5, 'c', 'o', 'u', 'n', 't', 1}, 0x80),
		"huge integer":  append([]byte{Version, 4, 's', 'i', 'z', 'e', 6}, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
		"bad time":      {Version, 2, 'a', 't', 1, 0x80},
		"time nanos":    {Version, 2, 'a', 't', 6, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"bad json":      []byte(`{"id":`),
		"bad inner":     {Version, 5, 'i', 'n', 'n', 'e', 'r', 2, 9, 'x'},
		"bad inner len": {Version, 6, 'i', 'n', 'n', 'e', 'r', 's', 1, 9},
	} {
		var out sample
		err := c.Decode(raw, &out)
		if err == nil {
			t.Errorf("%s: decoded %+v", name, out)
		} else if raw != nil && raw[0] != '{' && !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v is not ErrCorrupt", name, err)
		}
	}
}

func TestUnsupportedFieldPanics(t *testing.T) {
	defer func() {
		if v := recover(); v == nil || !strings.Contains(v.(string), "unsupported") {
			t.Errorf("recovered %v", v)
		}
	}()
	For[struct {
		M map[string]string `json:"m"`
	}]()
}

func FuzzDecode(f *testing.F) {
	c := For[sample]()
	f.Add(c.Append(nil, new(full())))
	f.Add([]byte{Version})
	f.Fuzz(func(t *testing.T, raw []byte) {
		var out sample
		if c.Decode(raw, &out) != nil {
			return
		}
		// What decodes re-encodes to something that decodes the same.
		var again sample
		if err := c.Decode(c.Append(nil, &out), &again); err != nil || !reflect.DeepEqual(again, out) {
			t.Fatalf("re-decoding %+v: %v, %+v", out, err, again)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	c := For[sample]()
	raw := c.Append(nil, new(full()))
	js, _ := json.Marshal(full())
	b.Run("record", func(b *testing.B) {
		for b.Loop() {
			var out sample
			if err := c.Decode(raw, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json", func(b *testing.B) {
		for b.Loop() {
			var out sample
			if err := c.Decode(js, &out); err != nil {
				b.Fatal(err)
			}
		}
	})
}
