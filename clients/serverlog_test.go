package clients_test

import (
	"bufio"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// scenarioCalls is what every client's scenario must make the server
// answer at least once: "Operation" for a success, "Operation:Code" for
// that error. Read from the server's own log, it proves that a suite ran
// the whole scenario (a test runner that finds no tests passes too).
func scenarioCalls() []string {
	return append([]string{
		"CreateOrganization",
		"CreateOrganization:NameAvailabilityException",
		"DescribeOrganization",
		"DescribeOrganization:OrganizationNotFoundException",
		"DescribeOrganization:InvalidParameterException",
		"ListOrganizations",
		"ListOrganizations:InvalidParameterException",
		"DeleteOrganization",
		"DeleteOrganization:OrganizationStateException",
		"CreateIdentityCenterApplication",
		"CreateIdentityCenterApplication:InvalidParameterException",
		"DeleteIdentityCenterApplication",
		"DeleteIdentityCenterApplication:OrganizationStateException",
		"PutIdentityProviderConfiguration",
		"PutIdentityProviderConfiguration:InvalidParameterException",
		"PutIdentityProviderConfiguration:ResourceNotFoundException",
		"PutIdentityProviderConfiguration:OrganizationNotFoundException",
		"PutIdentityProviderConfiguration:OrganizationStateException",
		"DescribeIdentityProviderConfiguration",
		"DescribeIdentityProviderConfiguration:ResourceNotFoundException",
		"DescribeIdentityProviderConfiguration:OrganizationStateException",
		"DeleteIdentityProviderConfiguration",
		"DeleteIdentityProviderConfiguration:OrganizationStateException",
		"CreateUser",
		"DescribeUser",
		"ListUsers",
		"UpdateUser",
		"RegisterToWorkMail",
		"ListPersonalAccessTokens",
		"ListPersonalAccessTokens:EntityNotFoundException",
		"GetPersonalAccessTokenMetadata",
		"GetPersonalAccessTokenMetadata:ResourceNotFoundException",
		"DeletePersonalAccessToken",
		"GetMailboxDetails",
		"GetMailboxDetails:EntityNotFoundException",
		"UpdateMailboxQuota",
		"UpdateMailboxQuota:InvalidParameterException",
		"UpdateMailboxQuota:EntityStateException",
		"PutMailboxPermissions",
		"PutMailboxPermissions:InvalidParameterException",
		"PutMailboxPermissions:EntityStateException",
		"ListMailboxPermissions",
		"ListMailboxPermissions:EntityNotFoundException",
		"DeleteMailboxPermissions",
		"CreateAvailabilityConfiguration",
		"CreateAvailabilityConfiguration:NameAvailabilityException",
		"UpdateAvailabilityConfiguration",
		"UpdateAvailabilityConfiguration:ResourceNotFoundException",
		"DeleteAvailabilityConfiguration",
		"ListAvailabilityConfigurations",
		"TestAvailabilityConfiguration",
		"StartMailboxExportJob",
		"StartMailboxExportJob:LimitExceededException",
		"StartMailboxExportJob:EntityNotFoundException",
		"DescribeMailboxExportJob",
		"CancelMailboxExportJob",
		"CancelMailboxExportJob:EntityNotFoundException",
		"ListMailboxExportJobs",
		"PutAccessControlRule",
		"PutAccessControlRule:InvalidParameterException",
		"ListAccessControlRules",
		"DeleteAccessControlRule",
		"GetAccessControlEffect",
		"GetAccessControlEffect:InvalidParameterException",
		"GetAccessControlEffect:EntityNotFoundException",
		"GetAccessControlEffect:ResourceNotFoundException",
		"CreateImpersonationRole",
		"UpdateImpersonationRole",
		"GetImpersonationRole",
		"ListImpersonationRoles",
		"GetImpersonationRoleEffect",
		"GetImpersonationRoleEffect:EntityNotFoundException",
		"GetImpersonationRoleEffect:EntityStateException",
		"AssumeImpersonationRole",
		"DeleteImpersonationRole",
		"PutRetentionPolicy",
		"PutRetentionPolicy:InvalidParameterException",
		"PutRetentionPolicy:LimitExceededException",
		"GetDefaultRetentionPolicy",
		"GetDefaultRetentionPolicy:EntityNotFoundException",
		"DeleteRetentionPolicy",
		"PutEmailMonitoringConfiguration",
		"PutEmailMonitoringConfiguration:InvalidParameterException",
		"DescribeEmailMonitoringConfiguration",
		"DescribeEmailMonitoringConfiguration:ResourceNotFoundException",
		"DeleteEmailMonitoringConfiguration",
		"PutInboundDmarcSettings",
		"DescribeInboundDmarcSettings",
		"TagResource",
		"TagResource:InvalidParameterException",
		"TagResource:TooManyTagsException",
		"TagResource:ResourceNotFoundException",
		"UntagResource",
		"UntagResource:ResourceNotFoundException",
		"ListTagsForResource",
		"ListTagsForResource:ResourceNotFoundException",
		"CreateMobileDeviceAccessRule",
		"CreateMobileDeviceAccessRule:InvalidParameterException",
		"CreateMobileDeviceAccessRule:LimitExceededException",
		"ListMobileDeviceAccessRules",
		"UpdateMobileDeviceAccessRule",
		"UpdateMobileDeviceAccessRule:EntityNotFoundException",
		"DeleteMobileDeviceAccessRule",
		"GetMobileDeviceAccessEffect",
		"PutMobileDeviceAccessOverride",
		"PutMobileDeviceAccessOverride:EntityStateException",
		"GetMobileDeviceAccessOverride",
		"GetMobileDeviceAccessOverride:ResourceNotFoundException",
		"ListMobileDeviceAccessOverrides",
		"DeleteMobileDeviceAccessOverride",
	}, domainCalls...)
}

// impersonationTokenPrefix starts every impersonation token; none may
// ever be logged.
const impersonationTokenPrefix = "wmimp_"

// logRecord is one line of workmaild's JSON log; requests carry the rest.
type logRecord struct {
	Level     string `json:"level"`
	Msg       string `json:"msg"`
	Operation string `json:"operation"`
	Status    int    `json:"status"`
	Account   string `json:"account"`
	Region    string `json:"region"`
	Error     string `json:"error"`
}

// checkServerLog fails the test with every problem serverLogProblems finds.
func checkServerLog(t *testing.T, log string) {
	t.Helper()
	for _, p := range serverLogProblems(log) {
		t.Error(p)
	}
}

// serverLogProblems lists what is wrong in a server log: anything logged
// at error level (an internal error, a panic, an undeclared error code), a
// request answered in another region or for the default account (the
// client did not sign as configured), an answer other than 200 or a
// modeled 400, and every one of scenarioCalls the server never answered.
func serverLogProblems(log string) []string {
	var problems []string
	seen := map[string]bool{}
	requests := 0
	lines := bufio.NewScanner(strings.NewReader(log))
	lines.Buffer(nil, 1<<20)
	for lines.Scan() {
		var r logRecord
		if err := json.Unmarshal(lines.Bytes(), &r); err != nil {
			problems = append(problems, fmt.Sprintf("server log line is not JSON (%v): %s", err, lines.Text()))
			continue
		}
		if strings.Contains(lines.Text(), impersonationTokenPrefix) {
			problems = append(problems, "server logged an impersonation token: "+lines.Text())
		}
		if r.Level == "ERROR" {
			problems = append(problems, "server logged an error: "+lines.Text())
		}
		if r.Msg != "request" {
			continue
		}
		requests++
		if r.Region != region || r.Account == "000000000000" {
			problems = append(problems, fmt.Sprintf("request signed for account %q in region %q, want a 12-digit account in %s: %s", r.Account, r.Region, region, lines.Text()))
		}
		switch {
		case r.Status == 200:
			seen[r.Operation] = true
		case r.Status == 400 && r.Error != "":
			seen[r.Operation+":"+r.Error] = true
		default:
			problems = append(problems, "unexpected answer: "+lines.Text())
		}
	}
	var missing []string
	for _, call := range scenarioCalls() {
		if !seen[call] {
			missing = append(missing, call)
		}
	}
	if len(missing) > 0 {
		problems = append(problems, fmt.Sprintf("the scenario never made the server answer %s (of %d requests)", strings.Join(missing, ", "), requests))
	}
	return problems
}

func TestServerLogProblems(t *testing.T) {
	var full strings.Builder
	for _, call := range scenarioCalls() {
		op, code, _ := strings.Cut(call, ":")
		status := 200
		if code != "" {
			status = 400
		}
		fmt.Fprintf(&full, `{"level":"INFO","msg":"request","operation":%q,"status":%d,"account":"444400000001","region":%q,"error":%q}`+"\n", op, status, region, code)
	}
	if p := serverLogProblems(full.String()); len(p) != 0 {
		t.Fatalf("a complete, clean log has problems: %v", p)
	}
	cases := map[string]string{
		"nothing ran":     "",
		"error level":     `{"level":"ERROR","msg":"operation returned an error its model does not declare"}`,
		"500":             `{"level":"INFO","msg":"request","operation":"ListOrganizations","status":500,"account":"444400000001","region":"` + region + `","error":"InternalFailure"}`,
		"default region":  `{"level":"INFO","msg":"request","operation":"ListOrganizations","status":200,"account":"444400000001","region":"us-east-1"}`,
		"default account": `{"level":"INFO","msg":"request","operation":"ListOrganizations","status":200,"account":"000000000000","region":"` + region + `"}`,
		"not JSON":        "level=INFO msg=request",
		"token logged":    `{"level":"INFO","msg":"request","operation":"ListOrganizations","status":200,"account":"444400000001","region":"` + region + `","token":"wmimp_abc.def"}`,
	}
	for name, line := range cases {
		log := full.String() + line + "\n"
		if name == "nothing ran" {
			log = ""
		}
		if p := serverLogProblems(log); len(p) == 0 {
			t.Errorf("%s: no problem found", name)
		}
	}
}
