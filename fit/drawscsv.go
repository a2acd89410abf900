package fit

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
)

// WriteDrawsCSV writes the draws in R posterior's draws_df layout:
// .chain,.iteration,.draw followed by one column per quantity, chains and
// iterations numbered from 1 and .draw running over all chains. In R,
// posterior::as_draws_df(read.csv(file, check.names = FALSE)) reads it as it
// is; ArviZ reads it through pandas.
func WriteDrawsCSV(w io.Writer, d *Draws) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	header := append([]string{".chain", ".iteration", ".draw"}, d.Names...)
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("draws csv: %w", err)
	}
	n, k := d.Iterations(), len(d.Names)
	row := make([]string, 3+k)
	draw := 0
	for c, ch := range d.Chains {
		for i := range n {
			draw++
			row[0] = strconv.Itoa(c + 1)
			row[1] = strconv.Itoa(i + 1)
			row[2] = strconv.Itoa(draw)
			for j := range k {
				row[3+j] = strconv.FormatFloat(ch[i*k+j], 'g', -1, 64)
			}
			if err := cw.Write(row); err != nil {
				return fmt.Errorf("draws csv: %w", err)
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("draws csv: %w", err)
	}
	return bw.Flush()
}
