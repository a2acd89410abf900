package main

import (
	"github.com/pkg/profile"
)

// startProfile starts a cpu or mem profile written to the current
// directory, or nothing for "". It returns the function that stops it.
func startProfile(kind string) (stop func(), err error) {
	opts := []func(*profile.Profile){profile.ProfilePath("."), profile.NoShutdownHook, profile.Quiet}
	switch kind {
	case "":
		return func() {}, nil
	case "cpu":
		return profile.Start(append(opts, profile.CPUProfile)...).Stop, nil
	case "mem":
		return profile.Start(append(opts, profile.MemProfile)...).Stop, nil
	}
	return nil, usageError("--profile %q: want cpu or mem", kind)
}
