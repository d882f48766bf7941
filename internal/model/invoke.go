package model

import "context"

// input is implemented by every operation input: its generated validator.
type input[I any] interface {
	*I
	Validate() error
}

// invoke is the one adapter behind every operation in Invoke: decode the
// body into the operation's input, validate it, call the handler. Decoding
// and validation errors are *Error; handler errors are returned as they are.
func invoke[I, O any, PI input[I]](ctx context.Context, body []byte, handler func(context.Context, *I) (*O, error)) (any, error) {
	in := PI(new(I))
	if err := decode(body, in); err != nil {
		return nil, err
	}
	if err := in.Validate(); err != nil {
		return nil, err
	}
	out, err := handler(ctx, in)
	if err != nil {
		return nil, err
	}
	if out == nil {
		out = new(O) // "nothing to say" is {} on the wire, never null
	}
	return out, nil
}
