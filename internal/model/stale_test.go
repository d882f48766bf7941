package model

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// modelsEnv names the directory of the AWS models (service-2.json,
// paginators-1.json and the Smithy JSON model), as for the generator.
const modelsEnv = "WORKMAILD_MODELS"

// TestGeneratedFilesAreFresh checks the generated code in two steps.
//
// In every clone, the committed *_gen.go files must be what the generator
// writes from the committed model digest (gen/model-digest.json): none
// stale, missing or left over.
//
// Where the AWS models are found, the digest itself must be what the
// generator extracts from them. They are looked for where the generator
// looks: in $WORKMAILD_MODELS, which then must hold them (the test fails
// otherwise; scripts/test sets it), or else in
// ../shared/aws-models/workmail beside the repository root. A clone
// without them has nothing to compare the digest with, and says so in the
// log.
func TestGeneratedFilesAreFresh(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the generator: %v", err)
	}
	digest := filepath.Join("gen", "model-digest.json")
	// The generator's inputs are read here, not only by the child process,
	// so that go test's cache sees them: a cached pass must not survive a
	// change to the digest, the models or the generator.
	inputs, _ := filepath.Glob(filepath.Join("gen", "*.go"))
	for _, in := range append(inputs, digest) {
		if _, err := os.ReadFile(in); err != nil {
			t.Fatalf("cannot read the generator's input: %v", err)
		}
	}
	tmp := t.TempDir()
	gen := filepath.Join(tmp, "gen")
	if out, err := exec.Command(goTool, "build", "-o", gen, "./gen").CombinedOutput(); err != nil {
		t.Fatalf("building the generator failed: %v\n%s", err, out)
	}

	t.Run("code", func(t *testing.T) {
		out := filepath.Join(tmp, "code")
		runGen(t, gen, nil, "-no-models", "-digest", digest, "-out", out)
		compareGenerated(t, out)
	})

	t.Run("digest", func(t *testing.T) {
		models, ok := modelDir(t)
		if !ok {
			t.Logf("no WorkMail models at %s and $%s is unset: the digest is not compared with them", models, modelsEnv)
			return
		}
		smithy, _ := filepath.Glob(filepath.Join(models, "*.smithy.json"))
		for _, path := range append(smithy, filepath.Join(models, "service-2.json"), filepath.Join(models, "paginators-1.json")) {
			if _, err := os.ReadFile(path); err != nil {
				t.Fatalf("cannot read the model: %v", err)
			}
		}
		fresh := filepath.Join(tmp, "model-digest.json")
		out := filepath.Join(tmp, "from-models")
		runGen(t, gen, []string{modelsEnv + "=" + models}, "-digest", fresh, "-out", out)
		want, err := os.ReadFile(fresh)
		if err != nil {
			t.Fatal(err)
		}
		if have, _ := os.ReadFile(digest); !bytes.Equal(want, have) {
			t.Errorf("%s is stale: it is not what the models in %s make; run go generate ./internal/model", digest, models)
		}
		compareGenerated(t, out)
	})
}

// runGen runs the generator with args, out being the value of its -out
// flag, and env added to its environment.
func runGen(t *testing.T, gen string, env []string, args ...string) {
	t.Helper()
	if err := os.MkdirAll(args[len(args)-1], 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gen, args...)
	cmd.Env = append(os.Environ(), env...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running the generator failed: %v\n%s", err, b)
	}
}

// compareGenerated fails when a committed *_gen.go file differs from the
// one in dir, is missing, or is no longer generated.
func compareGenerated(t *testing.T, dir string) {
	t.Helper()
	want := genFiles(t, dir)
	have := genFiles(t, ".")
	if len(want) == 0 {
		t.Fatal("the generator wrote no *_gen.go files")
	}
	for _, name := range want {
		fresh, _ := os.ReadFile(filepath.Join(dir, name))
		committed, err := os.ReadFile(name)
		switch {
		case err != nil:
			t.Errorf("%s is missing: run go generate ./internal/model", name)
		case !bytes.Equal(fresh, committed):
			t.Errorf("%s is stale: run go generate ./internal/model", name)
		}
	}
	for _, name := range have {
		if !slices.Contains(want, name) {
			t.Errorf("%s is no longer generated: delete it", name)
		}
	}
}

func genFiles(t *testing.T, dir string) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*_gen.go"))
	if err != nil {
		t.Fatal(err)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return names
}

// modelDir finds the models as the generator does. It returns the
// directory and true when they are there to compare with; a missing
// default directory is (dir, false); a $WORKMAILD_MODELS naming a
// directory without them fails the test, so that a run meant to check the
// digest cannot quietly check nothing.
func modelDir(t *testing.T) (string, bool) {
	t.Helper()
	if dir := os.Getenv(modelsEnv); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(filepath.Join(abs, "service-2.json")); err != nil {
			t.Fatalf("$%s is set, but the WorkMail models are not there: %v", modelsEnv, err)
		}
		return abs, true
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			models := filepath.Join(dir, "..", "shared", "aws-models", "workmail")
			_, err := os.Stat(filepath.Join(models, "service-2.json"))
			return filepath.Clean(models), err == nil
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the package directory: cannot find the repository root")
		}
		dir = filepath.Dir(dir)
	}
}
