// Package clients_test runs one conformance scenario through every real
// AWS client that drives WorkMail: the AWS CLI v2 and boto3 (Debian's
// awscli and python3-boto3), the JavaScript SDK v3 (clients/js, pinned by
// its lockfile) and aws-sdk-go-v2. Each client gets the real workmaild
// binary, on a free port with a fresh data directory.
//
// The suites are a module of their own, so that go test ./... in the
// repository needs none of the clients: run them with go test ./... in
// this directory. A missing client fails its subtest with what to
// install; nothing is skipped. ./scripts/test installs the clients before
// running both modules' tests.
package clients_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// region is deliberately not us-east-1, so that a client or server falling
// back to a default region shows in the ARNs.
const region = "eu-west-1"

// suiteTimeout bounds each command a suite runs; the CLI's are the
// slowest, one Python process per aws call.
const suiteTimeout = 20 * time.Minute

func TestClients(t *testing.T) {
	root := repoRoot(t)
	readInputs(t, root)
	bin := buildWorkmaild(t, root)
	env := clientEnv(t, root)

	t.Run("aws-cli-v2", func(t *testing.T) {
		t.Parallel()
		cli := tool(t, "WORKMAILD_AWS_CLI", "/usr/bin/aws", "the AWS CLI v2: apt-get install awscli")
		python := tool(t, "WORKMAILD_PYTHON", "/usr/bin/python3", "Python 3: apt-get install python3")
		env := append(env, "WORKMAILD_AWS_CLI="+cli)
		withWorkmaild(t, bin, func(t *testing.T, url string) {
			runPythonTests(t, python, filepath.Join(root, "clients", "cli"), append(env, "WORKMAILD_ENDPOINT="+url))
		})
	})
	t.Run("boto3", func(t *testing.T) {
		t.Parallel()
		python := tool(t, "WORKMAILD_PYTHON", "/usr/bin/python3", "Python 3: apt-get install python3")
		if out, err := exec.Command(python, "-c", "import boto3").CombinedOutput(); err != nil {
			t.Fatalf("%s cannot import boto3 (%v): apt-get install python3-boto3, or run ./scripts/test\n%s", python, err, out)
		}
		withWorkmaild(t, bin, func(t *testing.T, url string) {
			runPythonTests(t, python, filepath.Join(root, "clients", "python"), append(env, "WORKMAILD_ENDPOINT="+url))
		})
	})
	t.Run("js-sdk-v3", func(t *testing.T) {
		t.Parallel()
		node := tool(t, "", "node", "Node.js 20 or newer: apt-get install nodejs npm")
		dir := filepath.Join(root, "clients", "js")
		if _, err := os.Stat(filepath.Join(dir, "node_modules", "@aws-sdk", "client-workmail", "package.json")); err != nil {
			t.Fatalf("@aws-sdk/client-workmail is not installed: run npm ci in clients/js, or ./scripts/test (%v)", err)
		}
		withWorkmaild(t, bin, func(t *testing.T, url string) {
			runCommand(t, dir, append(env, "WORKMAILD_ENDPOINT="+url), node, "--test", "--test-reporter=spec", "test/")
		})
	})
	t.Run("go-sdk-v2", func(t *testing.T) {
		t.Parallel()
		withWorkmaild(t, bin, goScenario)
	})
}

// clientEnv is the environment of a client suite: none of the caller's
// AWS, WorkMail or Python settings, the WorkMail model on AWS_DATA_PATH, the
// test region, and no configuration or credentials file.
func clientEnv(t *testing.T, root string) []string {
	t.Helper()
	empty := filepath.Join(t.TempDir(), "none")
	env := append(withoutPrefixes(os.Environ(), "AWS_", "WORKMAILD_", "PYTHON"),
		"AWS_DATA_PATH="+awsDataPath(t, root),
		"AWS_DEFAULT_REGION="+region,
		"AWS_REGION="+region,
		"AWS_CONFIG_FILE="+empty,
		"AWS_SHARED_CREDENTIALS_FILE="+empty,
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_PAGER=",
		"PYTHONDONTWRITEBYTECODE=1",
	)
	return slices.Clip(env) // parallel subtests append to it
}

