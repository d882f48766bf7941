package main

import "fmt"

// genEncoders writes encode_gen.go: for every structure an operation
// output can hold, an appendJSON method writing what json.Marshal writes
// for it (members in declaration order, nil pointers and nil lists left
// out, empty lists as []), with the helpers of encode.go for scalars.
func genEncoders(a *api) (*source, error) {
	shapes := a.outputShapes()
	for _, sn := range shapes {
		if err := a.checkEncodable(sn); err != nil {
			return nil, err
		}
	}
	src := newSource()
	src.printf("\n// The appendJSON methods of every structure an operation output can hold;\n")
	src.printf("// see encode.go.\n")
	for _, sn := range shapes {
		if a.Shapes[sn].Type == "structure" {
			genAppendJSON(src, a, sn)
		}
	}
	return src, nil
}

// checkEncodable fails for the shapes genAppendJSON cannot encode. The
// WorkMail model's outputs have none of them; support them when a model
// does.
func (a *api) checkEncodable(sn string) error {
	s := a.Shapes[sn]
	switch s.Type {
	case "map":
		return fmt.Errorf("shape %s: encoding a map in an output is not supported", sn)
	case "list":
		if t := a.Shapes[s.Member.Shape].Type; t == "list" || t == "map" {
			return fmt.Errorf("shape %s: encoding a list of %ss in an output is not supported", sn, t)
		}
	}
	return nil
}

// genAppendJSON writes the appendJSON method of structure sn. Each member
// is appended after a comma, and closeObject turns the first comma into
// the opening brace.
func genAppendJSON(src *source, a *api, sn string) {
	name := a.goNames[sn]
	src.printf("\nfunc (v *%s) appendJSON(b []byte) ([]byte, error) {\n", name)
	src.printf("if v == nil {\nreturn append(b, \"null\"...), nil\n}\n")
	members := a.Shapes[sn].Members
	if len(members) == 0 {
		src.printf("return append(b, '{', '}'), nil\n}\n")
		return
	}
	if a.callsFallible(sn) {
		src.printf("var err error\n")
	}
	src.printf("start := len(b)\n")
	for _, m := range members {
		field := "v." + m.Name
		src.printf("if %s != nil {\n", field)
		if a.Shapes[m.Shape].Type == "list" {
			elem := a.Shapes[m.Shape].Member.Shape
			src.printf("b = append(b, %s...)\n", goString(`,"`+m.Name+`":[`))
			src.printf("for i := range %s {\n", field)
			src.printf("if i > 0 {\nb = append(b, ',')\n}\n")
			appendValue(src, a, elem, field+"[i]")
			src.printf("}\nb = append(b, ']')\n")
		} else {
			src.printf("b = append(b, %s...)\n", goString(`,"`+m.Name+`":`))
			// Scalars and structures are pointers (fieldType); a method
			// call takes the pointer as it is.
			value := "*" + field
			if t := a.Shapes[m.Shape].Type; t == "structure" || t == "timestamp" {
				value = field
			}
			appendValue(src, a, m.Shape, value)
		}
		src.printf("}\n")
	}
	src.printf("return closeObject(b, start), nil\n}\n")
}

// appendValue writes the statements appending expr, a value of shape sn
// (or, for a structure or timestamp, a pointer to one).
func appendValue(src *source, a *api, sn, expr string) {
	s := a.Shapes[sn]
	switch s.Type {
	case "string":
		if len(s.Enum) > 0 {
			expr = "string(" + expr + ")"
		}
		src.printf("b = appendString(b, %s)\n", expr)
	case "integer", "long":
		src.use("strconv")
		src.printf("b = strconv.AppendInt(b, int64(%s), 10)\n", expr)
	case "boolean":
		src.use("strconv")
		src.printf("b = strconv.AppendBool(b, %s)\n", expr)
	case "timestamp":
		src.printf("b = %s.appendEpochSeconds(b)\n", expr)
	case "double", "float":
		src.printf("if b, err = appendFloat(b, %s); err != nil {\nreturn nil, err\n}\n", expr)
	case "structure":
		src.printf("if b, err = %s.appendJSON(b); err != nil {\nreturn nil, err\n}\n", expr)
	default:
		panic(fmt.Sprintf("shape %s: cannot encode a %s", sn, s.Type)) // checkEncodable rejected it before
	}
}

// callsFallible reports whether the appendJSON of structure sn calls
// something that returns an error: appendFloat (NaN and infinities fail)
// or another structure's appendJSON.
func (a *api) callsFallible(sn string) bool {
	for _, m := range a.Shapes[sn].Members {
		t := a.Shapes[m.Shape].Type
		if t == "list" {
			t = a.Shapes[a.Shapes[m.Shape].Member.Shape].Type
		}
		switch t {
		case "double", "float", "structure":
			return true
		}
	}
	return false
}
