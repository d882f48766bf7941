package server

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/workmaild/workmaild/internal/respcache"
	"github.com/workmaild/workmaild/internal/store"
)

// These tests look inside the server: they show that repeated reads are
// answered from the response cache, and that a write takes the answer
// away. (The black-box tests show the answers are right either way.)

const cacheTestAuth = "AWS4-HMAC-SHA256 Credential=111122223333/20261126/us-east-1/workmail/aws4_request, " +
	"SignedHeaders=content-type;host;x-amz-date;x-amz-target, " +
	"Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"

func cacheTestCall(t *testing.T, s *Server, op string, in any) (int, map[string]any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/x-amz-json-1.1")
	r.Header.Set("X-Amz-Target", "WorkMailService."+op)
	r.Header.Set("X-Amz-Date", "20261126T120000Z")
	r.Header.Set("Authorization", cacheTestAuth)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, r)
	var out map[string]any
	_ = json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out
}

func TestRepeatedReadsAreCached(t *testing.T) {
	for _, noCache := range []bool{false, true} {
		s, err := New(Options{DataDir: t.TempDir(), NoResponseCache: noCache})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		call := func(op string, in any) map[string]any {
			t.Helper()
			code, out := cacheTestCall(t, s, op, in)
			if code != http.StatusOK {
				t.Fatalf("%s: %d %v", op, code, out)
			}
			return out
		}
		org := call("CreateOrganization", map[string]any{"Alias": "cached"})["OrganizationId"].(string)
		app := call("CreateIdentityCenterApplication", map[string]any{"Name": "WorkMail", "InstanceArn": "arn:aws:sso:::instance/ssoins-1111111111111111"})["ApplicationArn"].(string)
		put := func(days int) {
			call("PutIdentityProviderConfiguration", map[string]any{
				"OrganizationId":                   org,
				"AuthenticationMode":               "IDENTITY_PROVIDER_ONLY",
				"IdentityCenterConfiguration":      map[string]any{"InstanceArn": "arn:aws:sso:::instance/ssoins-1111111111111111", "ApplicationArn": app},
				"PersonalAccessTokenConfiguration": map[string]any{"Status": "ACTIVE", "LifetimeInDays": days},
			})
		}
		describe := map[string]any{"OrganizationId": org}
		body, _ := json.Marshal(describe)
		key, _ := respcache.AppendKey(nil, store.Partition{Account: "111122223333", Region: "us-east-1"}, "DescribeIdentityProviderConfiguration", body)
		cached := func() bool {
			if s.answers == nil {
				return false
			}
			_, ok := s.answers.Lookup(s.answers.Begin(), key)
			return ok
		}
		days := func() float64 {
			return call("DescribeIdentityProviderConfiguration", describe)["PersonalAccessTokenConfiguration"].(map[string]any)["LifetimeInDays"].(float64)
		}

		put(30)
		if cached() {
			t.Fatal("an answer is cached before the first read")
		}
		if d := days(); d != 30 {
			t.Fatalf("LifetimeInDays = %v, want 30", d)
		}
		if cached() == noCache {
			t.Fatalf("NoResponseCache=%v, yet cached = %v after a read", noCache, !noCache)
		}
		if d := days(); d != 30 {
			t.Fatalf("LifetimeInDays from the cache = %v, want 30", d)
		}
		put(60)
		if cached() {
			t.Fatal("the answer outlived a write")
		}
		if d := days(); d != 60 {
			t.Fatalf("LifetimeInDays after a write = %v, want 60", d)
		}
		// Errors are never cached.
		missing := map[string]any{"OrganizationId": "m-00000000000000000000000000000000"}
		for range 2 {
			if code, _ := cacheTestCall(t, s, "DescribeIdentityProviderConfiguration", missing); code != http.StatusBadRequest {
				t.Fatalf("missing organization: status %d", code)
			}
		}
		mb, _ := json.Marshal(missing)
		mk, _ := respcache.AppendKey(nil, store.Partition{Account: "111122223333", Region: "us-east-1"}, "DescribeIdentityProviderConfiguration", mb)
		if s.answers != nil {
			if _, ok := s.answers.Lookup(s.answers.Begin(), mk); ok {
				t.Fatal("an error answer was cached")
			}
		}
	}
}
