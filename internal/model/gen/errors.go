package main

// genErrors writes errors_gen.go: an ErrorCode for every exception shape,
// the errors each operation declares, and IsModeled.
func genErrors(a *api) *source {
	src := newSource()
	var codes []string
	for _, sn := range a.shapeNames() {
		if a.Shapes[sn].Exception {
			codes = append(codes, sn)
		}
	}

	src.printf("\n// Error codes of the exceptions in the model. Each is the bare shape name,\n")
	src.printf("// as awsJson1_1 puts it in __type.\nconst (\n")
	for _, sn := range codes {
		src.printf("%s ErrorCode = %q\n", errorConstName(sn), sn)
	}
	src.printf(")\n")

	src.printf("\n// IsModeled reports whether c is an exception of the WorkMail model.\n")
	src.printf("func IsModeled(c ErrorCode) bool {\n\tswitch c {\n\tcase ")
	for i, sn := range codes {
		if i > 0 {
			src.printf(",\n")
		}
		src.printf("%s", errorConstName(sn))
	}
	src.printf(":\n\t\treturn true\n\t}\n\treturn false\n}\n")

	src.printf("\n// DeclaredErrors returns the errors the model declares for an operation,\n")
	src.printf("// in model order, or nil for an unknown operation.\n")
	src.printf("func DeclaredErrors(operation string) []ErrorCode {\n\tswitch operation {\n")
	for _, name := range a.operationNames() {
		src.printf("case %q:\n\t\treturn []ErrorCode{", name)
		for i, e := range a.Operations[name].Errors {
			if i > 0 {
				src.printf(", ")
			}
			src.printf("%s", errorConstName(e.Shape))
		}
		src.printf("}\n")
	}
	src.printf("}\n\treturn nil\n}\n")
	return src
}
