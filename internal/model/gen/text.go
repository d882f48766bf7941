package main

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Naming and comments: how model names become Go identifiers, and text
// becomes Go comments.

func isExported(name string) bool {
	r, _ := utf8.DecodeRuneInString(name)
	if !unicode.IsUpper(r) {
		return false
	}
	for _, r := range name {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_' {
			return false
		}
	}
	return true
}

// lowerCamel turns a member name into the name Coral-style validation
// messages use for it: the first letter lowered ("OrganizationId" ->
// "organizationId", "ARN" -> "aRN").
func lowerCamel(name string) string {
	r, size := utf8.DecodeRuneInString(name)
	return string(unicode.ToLower(r)) + name[size:]
}

// enumConstName is the Go constant for one enum value, as aws-sdk-go-v2
// names them: IdentityProviderAuthenticationMode + "IDENTITY_PROVIDER_ONLY"
// -> IdentityProviderAuthenticationModeIdentityProviderOnly.
func enumConstName(typeName, value string) string {
	var b strings.Builder
	b.WriteString(typeName)
	words := strings.FieldsFunc(value, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	for _, w := range words {
		if w == strings.ToUpper(w) {
			w = strings.ToLower(w) // SHOUTING_CASE: keep only the first capital
		}
		r, size := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(w[size:])
	}
	return b.String()
}

// errorConstName names the ErrorCode constant of an exception shape.
func errorConstName(shapeName string) string {
	return "Err" + strings.TrimSuffix(shapeName, "Exception")
}

// comment renders text as a // comment wrapped to about 80 columns, with a
// leading "name " unless the text already starts with it, as godoc likes.
func comment(name, text string) string {
	if text == "" {
		return ""
	}
	if name != "" && !strings.HasPrefix(text, name+" ") {
		text = fmt.Sprintf("%s: %s", name, text)
	}
	var b strings.Builder
	line := "//"
	for _, word := range strings.Fields(text) {
		if len(line)+1+len(word) > 78 && line != "//" {
			b.WriteString(line + "\n")
			line = "//"
		}
		line += " " + word
	}
	b.WriteString(line + "\n")
	return b.String()
}
