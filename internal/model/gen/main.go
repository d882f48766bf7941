// Command gen writes the generated files of package model from the model
// digest, model-digest.json beside it: the facts of the WorkMail service
// model that the Go is made of, without the model's documentation (see
// digest.go).
//
// When the AWS models are present it first refreshes the digest from
// them: botocore's service-2.json and paginators-1.json and the Smithy
// JSON model, read from <repository root>/../shared/aws-models/workmail,
// where the repository root is the nearest directory above the working
// directory holding go.mod, or from $WORKMAILD_MODELS when set (then they
// must be there). Without them it generates from the committed digest. The
// models themselves are deliberately not copied into the repository. Run
// it with `go generate ./internal/model`.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// modelsEnv names the directory of the AWS models, overriding the default.
const modelsEnv = "WORKMAILD_MODELS"

func main() {
	out := flag.String("out", ".", "directory to write the generated files into")
	digest := flag.String("digest", filepath.Join("gen", "model-digest.json"), "the model digest: written from the models when they are found, then read")
	noModels := flag.Bool("no-models", false, "generate from the digest as it is, without looking for the models")
	flag.Parse()
	if err := run(*out, *digest, *noModels); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(out, digestPath string, noModels bool) error {
	if !noModels {
		dir, err := modelDir()
		switch {
		case errors.Is(err, fs.ErrNotExist):
			fmt.Fprintf(os.Stderr, "gen: %v; generating from %s as committed\n", err, digestPath)
		case err != nil:
			return err
		default:
			d, err := extract(dir)
			if err != nil {
				return err
			}
			if err := os.WriteFile(digestPath, d, 0o644); err != nil {
				return err
			}
		}
	}
	d, err := os.ReadFile(digestPath)
	if err != nil {
		return err
	}
	a, err := parse(d)
	if err != nil {
		return err
	}
	return generate(a, out)
}

// generate writes every generated file of package model into out.
func generate(a *api, out string) error {
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

// modelDir finds the directory holding the AWS models. An error wrapping
// fs.ErrNotExist means they are not in the default place and
// $WORKMAILD_MODELS is unset: nothing to refresh the digest from. Any other
// error, a missing directory that $WORKMAILD_MODELS names included, is a
// failure.
func modelDir() (string, error) {
	dir, fromEnv := os.LookupEnv(modelsEnv)
	if !fromEnv || dir == "" {
		root, err := repoRoot()
		if err != nil {
			return "", err
		}
		dir = filepath.Join(root, "..", "shared", "aws-models", "workmail")
	}
	if _, err := os.Stat(filepath.Join(dir, "service-2.json")); err != nil {
		if fromEnv && dir != "" {
			return "", fmt.Errorf("$%s names %s, which does not hold the WorkMail models: %v", modelsEnv, dir, err)
		}
		return "", fmt.Errorf("no WorkMail models at %s (or in $%s): %w", dir, modelsEnv, err)
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
