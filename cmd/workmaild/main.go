// Command workmaild serves the Amazon WorkMail API.
//
//	workmaild serve [--addr HOST:PORT] [--data-dir DIR | --in-memory] ...
//	workmaild tokens create|check --endpoint URL --account A --region R ...
//	workmaild store copy --from DIR|URL --to DIR|URL [--replace]
//
// Every flag can also be set through an environment variable named
// WORKMAILD_ plus the flag in upper case with '-' as '_' (WORKMAILD_ADDR,
// WORKMAILD_DATA_DIR, ...); a flag on the command line wins.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr))
}

// run is main without the process: testable, and free of global state.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], getenv, stdout, stderr)
	case "tokens":
		err = tokens(ctx, args[1:], getenv, stdin, stdout, stderr)
	case "store":
		err = storeCmd(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		usage(stdout)
		return 0
	default:
		fmt.Fprintf(stderr, "workmaild: unknown command %q\n", args[0])
		usage(stderr)
		return 2
	}
	var usageErr usageError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &usageErr):
		fmt.Fprintln(stderr, "workmaild:", err)
		return 2
	default:
		fmt.Fprintln(stderr, "workmaild:", err)
		return 1
	}
}

// usageError is a mistake in the command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usage(w io.Writer) {
	fmt.Fprint(w, `Usage:
  workmaild serve [flags]    serve the WorkMail API (see 'workmaild serve -h')
  workmaild tokens create --account A --region R --organization-id ID --user U [--admin-token T]
                   --name N --scope S [--scope S ...] [--expires-in 30d] [--endpoint URL]
                             issue a personal access token (workmaild's own
                             extension); prints its secret, once
  workmaild tokens check  --account A --region R --organization-id ID --user U [--endpoint URL]
                             check a secret read from standard input
  workmaild store copy --from DIR|URL --to DIR|URL [--replace]
                             copy every record of a stopped store (a data
                             directory or a postgres:// URL) into another;
                             a target holding records is refused unless
                             --replace
  workmaild help             show this help
`)
}
