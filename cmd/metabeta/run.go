package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// command is one subcommand of metabeta.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

// commands lists the subcommands; main only dispatches.
var commands = map[string]command{
	"describe": {"show how a formula reads a CSV file: rows, groups, terms and the resolved prior", runDescribe},
	"simulate": {"simulate datasets with known parameters from the model", runSimulate},
	"fit":      {"fit a mixed model to a CSV file by NUTS or the neural estimator", runFit},
	"validate": {"run the validation suites and write tables, plots and a report", runValidate},
	"train":    {"train the neural posterior estimator on simulated datasets", runTrain},
	"merge":    {"merge the records of sharded validate runs into one result", runMerge},
	"gate":     {"compare a validate run with a baseline; exit 1 on a significant regression", runGate},
}

// errUsage marks an error caused by bad arguments; it exits with status 2.
var errUsage = errors.New("usage")

// usageError wraps a message about bad arguments so that it exits with
// status 2.
func usageError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errUsage, fmt.Sprintf(format, args...))
}

// exitError gives an error an exit status of its own, for a command that
// documents more statuses than 0, 1 and 2 (gate: 3 for an unreadable input).
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// run is the whole program: it parses args, runs one subcommand and returns
// its error. It never calls os.Exit, so tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		printUsage(stdout)
		if len(args) == 0 {
			return usageError("no command given")
		}
		return nil
	}
	cmd, ok := commands[args[0]]
	if !ok {
		return usageError("unknown command %q (commands: %s)", args[0], strings.Join(commandNames(), ", "))
	}
	return cmd.run(ctx, args[1:], stdout, stderr)
}

func commandNames() []string {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "metabeta: Bayesian linear mixed models by neural posterior estimation and NUTS")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "usage: metabeta <command> [flags]")
	fmt.Fprintln(w)
	for _, n := range commandNames() {
		fmt.Fprintf(w, "  %-9s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, `Run "metabeta <command> -h" for a command's flags.`)
}

// newFlagSet returns a flag set that reports errors instead of exiting and
// prints its usage to stderr.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("metabeta "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args into fs and rejects stray positional arguments.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return usageError("%v", err)
	}
	if fs.NArg() > 0 {
		return usageError("%s: unexpected argument %q", fs.Name(), fs.Arg(0))
	}
	return nil
}

// exitCode maps an error to the process exit status and prints it.
func exitCode(err error, stderr io.Writer) int {
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		fmt.Fprintln(stderr, "metabeta:", strings.TrimPrefix(err.Error(), errUsage.Error()+": "))
		return 2
	case errors.As(err, new(*exitError)):
		var e *exitError
		errors.As(err, &e)
		fmt.Fprintln(stderr, "metabeta:", err)
		return e.code
	default:
		fmt.Fprintln(stderr, "metabeta:", err)
		return 1
	}
}
