package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/workmaild/workmaild/internal/model"
	"github.com/workmaild/workmaild/server"
)

var update = flag.Bool("update", false, "rewrite docs/operations.md from what the operation sweep finds")

// notImplemented lists the operations workmaild does not implement yet,
// sorted. It can only shrink: an operation on it must answer
// NotImplemented, so implementing one fails TestOperations until it is
// taken off the list, and an operation off it must not.
var notImplemented = []string{}

// unknownOrg is a well-formed organization id that no test creates.
const unknownOrg = "m-0000000000000000000000000000f00d"

// operationsDoc is the generated list of operations and their state.
var operationsDoc = filepath.Join("..", "docs", "operations.md")

// TestOperations calls every operation of the model through the real HTTP
// handler with a minimal valid input (minimalInput) and checks that:
//   - an operation on notImplemented answers NotImplemented, and one off it
//     does not;
//   - an implemented operation taking an OrganizationId answers
//     OrganizationNotFoundException for an unknown organization;
//   - no operation answers an error its model does not declare for it
//     (NotImplemented, the server's own, aside);
//   - docs/operations.md is what the sweep would write (-update writes it).
func TestOperations(t *testing.T) {
	if !slices.IsSorted(notImplemented) || len(slices.Compact(slices.Clone(notImplemented))) != len(notImplemented) {
		t.Fatal("notImplemented is not sorted and unique")
	}
	d := readDigest(t)
	ops := model.OperationNames()
	if len(ops) != len(d.Operations) {
		t.Fatalf("the model has %d operations, the digest %d", len(ops), len(d.Operations))
	}
	for _, op := range notImplemented {
		if !slices.Contains(ops, op) {
			t.Errorf("notImplemented lists %s, which is not an operation of the model", op)
		}
	}
	ts := startServer(t, server.Options{})
	implemented := map[string]bool{}
	for _, op := range ops {
		body, takesOrg := d.minimalInput(t, op)
		// The input must be valid: the model's validation passes it on to
		// the handler, which answers NotImplemented in UnimplementedHandlers.
		if _, err := model.Invoke(context.Background(), model.UnimplementedHandlers{}, op, body); !errors.Is(err, model.ErrNotImplemented) {
			t.Errorf("%s: the sweep's input %s is not valid: %v", op, body, err)
			continue
		}
		r := ts.raw(op, string(body), nil)
		code, _ := r.Body["__type"].(string)
		listed := slices.Contains(notImplemented, op)
		switch {
		case code == string(model.ErrNotImplemented):
			if !listed {
				t.Errorf("%s answers NotImplemented but is not on notImplemented: add it", op)
			}
			if r.Status != model.ErrNotImplemented.HTTPStatus() {
				t.Errorf("%s answers NotImplemented with status %d", op, r.Status)
			}
			continue
		case listed:
			t.Errorf("%s is on notImplemented but answers %d %s: take it off the list (and run go test ./server -run TestOperations -update)", op, r.Status, r.Raw)
		}
		implemented[op] = true
		switch {
		case code == "" && r.Status != 200:
			t.Errorf("%s answers %d without an error code: %s", op, r.Status, r.Raw)
		case code != "" && !slices.Contains(model.DeclaredErrors(op), model.ErrorCode(code)):
			t.Errorf("%s answers %s, which its model does not declare: %s", op, code, r.Raw)
		case takesOrg && code != string(model.ErrOrganizationNotFound):
			t.Errorf("%s with the unknown organization %s answers %d %s, want OrganizationNotFoundException", op, unknownOrg, r.Status, r.Raw)
		}
	}
	t.Logf("%d of %d operations implemented", len(implemented), len(ops))

	doc := operationsMarkdown(ops, implemented)
	if *update {
		if err := os.WriteFile(operationsDoc, doc, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if have, err := os.ReadFile(operationsDoc); err != nil || !bytes.Equal(have, doc) {
		t.Errorf("%s is stale (%v): run go test ./server -run TestOperations -update", operationsDoc, err)
	}
}

// digest is the part of the model digest (internal/model/gen, a subset of
// botocore's service-2.json) that minimalInput reads.
type digest struct {
	Operations map[string]struct {
		Input struct{ Shape string } `json:"input"`
	} `json:"operations"`
	Shapes map[string]*digestShape `json:"shapes"`
}

type digestShape struct {
	Type     string                            `json:"type"`
	Members  map[string]struct{ Shape string } `json:"members"`
	Required []string                          `json:"required"`
	Member   *struct{ Shape string }           `json:"member"`
	Enum     []string                          `json:"enum"`
	Min      *int64                            `json:"min"`
	Max      *int64                            `json:"max"`
	Pattern  string                            `json:"pattern"`
}

func readDigest(t *testing.T) *digest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "model", "gen", "model-digest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var d digest
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	return &d
}

// samples are values of the string shapes with a pattern that a minimal
// input needs; TestOperations checks each against the model's validation.
var samples = map[string]string{
	"AccessControlRuleAction":       "ActiveSync",
	"AccessControlRuleDescription":  "description",
	"AccessControlRuleName":         "rule",
	"AmazonResourceName":            "arn:aws:workmail:" + testRegion + ":" + testAccount + ":organization/" + unknownOrg,
	"ApplicationArn":                "arn:aws:sso::" + testAccount + ":application/ssoins-1234567890abcdef/apl-1234567890abcdef",
	"DeviceId":                      "device",
	"DomainName":                    "example.com",
	"EmailAddress":                  "user@example.com",
	"EntityIdentifier":              "entity",
	"GroupName":                     "group",
	"IdempotencyClientToken":        "token",
	"IdentityCenterApplicationName": "application",
	"ImpersonationRoleId":           "role",
	"ImpersonationRoleName":         "role",
	"ImpersonationRuleId":           "rule",
	"InstanceArn":                   instanceArn,
	"IpAddress":                     "192.0.2.1",
	"KmsKeyArn":                     "arn:aws:kms:" + testRegion + ":" + testAccount + ":key/key",
	"LogGroupArn":                   "arn:aws:logs:" + testRegion + ":" + testAccount + ":log-group:workmail:*",
	"MailboxExportJobId":            "job",
	"MobileDeviceAccessRuleId":      "rule",
	"MobileDeviceAccessRuleName":    "rule",
	"OrganizationId":                unknownOrg,
	"OrganizationName":              "example",
	"Password":                      "Example-Passw0rd",
	"PersonalAccessTokenId":         "token",
	"ResourceName":                  "room",
	"RoleArn":                       "arn:aws:iam::" + testAccount + ":role/workmail",
	"S3BucketName":                  "bucket",
	"S3ObjectKey":                   "prefix",
	"ShortString":                   "short",
	"UserName":                      "user",
	"WorkMailDomainName":            "example.com",
}

// minimalInput is the body of a call of op with its required members only,
// each a value meeting the model's constraints, and with OrganizationId
// (unknownOrg) whenever the input has one; takesOrg says whether it has.
func (d *digest) minimalInput(t *testing.T, op string) (body []byte, takesOrg bool) {
	t.Helper()
	in := d.Operations[op].Input.Shape
	v := d.value(t, op, in).(map[string]any)
	if m, ok := d.Shapes[in].Members["OrganizationId"]; ok {
		v["OrganizationId"], takesOrg = d.value(t, op, m.Shape), true
	}
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return body, takesOrg
}

// value is a value of shape sn meeting the model's constraints.
func (d *digest) value(t *testing.T, op, sn string) any {
	t.Helper()
	s := d.Shapes[sn]
	switch s.Type {
	case "structure":
		v := map[string]any{}
		for _, name := range s.Required {
			v[name] = d.value(t, op, s.Members[name].Shape)
		}
		return v
	case "list":
		var v []any
		for range max(1, ptrOr(s.Min, 0)) {
			v = append(v, d.value(t, op, s.Member.Shape))
		}
		return v
	case "map":
		return map[string]any{}
	case "string":
		if len(s.Enum) > 0 {
			return s.Enum[0]
		}
		if s.Pattern != "" {
			v, ok := samples[sn]
			if !ok {
				t.Fatalf("%s: no sample of string shape %s (pattern %s): add one to samples", op, sn, s.Pattern)
			}
			return v
		}
		return strings.Repeat("a", int(max(1, ptrOr(s.Min, 0))))
	case "integer", "long", "double", "float":
		switch {
		case s.Min != nil:
			return *s.Min
		case s.Max != nil && *s.Max < 1:
			return *s.Max
		}
		return 1
	case "boolean":
		return true
	case "timestamp":
		return 1700000000
	}
	t.Fatalf("%s: no minimal value of a %s", op, s.Type)
	return nil
}

func ptrOr(p *int64, def int64) int64 {
	if p == nil {
		return def
	}
	return *p
}

// operationsMarkdown is docs/operations.md: every operation by area, and
// whether workmaild implements it.
func operationsMarkdown(ops []string, implemented map[string]bool) []byte {
	byArea := map[string][]string{}
	for _, op := range ops {
		a := area(op)
		byArea[a] = append(byArea[a], op)
	}
	areas := make([]string, 0, len(byArea))
	for a := range byArea {
		areas = append(areas, a)
	}
	slices.Sort(areas)
	var b bytes.Buffer
	b.WriteString("# Operations\n\n")
	b.WriteString("<!-- Generated by `go test ./server -run TestOperations -update`; DO NOT EDIT. -->\n\n")
	fmt.Fprintf(&b, "workmaild implements %d of the %d operations of the Amazon WorkMail API\n", len(implemented), len(ops))
	if len(implemented) == len(ops) {
		b.WriteString("(2017-10-01): all of them. The test that\n")
	} else {
		b.WriteString("(2017-10-01). The others answer `NotImplemented` (HTTP 501). The test that\n")
	}
	b.WriteString("writes this file calls every operation, and fails when the file is stale.\n\n")
	b.WriteString("| Area | Implemented |\n| --- | --- |\n")
	for _, a := range areas {
		n := 0
		for _, op := range byArea[a] {
			if implemented[op] {
				n++
			}
		}
		fmt.Fprintf(&b, "| %s | %d of %d |\n", a, n, len(byArea[a]))
	}
	for _, a := range areas {
		fmt.Fprintf(&b, "\n## %s\n\n| Operation | Status |\n| --- | --- |\n", a)
		for _, op := range byArea[a] {
			status := "not implemented"
			if implemented[op] {
				status = "implemented"
			}
			fmt.Fprintf(&b, "| `%s` | %s |\n", op, status)
		}
	}
	return b.Bytes()
}

// areas group operations by the first of these words their name contains.
var areas = []struct{ word, area string }{
	{"Tag", "Tags"},
	{"Untag", "Tags"},
	{"ImpersonationRole", "Impersonation roles"},
	{"MobileDeviceAccess", "Mobile device access"},
	{"AccessControl", "Access control rules"},
	{"AvailabilityConfiguration", "Availability configurations"},
	{"IdentityCenter", "Identity Center and personal access tokens"},
	{"IdentityProvider", "Identity Center and personal access tokens"},
	{"PersonalAccessToken", "Identity Center and personal access tokens"},
	{"MailboxExportJob", "Mailbox export jobs"},
	{"Mailbox", "Mailboxes"},
	{"MailDomain", "Mail domains"},
	{"EmailMonitoring", "Email monitoring"},
	{"RetentionPolicy", "Retention policies"},
	{"InboundDmarc", "Inbound DMARC"},
	{"Alias", "Aliases"},
	{"Delegate", "Resources"},
	{"Group", "Groups"},
	{"Resource", "Resources"},
	{"User", "Users"},
	{"Password", "Users"},
	{"Entity", "Entities"},
	{"WorkMail", "Entities"},
	{"PrimaryEmailAddress", "Entities"},
	{"Organization", "Organizations"},
}

func area(op string) string {
	for _, a := range areas {
		if strings.Contains(op, a.word) {
			return a.area
		}
	}
	return "Other"
}
