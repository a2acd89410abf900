package frame

import (
	"cmp"
	"slices"
)

// factorLevels returns the distinct labels of column c over the given rows
// in R's order for factor levels, and the level index of each of those rows.
//
// When every non-missing value of the column is a finite number (read.csv
// then reads it as numbers), levels are in numeric order and values equal as
// numbers share a level labelled as first written. Otherwise levels are the
// labels in byte order, which is R's sort order in the C locale.
func factorLevels(c *column, rows []int) (labels []string, index []int) {
	index = make([]int, len(rows))
	if c.kind == Numeric {
		first := map[float64]int{} // value → first row holding it
		for _, i := range rows {
			if _, ok := first[c.num[i]]; !ok {
				first[c.num[i]] = i
			}
		}
		values := make([]float64, 0, len(first))
		for v := range first {
			values = append(values, v)
		}
		slices.Sort(values)
		level := make(map[float64]int, len(values))
		labels = make([]string, len(values))
		for k, v := range values {
			level[v] = k
			labels[k] = c.raw[first[v]]
		}
		for j, i := range rows {
			index[j] = level[c.num[i]]
		}
		return labels, index
	}

	seen := map[string]bool{}
	for _, i := range rows {
		if !seen[c.raw[i]] {
			seen[c.raw[i]] = true
			labels = append(labels, c.raw[i])
		}
	}
	slices.SortFunc(labels, cmp.Compare[string])
	level := make(map[string]int, len(labels))
	for k, l := range labels {
		level[l] = k
	}
	for j, i := range rows {
		index[j] = level[c.raw[i]]
	}
	return labels, index
}
