package policy

import (
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"slices"
	"testing"
)

// caseTable is access_cases.json, the evaluation table every suite runs:
// here on the functions, in server/ through aws-sdk-go-v2 and in clients/
// through the real clients.
type caseTable struct {
	Users         []string            `json:"users"`
	DisabledUsers []string            `json:"disabledUsers"`
	Roles         []string            `json:"roles"`
	Access        []accessCase        `json:"access"`
	Impersonation []impersonationCase `json:"impersonation"`
}

type accessCase struct {
	Name  string `json:"name"`
	Rules []struct {
		Name, Effect                                  string
		IpRanges, NotIpRanges, Actions, NotActions    []string
		UserIds, NotUserIds                           []string
		ImpersonationRoleIds, NotImpersonationRoleIds []string
	} `json:"rules"`
	Checks []struct {
		IP      string   `json:"ip"`
		Action  string   `json:"action"`
		User    string   `json:"user"`
		Role    string   `json:"role"`
		Effect  string   `json:"effect"`
		Matched []string `json:"matched"`
		Error   string   `json:"error"`
	} `json:"checks"`
}

type impersonationCase struct {
	Name  string `json:"name"`
	Rules []struct {
		ImpersonationRuleId, Name, Effect string
		TargetUsers, NotTargetUsers       []string
	} `json:"rules"`
	Checks []struct {
		Target  string   `json:"target"`
		Effect  string   `json:"effect"`
		Matched []string `json:"matched"`
		Error   string   `json:"error"`
	} `json:"checks"`
}

func readCases(t *testing.T) caseTable {
	t.Helper()
	raw, err := os.ReadFile("access_cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var tab caseTable
	if err := json.Unmarshal(raw, &tab); err != nil {
		t.Fatal(err)
	}
	if len(tab.Access) == 0 || len(tab.Impersonation) == 0 {
		t.Fatal("access_cases.json has no cases")
	}
	return tab
}

// ids stands for the directory: the suite's names become ids here as the
// service would resolve them.
func ids(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "id-" + n
	}
	return out
}

func id(name string) string {
	if name == "" {
		return ""
	}
	return "id-" + name
}

func TestEvaluateAccessTable(t *testing.T) {
	tab := readCases(t)
	for _, c := range tab.Access {
		t.Run(c.Name, func(t *testing.T) {
			var rules []AccessRule
			for _, r := range c.Rules {
				rule := AccessRule{Name: r.Name, Effect: AccessEffect(r.Effect),
					IPRanges: r.IpRanges, NotIPRanges: r.NotIpRanges, Actions: r.Actions, NotActions: r.NotActions,
					UserIDs: ids(r.UserIds), NotUserIDs: ids(r.NotUserIds),
					ImpersonationRoleIDs: ids(r.ImpersonationRoleIds), NotImpersonationRoleIDs: ids(r.NotImpersonationRoleIds)}
				if err := CheckAccessRule(rule); err != nil {
					t.Fatalf("rule %s: %v", r.Name, err)
				}
				rules = append(rules, rule)
			}
			for _, ch := range c.Checks {
				q := AccessRequest{IP: netip.MustParseAddr(ch.IP), Action: ch.Action, UserID: id(ch.User), ImpersonationRoleID: id(ch.Role)}
				err := q.Check()
				switch ch.Error {
				case "InvalidParameterException":
					if err == nil {
						t.Errorf("%+v: Check passed, want an error", ch)
					}
					continue
				case "EntityNotFoundException", "ResourceNotFoundException":
					// Whether a user or role exists is the directory's to say;
					// to the rules it is a principal no rule names.
					if err != nil {
						t.Errorf("%+v: Check: %v", ch, err)
					}
					continue
				}
				if err != nil {
					t.Errorf("%+v: Check: %v", ch, err)
					continue
				}
				d := EvaluateAccess(rules, q)
				if string(d.Effect) != ch.Effect || !slices.Equal(d.MatchedRules, ch.Matched) || d.MatchedRules == nil {
					t.Errorf("%s %s user=%q role=%q: %s %q, want %s %q", ch.IP, ch.Action, ch.User, ch.Role, d.Effect, d.MatchedRules, ch.Effect, ch.Matched)
				}
			}
		})
	}
}

func TestEvaluateImpersonationTable(t *testing.T) {
	tab := readCases(t)
	for _, c := range tab.Impersonation {
		t.Run(c.Name, func(t *testing.T) {
			var rules []ImpersonationRule
			names := map[string]string{}
			for _, r := range c.Rules {
				rules = append(rules, ImpersonationRule{ID: r.ImpersonationRuleId, Name: r.Name, Effect: AccessEffect(r.Effect),
					TargetUserIDs: ids(r.TargetUsers), NotTargetUserIDs: ids(r.NotTargetUsers)})
				names[r.ImpersonationRuleId] = r.Name
			}
			for _, ch := range c.Checks {
				if ch.Error != "" {
					continue // unknown and disabled targets are the directory's to refuse
				}
				d := EvaluateImpersonation(rules, id(ch.Target))
				want := []ImpersonationMatch{}
				for _, m := range ch.Matched {
					want = append(want, ImpersonationMatch{ID: m, Name: names[m]})
				}
				if string(d.Effect) != ch.Effect || !slices.Equal(d.MatchedRules, want) || d.MatchedRules == nil {
					t.Errorf("target %s: %s %v, want %s %v", ch.Target, d.Effect, d.MatchedRules, ch.Effect, want)
				}
			}
		})
	}
}

