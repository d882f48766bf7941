package main

import "fmt"

// genOperations writes operations_gen.go: the Handlers interface, its
// UnimplementedHandlers default, the Invoke dispatcher, the operation list
// and the paginators.
func genOperations(a *api) *source {
	src := newSource()
	src.use("context")
	ops := a.operationNames()

	src.printf("\n// Handlers implements the WorkMail API: one method per operation. Embed\n")
	src.printf("// UnimplementedHandlers to implement only some of them.\ntype Handlers interface {\n")
	for _, op := range ops {
		src.printf("%s(ctx context.Context, in *%sInput) (*%sOutput, error)\n", op, op, op)
	}
	src.printf("}\n")

	src.printf("\n// UnimplementedHandlers answers every operation with ErrNotImplemented.\n")
	src.printf("type UnimplementedHandlers struct{}\n\nvar _ Handlers = UnimplementedHandlers{}\n")
	for _, op := range ops {
		src.printf("\n// %s returns ErrNotImplemented.\n", op)
		src.printf("func (UnimplementedHandlers) %s(context.Context, *%sInput) (*%sOutput, error) {\n", op, op, op)
		src.printf("return nil, ErrNotImplemented.Errorf(%q)\n}\n", fmt.Sprintf("WorkMailService.%s is not implemented by workmaild yet", op))
	}

	src.printf("\n// Invoke decodes body as the input of operation, validates it and calls\n")
	src.printf("// the handler. It never returns a nil output with a nil error.\n")
	src.printf("func Invoke(ctx context.Context, h Handlers, operation string, body []byte) (any, error) {\n\tswitch operation {\n")
	for _, op := range ops {
		src.printf("case %q:\n\t\treturn invoke(ctx, body, h.%s)\n", op, op)
	}
	src.printf("}\n\treturn nil, ErrUnknownOperation.Errorf(\"Operation WorkMailService.%%s is not supported.\", operation)\n}\n")

	src.printf("\n// OperationNames returns the names of all %d operations, sorted.\n", len(ops))
	src.printf("func OperationNames() []string {\n\treturn []string{\n")
	for _, op := range ops {
		src.printf("%q,\n", op)
	}
	src.printf("}\n}\n")

	src.printf("\n// Paginator names the members an operation pages with (paginators-1.json).\n")
	src.printf("type Paginator struct {\n")
	src.printf("InputToken  string // input member carrying the token of the page to fetch\n")
	src.printf("OutputToken string // output member carrying the token of the next page\n")
	src.printf("LimitKey    string // input member limiting the page size\n")
	src.printf("ResultKey   string // output member holding the page's items\n}\n")
	src.printf("\n// PaginatorFor returns the paginator of an operation, if it has one.\n")
	src.printf("func PaginatorFor(op string) (Paginator, bool) {\n\tswitch op {\n")
	for _, op := range sortedKeys(a.Paginators) {
		p := a.Paginators[op]
		src.printf("case %q:\n\t\treturn Paginator{InputToken: %q, OutputToken: %q, LimitKey: %q, ResultKey: %q}, true\n",
			op, p.InputToken, p.OutputToken, p.LimitKey, p.ResultKey)
	}
	src.printf("}\n\treturn Paginator{}, false\n}\n")
	return src
}
