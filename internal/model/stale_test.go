package model

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
)

// TestGeneratedFilesAreFresh re-runs the generator and fails when a
// committed *_gen.go file differs from what the model produces, is missing,
// or is left over. It needs the model; without it the test fails, because a
// skipped check would let stale code through unnoticed.
func TestGeneratedFilesAreFresh(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is needed to run the generator: %v", err)
	}
	models := modelDir(t)
	// The generator's inputs are read here, not only by the child process,
	// so that go test's cache sees them: a cached pass must not survive a
	// change to the model or to the generator.
	inputs, _ := filepath.Glob(filepath.Join("gen", "*.go"))
	inputs = append(inputs, filepath.Join(models, "service-2.json"), filepath.Join(models, "paginators-1.json"))
	for _, in := range inputs {
		if _, err := os.ReadFile(in); err != nil {
			t.Fatalf("cannot read the generator's input: %v\n"+
				"The WorkMail models must be at ../shared/aws-models/workmail beside the repository root, "+
				"or in the directory named by WORKMAILD_MODELS.", err)
		}
	}

	dir := t.TempDir()
	cmd := exec.Command(goTool, "run", "./gen", "-out", dir)
	cmd.Env = append(os.Environ(), "WORKMAILD_MODELS="+models)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("running the generator failed: %v\n%s", err, out)
	}
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

// modelDir finds the models as the generator does: $WORKMAILD_MODELS, or
// ../shared/aws-models/workmail beside the directory holding go.mod.
func modelDir(t *testing.T) string {
	t.Helper()
	if dir := os.Getenv("WORKMAILD_MODELS"); dir != "" {
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "aws-models", "workmail")
		}
		if filepath.Dir(dir) == dir {
			t.Fatal("no go.mod above the package directory: cannot find the repository root")
		}
		dir = filepath.Dir(dir)
	}
}