// The table's users and roles must be what its cases name, so that every
// suite creates all of them.
func TestCaseTableNames(t *testing.T) {
	tab := readCases(t)
	known := map[string]bool{"nobody-in-this-org": true, "ghost": true, "": true}
	for _, n := range slices.Concat(tab.Users, tab.DisabledUsers, tab.Roles) {
		known[n] = true
	}
	for _, c := range tab.Access {
		for _, r := range c.Rules {
			for _, n := range slices.Concat(r.UserIds, r.NotUserIds, r.ImpersonationRoleIds, r.NotImpersonationRoleIds) {
				if !known[n] {
					t.Errorf("%s names %q, which the table does not create", c.Name, n)
				}
			}
		}
		for _, ch := range c.Checks {
			if !known[ch.User] || !known[ch.Role] {
				t.Errorf("%s checks %q/%q, which the table does not create", c.Name, ch.User, ch.Role)
			}
		}
	}
}

func TestAccessRequestCheck(t *testing.T) {
	ip := netip.MustParseAddr("192.0.2.1")
	for _, tc := range []struct {
		q    AccessRequest
		want error
	}{
		{AccessRequest{IP: ip, Action: ActionIMAP, UserID: "u"}, nil},
		{AccessRequest{IP: ip, Action: ActionEWS, ImpersonationRoleID: "r"}, nil},
		{AccessRequest{IP: netip.MustParseAddr("::ffff:192.0.2.1"), Action: ActionSMTP, UserID: "u"}, nil},
		{AccessRequest{IP: ip, Action: ActionIMAP}, ErrAccessPrincipal},
		{AccessRequest{IP: ip, Action: ActionEWS, UserID: "u", ImpersonationRoleID: "r"}, ErrAccessPrincipal},
		{AccessRequest{IP: ip, Action: ActionSMTP, ImpersonationRoleID: "r"}, ErrAccessRoleEWS},
		{AccessRequest{IP: ip, Action: "imap", UserID: "u"}, ErrAccessAction},
		{AccessRequest{IP: netip.MustParseAddr("2001:db8::1"), Action: ActionIMAP, UserID: "u"}, ErrAccessIP},
		{AccessRequest{Action: ActionIMAP, UserID: "u"}, ErrAccessIP},
	} {
		if err := tc.q.Check(); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%+v: %v, want %v", tc.q, err, tc.want)
		}
	}
}

// A mail login reaches the same evaluation with its own action and the
// client's address, IPv4-mapped or not.
func TestEvaluateAccessForLogins(t *testing.T) {
	rules := []AccessRule{
		{Name: "no-smtp-outside", Effect: AccessDeny, Actions: []string{ActionSMTP}, NotIPRanges: []string{"10.0.0.0/8"}},
		DefaultAccessRule(),
	}
	for _, tc := range []struct {
		ip, action string
		want       AccessEffect
	}{
		{"10.1.2.3", ActionSMTP, AccessAllow},
		{"::ffff:10.1.2.3", ActionSMTP, AccessAllow},
		{"192.0.2.1", ActionSMTP, AccessDeny},
		{"192.0.2.1", ActionIMAP, AccessAllow},
	} {
		q := AccessRequest{IP: netip.MustParseAddr(tc.ip), Action: tc.action, UserID: "u"}
		if d := EvaluateAccess(rules, q); d.Effect != tc.want {
			t.Errorf("%s %s: %s, want %s", tc.ip, tc.action, d.Effect, tc.want)
		}
	}
}

func TestCheckAccessRule(t *testing.T) {
	good := AccessRule{Name: "r", Effect: AccessDeny, IPRanges: []string{"10.0.0.0/8", "192.0.2.1/32"}, Actions: AccessActions()}
	if err := CheckAccessRule(good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []AccessRule{
		{Name: "r", Effect: "MAYBE"},
		{Name: "r", Effect: AccessAllow, Actions: []string{"Imap"}},
		{Name: "r", Effect: AccessAllow, NotActions: []string{"POP"}},
		{Name: "r", Effect: AccessAllow, IPRanges: []string{"10.0.0.0/33"}},
		{Name: "r", Effect: AccessAllow, NotIPRanges: []string{"2001:db8::/32"}},
	} {
		if err := CheckAccessRule(bad); !errors.Is(err, ErrAccessRule) {
			t.Errorf("%+v: %v, want ErrAccessRule", bad, err)
		}
	}
}
