package main

import (
	"github.com/workmaild/workmaild/internal/auth"
	"github.com/workmaild/workmaild/server"
)

// credentialsEnv holds strict mode's access keys in the compact form
// "ACCESS_KEY_ID:SECRET_ACCESS_KEY:ACCOUNT,...". It is not a flag: secrets
// on a command line are visible to every user of the machine.
const credentialsEnv = "WORKMAILD_CREDENTIALS"

// loadCredentials reads the keys of strict mode from --credentials-file
// and the environment, and checks that the mode and the keys agree.
func (c *serveConfig) loadCredentials(getenv func(string) string) error {
	switch server.AuthMode(c.authMode) {
	case server.AuthLenient, server.AuthStrict:
	default:
		return usageError{msg: "--auth must be lenient or strict"}
	}
	fromEnv := getenv(credentialsEnv)
	if server.AuthMode(c.authMode) == server.AuthLenient {
		if c.credentialsFile != "" || fromEnv != "" {
			return usageError{msg: "credentials are given but --auth is lenient, which would ignore them; pass --auth strict"}
		}
		return nil
	}
	if c.credentialsFile != "" {
		creds, err := auth.LoadCredentialsFile(c.credentialsFile)
		if err != nil {
			return usageError{msg: "--credentials-file: " + err.Error()}
		}
		c.credentials = append(c.credentials, creds...)
	}
	creds, err := auth.ParseCredentialsList(fromEnv)
	if err != nil {
		return usageError{msg: credentialsEnv + ": " + err.Error()}
	}
	c.credentials = append(c.credentials, creds...)
	if len(c.credentials) == 0 {
		return usageError{msg: "--auth strict needs access keys: pass --credentials-file or set " + credentialsEnv}
	}
	if _, err := auth.NewKeyring(c.credentials); err != nil {
		return usageError{msg: err.Error()}
	}
	return nil
}
