// Package policy evaluates WorkMail's rules: access control rules, mobile
// device access rules and overrides, and impersonation roles. It holds no
// state and reads no store: the service loads the rules of an organization
// and asks here for the effect, and so will the mail-login bridge, so that
// GetAccessControlEffect and a real IMAP or SMTP login always agree.
package policy
