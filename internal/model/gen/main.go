// Command gen writes the generated files of package model from the botocore
// WorkMail model (service-2.json and paginators-1.json).
//
// It reads the model from <repository root>/../shared/aws-models/workmail,
// where the repository root is the nearest directory above the working
// directory holding go.mod, or from $WORKMAILD_MODELS when set. The models
// are deliberately not copied into the repository; only the Go generated
// from them is committed. Run it with `go generate ./internal/model`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

func main() {
	out := flag.String("out", ".", "directory to write the generated files into")
	flag.Parse()
	if err := run(*out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out string) error {
	dir, err := modelDir()
	if err != nil {
		return err
	}
	a, err := load(dir)
	if err != nil {
		return err
	}
	validators, err := genValidators(a)
	if err != nil {
		return err
	}
	encoders, err := genEncoders(a)
	if err != nil {
		return err
	}
	files := map[string]*source{
		"types_gen.go":      genTypes(a),
		"validate_gen.go":   validators,
		"encode_gen.go":     encoders,
		"errors_gen.go":     genErrors(a),
		"operations_gen.go": genOperations(a),
	}
	for _, name := range sortedKeys(files) {
		b, err := files[name].format()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// modelDir finds the directory holding service-2.json.
func modelDir() (string, error) {
	dir := os.Getenv("WORKMAILD_MODELS")
	if dir == "" {
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "..", "shared", "aws-models", "workmail")
	}
	if _, err := os.Stat(filepath.Join(dir, "service-2.json")); err != nil {
		return "", fmt.Errorf("WorkMail model not found: %w\n"+
			"the generator reads service-2.json and paginators-1.json from ../shared/aws-models/workmail\n"+
			"beside the repository, or from the directory named by WORKMAILD_MODELS", err)
	}
	return dir, nil
}

// repoRoot walks up from the working directory to the one holding go.mod.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: cannot find the repository root")
		}
		dir = parent
	}
}
