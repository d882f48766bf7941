package main

import (
	"fmt"
	"sort"
	"strings"
)

// genValidators writes validate_gen.go: Validate for every operation input,
// a validator for every shape reachable from an input that the model
// constrains, and the compiled patterns those validators use. Nothing is
// generated for outputs: the server never validates what it sends.
func genValidators(a *api) (*source, error) {
	g := &validatorGen{api: a, src: newSource(), needs: map[string]bool{}, secret: map[string]bool{}}
	for _, op := range a.operationNames() {
		g.validateMethod(a.Operations[op].Input.Shape)
	}
	var patterns []string
	for _, sn := range g.inputShapes() {
		if !g.needsCheck(sn) {
			continue
		}
		switch s := a.Shapes[sn]; s.Type {
		case "structure":
			g.structure(sn)
		case "list":
			g.list(sn)
		case "map":
			// The WorkMail model has none; add it when a model does.
			return nil, fmt.Errorf("shape %s: validating maps is not supported", sn)
		default:
			g.scalar(sn)
			if s.Pattern != "" {
				patterns = append(patterns, sn)
			}
		}
	}
	return g.src, g.patterns(patterns)
}

type validatorGen struct {
	*api
	src    *source
	needs  map[string]bool // memo of needsCheck
	secret map[string]bool // memo of sensitive
}

// needsCheck reports whether the model constrains values of shape sn in
// any way, directly or inside them.
func (g *validatorGen) needsCheck(sn string) bool {
	if v, ok := g.needs[sn]; ok {
		return v
	}
	g.needs[sn] = true // a recursive structure is assumed to need checks
	s := g.Shapes[sn]
	var v bool
	switch s.Type {
	case "string":
		v = g.lengthMin(sn) != "" || s.Max != nil || s.Pattern != "" || len(s.Enum) > 0
	case "integer", "long", "double", "float":
		v = s.Min != nil || s.Max != nil
	case "list":
		v = g.lengthMin(sn) != "" || s.Max != nil || g.needsCheck(s.Member.Shape)
	case "map":
		v = g.lengthMin(sn) != "" || s.Max != nil || g.needsCheck(s.Value.Shape)
	case "structure":
		v = len(s.Required) > 0
		for _, m := range s.Members {
			v = g.needsCheck(m.Shape) || v
		}
	}
	g.needs[sn] = v
	return v
}

// lengthMin is the minimum length of a string, list or map shape, or ""
// when there is none worth checking (a length is never below 0).
func (g *validatorGen) lengthMin(sn string) string {
	if m := g.Shapes[sn].Min; m != nil && m.String() != "0" {
		return m.String()
	}
	return ""
}

// sensitive reports whether printing a value of shape sn could reveal a
// value the model marks sensitive.
func (g *validatorGen) sensitive(sn string) bool {
	if v, ok := g.secret[sn]; ok {
		return v
	}
	g.secret[sn] = false
	s := g.Shapes[sn]
	v := s.Sensitive
	for _, m := range s.Members {
		v = v || g.sensitive(m.Shape)
	}
	for _, r := range []*ref{s.Member, s.Value} {
		v = v || r != nil && g.sensitive(r.Shape)
	}
	g.secret[sn] = v
	return v
}

// show is the expression that prints value v of shape sn in a message.
func (g *validatorGen) show(sn, v string) string {
	if g.sensitive(sn) {
		return "redacted"
	}
	s := g.Shapes[sn]
	switch {
	case s.Type == "list":
		return "showList(" + v + ")"
	case len(s.Enum) > 0:
		return "showString(string(" + v + "))"
	case s.Type == "string":
		return "showString(" + v + ")"
	case s.Type == "double" || s.Type == "float":
		return "showFloat(" + v + ")"
	}
	return "showInt(" + v + ")"
}

func (g *validatorGen) validateMethod(sn string) {
	name := g.goNames[sn]
	g.src.printf("\n// Validate checks v against every constraint the model puts on %s.\n", name)
	g.src.printf("func (v *%s) Validate() error {\n", name)
	if !g.needsCheck(sn) {
		g.src.printf("return nil // the model constrains none of its members\n}\n")
		return
	}
	g.src.printf("var vs violations\nv.validate(&vs, \"\")\nreturn vs.err()\n}\n")
}

// structure writes the validate method of a structure: its members in
// model order, each checked for presence and then for its own constraints.
// prefix is the message path of the structure followed by '.', or "".
func (g *validatorGen) structure(sn string) {
	s := g.Shapes[sn]
	g.src.printf("\nfunc (v *%s) validate(vs *violations, prefix string) {\n", g.goNames[sn])
	for _, m := range s.Members {
		required, check := s.isRequired(m.Name), g.needsCheck(m.Shape)
		if !required && !check {
			continue
		}
		path := fmt.Sprintf("prefix+%q", lowerCamel(m.Name))
		field := "v." + m.Name
		var call string
		switch g.Shapes[m.Shape].Type {
		case "structure":
			call = fmt.Sprintf("%s.validate(vs, prefix+%q)", field, lowerCamel(m.Name)+".")
		case "list", "map":
			call = fmt.Sprintf("validate%s(vs, %s, %s)", m.Shape, path, field)
		default:
			call = fmt.Sprintf("validate%s(vs, %s, *%s)", m.Shape, path, field)
		}
		switch {
		case required && check:
			g.src.printf("if %s == nil {\nvs.null(%s)\n} else {\n%s\n}\n", field, path, call)
		case required:
			g.src.printf("if %s == nil {\nvs.null(%s)\n}\n", field, path)
		default:
			g.src.printf("if %s != nil {\n%s\n}\n", field, call)
		}
	}
	g.src.printf("}\n")
}

