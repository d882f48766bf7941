// Package model is the Amazon WorkMail API (2017-10-01, awsJson1_1) as Go:
// input and output types, error codes, input validation, the Handlers
// interface with one method per operation, Invoke, which decodes a
// request body, validates it and calls the right handler, and
// AppendOutput, which encodes what the handler returned.
//
// Everything that the service model states is generated from it (the
// *_gen.go files, by ./gen, from the model digest gen/model-digest.json:
// the model's facts without its documentation, refreshed from the AWS
// models where they are present); the hand-written files hold what the
// model does not say: the error type, the timestamp wire format, JSON
// decoding (encoding/json), the scalar side of JSON encoding and the
// validation message format. A test fails when the generated files or the
// digest are stale.
package model

//go:generate go run ./gen