// tool is the path of a client program: $override when set, else def.
// A missing one fails the test with how to install it.
func tool(t *testing.T, override, def, install string) string {
	t.Helper()
	name := def
	if v := os.Getenv(override); override != "" && v != "" {
		name = v
	}
	path, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is missing (%v); install %s, or run ./scripts/test", name, err, install)
	}
	return path
}

// withWorkmaild runs one client's suite against a fresh workmaild, then
// stops the server and checks its log (checkServerLog).
func withWorkmaild(t *testing.T, bin string, suite func(t *testing.T, url string)) {
	t.Helper()
	srv := startWorkmaild(t, bin)
	suite(t, srv.URL)
	srv.Stop(t)
	checkServerLog(t, srv.Log.String())
}

// runCommand runs a suite's command in dir; its whole output is the
// failure message.
func runCommand(t *testing.T, dir string, env []string, name string, args ...string) {
	t.Helper()
	out, err := command(dir, env, name, args...)
	if err != nil {
		t.Fatalf("%s %s in %s failed: %v\n%s", name, strings.Join(args, " "), dir, err, out)
	}
	t.Logf("%s", out)
}

// command runs name in dir with env, within suiteTimeout, and returns its
// combined output.
func command(dir string, env []string, name string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), suiteTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = env
	return cmd.CombinedOutput()
}

// listPythonTests prints the id of every test unittest discovers in the
// current directory, one a line. A module that fails to import is listed
// as a test that fails, so it cannot go unnoticed.
const listPythonTests = `import unittest
def walk(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from walk(t)
        else:
            yield t.id()
print("\n".join(walk(unittest.defaultTestLoader.discover("."))))`

// runPythonTests runs every unittest test in dir at once, one process
// each, and reports each as a subtest. The tests use distinct accounts, so
// they share the server; at once, the CLI suite (one Python process per
// aws call) takes the time of its longest test instead of their sum.
// Goroutines, not t.Parallel, run them: go test's -parallel (GOMAXPROCS
// by default) would queue the processes behind the other clients' tests.
func runPythonTests(t *testing.T, python, dir string, env []string) {
	t.Helper()
	out, err := command(dir, env, python, "-c", listPythonTests)
	if err != nil {
		t.Fatalf("listing the tests in %s: %v\n%s", dir, err, out)
	}
	ids := strings.Fields(string(out))
	if len(ids) == 0 {
		t.Fatalf("no tests found in %s", dir)
	}
	type result struct {
		out []byte
		err error
	}
	results := make([]result, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			out, err := command(dir, env, python, "-m", "unittest", "-v", id)
			results[i] = result{out, err}
		})
	}
	wg.Wait()
	for i, id := range ids {
		t.Run(id, func(t *testing.T) {
			if err := results[i].err; err != nil {
				t.Fatalf("%s -m unittest %s failed: %v\n%s", python, id, err, results[i].out)
			}
			t.Logf("%s", results[i].out)
		})
	}
}

// awsDataPath lays out the WorkMail model the way botocore looks for it,
// <dir>/workmail/2017-10-01/{service-2.json,paginators-1.json}, from
// ../shared/aws-models/workmail (or $WORKMAILD_MODELS), so that the CLI
// and boto3 know the newest operations whatever their age.
func awsDataPath(t *testing.T, root string) string {
	t.Helper()
	src := os.Getenv("WORKMAILD_MODELS")
	if src == "" {
		src = filepath.Join(root, "..", "shared", "aws-models", "workmail")
	}
	dir := t.TempDir()
	dst := filepath.Join(dir, "workmail", "2017-10-01")
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"service-2.json", "paginators-1.json"} {
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatalf("the WorkMail model must be at ../shared/aws-models/workmail beside the repository root, or in $WORKMAILD_MODELS: %v", err)
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// readInputs reads every file the result depends on that go test cannot
// see (the server's sources, built by a child process, and the suites),
// so that a cached pass never outlives a change to one of them.
func readInputs(t *testing.T, root string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "testdata":
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(path) {
		case ".go", ".py", ".mjs", ".json", ".mod", ".sum":
			_, err = os.ReadFile(path)
		}
		return err
	})
	if err == nil {
		// The one testdata file a suite reads: boto3 runs the evaluation table.
		_, err = os.ReadFile(filepath.Join(root, "internal", "policy", "testdata", "mobile-cases.json"))
	}
	if err != nil {
		t.Fatal(fmt.Errorf("reading the suites' inputs: %w", err))
	}
}
