package server_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"
	"github.com/aws/aws-sdk-go-v2/service/workmail/types"

	"github.com/workmaild/workmaild/server"
)

func deepJSON(depth int) string {
	return `{"Alias":"deep","Unknown":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`
}

func TestJSONDepthLimit(t *testing.T) {
	ts := startServer(t, server.Options{})
	// Unknown members are ignored, but not read without bound.
	r := ts.raw("CreateOrganization", deepJSON(65), nil)
	wantRawError(t, r, 400, "SerializationException", "deeper than 64 levels")
	r = ts.raw("CreateOrganization", deepJSON(64), nil)
	if r.Status != http.StatusOK {
		t.Fatalf("64 levels refused: %d %s", r.Status, r.Raw)
	}
	// Through the real client: WorkMail's own nesting is far below it.
	_, err := ts.defaultClient().CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{
		Alias:   aws.String("nested"),
		Domains: []types.Domain{{DomainName: aws.String("example.com"), HostedZoneId: aws.String("Z1")}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestMaxBodyBytesOption(t *testing.T) {
	ts := startServer(t, server.Options{MaxBodyBytes: 100})
	_, err := ts.defaultClient().CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{
		Alias: aws.String("a"), KmsKeyArn: aws.String("arn:aws:kms:us-east-1:111122223333:key/" + strings.Repeat("0", 64)),
	})
	wantAPIError(t, err, "RequestEntityTooLargeException", "100 bytes")
	if _, err := ts.defaultClient().CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{Alias: aws.String("small")}); err != nil {
		t.Fatal(err)
	}
}

// A client may announce any Content-Length; the answer comes at once,
// before any of the body is read.
func TestAnnouncedHugeBody(t *testing.T) {
	ts := startServer(t, server.Options{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_, err = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"+
		"X-Amz-Target: WorkMailService.ListOrganizations\r\nContent-Length: 1099511627776\r\n\r\n{")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "RequestEntityTooLargeException") {
		t.Fatalf("got %d %s", resp.StatusCode, body)
	}
}
