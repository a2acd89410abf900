package main

import (
	"io"
	"os"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// newProgress returns a progress bar with ETA over total steps, drawn on
// stderr only when stderr is a terminal and quiet is false.
func newProgress(stderr io.Writer, quiet bool, total int64, label string) *progress {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return &progress{}
	}
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(100_000_000),
		progressbar.OptionClearOnFinish(),
	)
	return &progress{
		add: func() { _ = bar.Add(1) },
		end: func() { _ = bar.Finish() },
	}
}

// countBar is a progress bar over a count reported as (done, total).
type countBar struct {
	bar *progressbar.ProgressBar
}

// newCountBar returns a bar drawn on stderr only when it is a terminal.
func newCountBar(stderr io.Writer, quiet bool, label string) *countBar {
	f, ok := stderr.(*os.File)
	if quiet || !ok || !term.IsTerminal(int(f.Fd())) {
		return &countBar{}
	}
	return &countBar{bar: progressbar.NewOptions(-1,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetDescription(label),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionClearOnFinish(),
	)}
}

func (c *countBar) set(done, total int) {
	if c.bar == nil {
		return
	}
	c.bar.ChangeMax(total)
	_ = c.bar.Set(done)
}

// describe sets the text before the bar.
func (c *countBar) describe(s string) {
	if c.bar != nil {
		c.bar.Describe(s)
	}
}

func (c *countBar) finish() {
	if c.bar != nil {
		_ = c.bar.Finish()
	}
}
