package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/workmail"

	"github.com/workmaild/workmaild/internal/socketmap"
)

// TestServeSocketmap: --socketmap-addr serves Postfix's lookups of mail
// routing beside the API, from the same store, and stops with the server.
func TestServeSocketmap(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--in-memory", "--socketmap-addr", addr)
	if _, err := p.client().CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{Alias: aws.String("postfix-asks")}); err != nil {
		t.Fatal(err)
	}
	conn := dialSoon(t, addr)
	defer conn.Close()
	r := bufio.NewReader(conn)
	ask := func(req string) string {
		t.Helper()
		if err := socketmap.WriteNetstring(conn, req); err != nil {
			t.Fatal(err)
		}
		answer, err := socketmap.ReadNetstring(r)
		if err != nil {
			t.Fatal(err)
		}
		return answer
	}
	if got := ask("domains postfix-asks.awsapps.com"); got != "OK postfix-asks.awsapps.com" {
		t.Errorf("domains lookup answered %q", got)
	}
	if got := ask("domains elsewhere.example"); !strings.HasPrefix(got, "NOTFOUND") {
		t.Errorf("unknown domain answered %q", got)
	}
	p.stop(t)
	if _, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		t.Error("the socketmap listener is still open after the server stopped")
	}
}

// TestServeMilterSurvivesBadInput: --milter-addr serves beside the API;
// bytes that are not the milter protocol close that connection only.
func TestServeMilterSurvivesBadInput(t *testing.T) {
	bin := buildBinary(t)
	addr := freeAddr(t)
	p := start(t, bin, nil, "serve", "--addr", "127.0.0.1:0", "--in-memory", "--milter-addr", addr)
	conn := dialSoon(t, addr)
	for _, junk := range []string{"\xff\xff\xff\xffjunk", "\x00\x00\x00\x00", "\x00\x00\x00\x02Z!", "GET / HTTP/1.1\r\n\r\n"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte(junk))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		io.Copy(io.Discard, c) // the server closes it
		c.Close()
	}
	conn.Close()
	if _, err := p.client().CreateOrganization(context.Background(), &workmail.CreateOrganizationInput{Alias: aws.String("still-here")}); err != nil {
		t.Fatalf("after bad milter input the API fails: %v", err)
	}
	p.stop(t)
}

// freeAddr is a loopback address with a port nobody listens on now.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// dialSoon connects to addr, waiting a second at most for it to listen:
// the mail listeners open just after the API's listening line.
func dialSoon(t *testing.T, addr string) net.Conn {
	t.Helper()
	for i := 0; ; i++ {
		conn, err := net.Dial("tcp", addr)
		if err == nil {
			return conn
		}
		if i == 50 {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
