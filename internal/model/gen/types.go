package main

import (
	"fmt"
	"sort"
	"strings"
)

// genTypes writes types_gen.go: a struct for every non-exception structure
// and a named string type for every enum.
func genTypes(a *api) *source {
	src := newSource()
	for _, sn := range a.declaredShapes() {
		s := a.Shapes[sn]
		if s.Type == "structure" {
			genStruct(src, a, sn)
		} else {
			genEnum(src, a, sn)
		}
	}
	return src
}

// declaredShapes lists the shapes that get a Go type, sorted by Go name.
func (a *api) declaredShapes() []string {
	var names []string
	for sn := range a.goNames {
		names = append(names, sn)
	}
	sort.Slice(names, func(i, j int) bool { return a.goNames[names[i]] < a.goNames[names[j]] })
	return names
}

// shapeDoc is the doc comment of a shape's Go type: a sentence naming the
// operation of an input or output, or the shape. (The model's own
// documentation is AWS's and stays out of the repository.)
func (a *api) shapeDoc(sn string) string {
	goName := a.goNames[sn]
	if op, ok := strings.CutSuffix(goName, "Input"); ok && a.Operations[op] != nil {
		return fmt.Sprintf("%s is the request of the %s operation.", goName, op)
	}
	if op, ok := strings.CutSuffix(goName, "Output"); ok && a.Operations[op] != nil {
		return fmt.Sprintf("%s is the response of the %s operation.", goName, op)
	}
	return fmt.Sprintf("%s is the %s shape of the WorkMail model.", goName, sn)
}

func genStruct(src *source, a *api, sn string) {
	name := a.goNames[sn]
	src.printf("\n%stype %s struct {\n", comment(name, a.shapeDoc(sn)), name)
	for i, m := range a.Shapes[sn].Members {
		doc := ""
		if a.Shapes[sn].isRequired(m.Name) {
			doc = "Required."
		}
		if doc != "" && i > 0 {
			src.printf("\n")
		}
		src.printf("%s%s %s `json:\"%s,%s\"`\n", comment("", doc), m.Name, a.fieldType(m.Shape), m.Name, a.omitOption(m.Shape))
	}
	src.printf("}\n")
}

// omitOption is the JSON tag option that leaves a member out when unset.
// Lists and maps use omitzero: a nil one is left out, but an empty one a
// handler set is sent as [] or {}, as AWS does, so that code reading
// response['OrganizationSummaries'] (boto3) or the CLI's output finds it.
func (a *api) omitOption(sn string) string {
	switch a.Shapes[sn].Type {
	case "list", "map":
		return "omitzero"
	}
	return "omitempty"
}

func genEnum(src *source, a *api, sn string) {
	name, s := a.goNames[sn], a.Shapes[sn]
	src.printf("\n%stype %s string\n\n", comment(name, a.shapeDoc(sn)), name)
	src.printf("// Values of %s, in model order.\nconst (\n", name)
	for _, v := range s.Enum {
		src.printf("%s %s = %q\n", enumConstName(name, v), name, v)
	}
	src.printf(")\n\n// Values returns every value of %s, in model order.\n", name)
	src.printf("func (%s) Values() []%s {\n\treturn []%s{\n", name, name, name)
	for _, v := range s.Enum {
		src.printf("%s,\n", enumConstName(name, v))
	}
	src.printf("}\n}\n")
}