// list writes the validator of a list shape: its length, then each element
// at path "<list>.<1-based index>.member".
func (g *validatorGen) list(sn string) {
	s := g.Shapes[sn]
	elemType, _ := g.goType(s.Member.Shape)
	g.src.printf("\nfunc validate%s(vs *violations, path string, v []%s) {\n", sn, elemType)
	g.lengths(sn, "len(v)", g.show(sn, "v"))
	if es := s.Member.Shape; g.needsCheck(es) {
		g.src.printf("for i := range v {\n")
		if g.Shapes[es].Type == "structure" {
			g.src.printf("v[i].validate(vs, listElement(path, i)+\".\")\n")
		} else {
			g.src.printf("validate%s(vs, listElement(path, i), v[i])\n", es)
		}
		g.src.printf("}\n")
	}
	g.src.printf("}\n")
}

// scalar writes the validator of a string or number shape, in the order
// length, range, pattern, enum.
func (g *validatorGen) scalar(sn string) {
	s := g.Shapes[sn]
	goType, _ := g.goType(sn)
	g.src.printf("\nfunc validate%s(vs *violations, path string, v %s) {\n", sn, goType)
	show := g.show(sn, "v")
	str := "v"
	if len(s.Enum) > 0 {
		str = "string(v)"
	}
	if s.Type == "string" && (g.lengthMin(sn) != "" || s.Max != nil) {
		g.src.use("unicode/utf8")
		// Length counts Unicode code points, as Smithy defines it.
		g.src.printf("n := utf8.RuneCountInString(%s)\n", str)
		g.lengths(sn, "n", show)
	}
	if s.Type != "string" {
		if s.Min != nil {
			g.violation("v < "+s.Min.String(), show, "Member must have value greater than or equal to "+s.Min.String())
		}
		if s.Max != nil {
			g.violation("v > "+s.Max.String(), show, "Member must have value less than or equal to "+s.Max.String())
		}
	}
	if s.Pattern != "" {
		g.violation(fmt.Sprintf("!pattern%s.match(%s)", sn, str), show, "Member must satisfy regular expression pattern: "+s.Pattern)
	}
	if len(s.Enum) > 0 {
		consts := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			consts[i] = enumConstName(g.goNames[sn], e)
		}
		g.src.printf("switch v {\ncase %s:\ndefault:\n", strings.Join(consts, ", "))
		g.src.printf("vs.add(path, %s, %s)\n}\n", show, goString("Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]"))
	}
	g.src.printf("}\n")
}

// lengths checks the length n of a string, list or map against its bounds.
func (g *validatorGen) lengths(sn, n, show string) {
	if min := g.lengthMin(sn); min != "" {
		g.violation(n+" < "+min, show, "Member must have length greater than or equal to "+min)
	}
	if max := g.Shapes[sn].Max; max != nil {
		g.violation(n+" > "+max.String(), show, "Member must have length less than or equal to "+max.String())
	}
}

func (g *validatorGen) violation(cond, show, constraint string) {
	g.src.printf("if %s {\nvs.add(path, %s, %s)\n}\n", cond, show, goString(constraint))
}

// patterns declares the compiled pattern of every validated shape that has
// one, picking the engine per pattern (see regex.go).
func (g *validatorGen) patterns(shapes []string) error {
	if len(shapes) == 0 {
		return nil
	}
	sort.Strings(shapes)
	g.src.printf("\n// Compiled model patterns. Compiled once: they are immutable and safe\n")
	g.src.printf("// for concurrent use. Each is the model's ECMA-262 pattern rewritten for\n")
	g.src.printf("// the engine that runs it; matchers anchor it so the whole value must match.\nvar (\n")
	for _, sn := range shapes {
		p, err := translatePattern(g.Shapes[sn].Pattern)
		if err != nil {
			return fmt.Errorf("shape %s: %w", sn, err)
		}
		if p.expr != g.Shapes[sn].Pattern {
			g.src.printf("\n// model: %s\n", g.Shapes[sn].Pattern)
		}
		g.src.printf("pattern%s = %s\n", sn, patternCtor(p))
	}
	g.src.printf(")\n")
	g.src.printf("\n// modelPatterns lists the compiled patterns by shape, for tests.\n")
	g.src.printf("func modelPatterns() map[string]pattern {\nreturn map[string]pattern{\n")
	for _, sn := range shapes {
		g.src.printf("%s: pattern%s,\n", goString(sn), sn)
	}
	g.src.printf("}\n}\n")
	return nil
}

// patternCtor is the expression that builds the matcher of p: a row of
// ASCII runs when it is one (see ascii.go), else the engine's regexp.
func patternCtor(p compiledPattern) string {
	if p.engine == engineECMA {
		return "ecmaPattern(" + goString(p.expr) + ")"
	}
	runs, ok := asciiRuns(p.expr)
	if !ok {
		return "re2Pattern(" + goString(p.expr) + ")"
	}
	var b strings.Builder
	b.WriteString("asciiPattern(" + goString(p.expr) + ", []asciiRun{")
	for i, r := range runs {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "{%s, %d, %d}", goString(r.ranges()), r.min, r.max)
	}
	b.WriteString("})")
	return b.String()
}
