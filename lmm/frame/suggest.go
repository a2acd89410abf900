package frame

import (
	"fmt"
	"strings"

	"github.com/metabeta-go/metabeta/lmm"
)

// unknownColumn returns the error for a formula name that is not a column
// of the frame, suggesting the closest column name when one is near.
func unknownColumn(fr *Frame, role, name string) error {
	msg := fmt.Sprintf("unknown column %s (%s)", lmm.QuoteShort(name), role)
	if s := closest(name, fr.Names()); s != "" {
		msg += fmt.Sprintf("; did you mean %s?", lmm.QuoteShort(s))
	}
	const maxListed, maxListLen = 20, 400 // bytes; a huge name is not listed
	if names := fr.Names(); len(names) <= maxListed && len(strings.Join(names, ", ")) <= maxListLen {
		msg += "; the columns are " + strings.Join(names, ", ")
	}
	if len(fr.cols) == 1 && strings.ContainsAny(fr.cols[0].name, " |") {
		msg += "; the header was read as a single column: fields must be separated by commas, tabs or semicolons"
	}
	return fmt.Errorf("%s", msg)
}

// closest returns the candidate nearest to name: an exact match ignoring
// case, else the one with the smallest edit distance when that distance is at
// most a third of the name's length, rounded up. It returns "" when no
// candidate is near.
func closest(name string, candidates []string) string {
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c
		}
	}
	best, bestDist := "", (len([]rune(name))+2)/3+1
	lower := strings.ToLower(name)
	for _, c := range candidates {
		if d := editDistance(lower, strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance returns the Levenshtein distance between a and b in runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
