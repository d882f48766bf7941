package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/pprof/profile"
)

// modulePath is the module whose functions the profile is checked for.
const modulePath = "github.com/workmaild/workmaild"

// default.pgo is a CPU profile of workmaild under the benchmark's
// Describe load; go build uses it by itself to guide inlining
// (profile-guided optimisation). It describes the code as it was when it
// was recorded, so this test fails when a function it finds hot no longer
// exists: a refactoring of the hot path must refresh it too.
func TestDefaultPGOProfileNamesCurrentCode(t *testing.T) {
	hot := hotFunctions(t, "default.pgo", 0.01)
	if len(hot) < 10 {
		t.Fatalf("default.pgo has %d hot workmaild functions: it is not a profile of workmaild under load", len(hot))
	}
	declared := map[string]map[string]bool{} // package directory: its functions and methods
	var missing []string
	for _, name := range hot {
		dir, fn := splitSymbol(name)
		if declared[dir] == nil {
			declared[dir] = declarations(t, filepath.Join("..", "..", dir))
		}
		if !declared[dir][fn] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("default.pgo is stale: these hot functions no longer exist:\n  %s\nRefresh it from the repository root with\n  go run ./bench/cmd/perf -steps describe -cpu-profile cmd/workmaild/default.pgo",
			strings.Join(missing, "\n  "))
	}
}

// hotFunctions returns the workmaild functions on the stack in at least
// share of the profile's CPU time, sorted.
func hotFunctions(t *testing.T, path string, share float64) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prof, err := profile.Parse(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if n := len(prof.SampleType); n == 0 || prof.SampleType[n-1].Type != "cpu" {
		t.Fatalf("%s is not a CPU profile: %v", path, prof.SampleType)
	}
	var total int64
	onStack := map[string]int64{}
	for _, s := range prof.Sample {
		v := s.Value[len(s.Value)-1]
		total += v
		seen := map[string]bool{} // recursion counts once
		for _, loc := range s.Location {
			for _, line := range loc.Line {
				if name := line.Function.Name; !seen[name] {
					seen[name] = true
					onStack[name] += v
				}
			}
		}
	}
	var hot []string
	for name, v := range onStack {
		if (strings.HasPrefix(name, modulePath+"/") || strings.HasPrefix(name, "main.")) && float64(v) >= share*float64(total) {
			hot = append(hot, name)
		}
	}
	sort.Strings(hot)
	return hot
}

// typeParams matches the type arguments of an instantiated generic
// function, which may themselves hold dots and brackets.
var typeParams = regexp.MustCompile(`\[[^\[\]]*\]`)

// closure matches the names the compiler gives function literals and
// go/defer wrappers inside a function.
var closure = regexp.MustCompile(`^(func|gowrap|deferwrap)\d+$`)

// splitSymbol splits a function's symbol name into its package's
// directory in the module and the name it is declared as: "F" or
// "T.M". Closures are counted as the function they are in.
func splitSymbol(symbol string) (dir, name string) {
	for typeParams.MatchString(symbol) { // innermost first
		symbol = typeParams.ReplaceAllString(symbol, "")
	}
	pkg, rest := "main", strings.TrimPrefix(symbol, "main.")
	if strings.HasPrefix(symbol, modulePath+"/") {
		slash := strings.LastIndex(symbol, "/")
		dot := slash + strings.Index(symbol[slash:], ".")
		pkg, rest = symbol[:dot], symbol[dot+1:]
	}
	dir = "cmd/workmaild"
	if pkg != "main" {
		dir = strings.TrimPrefix(pkg, modulePath+"/")
	}
	parts := strings.Split(rest, ".")
	if strings.HasPrefix(parts[0], "(") { // (*T).M
		return dir, strings.Trim(parts[0], "(*)") + "." + parts[1]
	}
	if len(parts) > 1 && !closure.MatchString(parts[1]) { // T.M
		return dir, parts[0] + "." + parts[1]
	}
	return dir, parts[0]
}

// declarations returns the functions ("F") and methods ("T.M") declared
// in the package in dir.
func declarations(t *testing.T, dir string) map[string]bool {
	t.Helper()
	pkgs, err := parser.ParseDir(token.NewFileSet(), dir, func(fi os.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, parser.SkipObjectResolution)
	if err != nil {
		t.Fatalf("parsing %s: %v", dir, err)
	}
	names := map[string]bool{}
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, decl := range file.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok {
					continue
				}
				if fn.Recv == nil {
					names[fn.Name.Name] = true
					continue
				}
				names[receiverType(fn.Recv.List[0].Type)+"."+fn.Name.Name] = true
			}
		}
	}
	return names
}

// receiverType is the name of a method's receiver type: T for T, *T,
// T[P] and *T[P].
func receiverType(e ast.Expr) string {
	for {
		switch x := e.(type) {
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		case *ast.IndexListExpr:
			e = x.X
		case *ast.Ident:
			return x.Name
		default:
			return ""
		}
	}
}

func TestSplitSymbol(t *testing.T) {
	for symbol, want := range map[string]string{
		modulePath + "/internal/awsjson.(*Handler).ServeHTTP":       "internal/awsjson (Handler.ServeHTTP)",
		modulePath + "/internal/awsjson.(*Handler).ServeHTTP.func1": "internal/awsjson (Handler.ServeHTTP)",
		modulePath + "/internal/auth.Lenient.Authenticate":          "internal/auth (Lenient.Authenticate)",
		modulePath + "/internal/awsjson.checkDepth":                 "internal/awsjson (checkDepth)",
		modulePath + "/internal/service.(*Service).view.func1":      "internal/service (Service.view)",
		modulePath + "/internal/model.invoke[go.shape.struct { A *string \"json:\\\"A\\\"\" },go.shape.*" + modulePath + "/internal/model.T,go.shape.[]uint8]": "internal/model (invoke)",
		modulePath + "/internal/respcache.(*Cache[go.shape.interface {}]).Lookup":                                                                              "internal/respcache (Cache.Lookup)",
		modulePath + "/server.(*Server).invoke": "server (Server.invoke)",
		"main.(*logWriter).Write":               "cmd/workmaild (logWriter.Write)",
		"main.serve.gowrap1":                    "cmd/workmaild (serve)",
	} {
		dir, name := splitSymbol(symbol)
		if got := dir + " (" + name + ")"; got != want {
			t.Errorf("splitSymbol(%q) = %s, want %s", symbol, got, want)
		}
	}
}
