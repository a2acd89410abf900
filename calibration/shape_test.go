package calibration

import "testing"

func TestColumn(t *testing.T) {
	// Rows (1, 2, 3) and (4, 5, 6): column 1 is (2, 5).
	got := Column(nil, []float64{1, 2, 3, 4, 5, 6}, 3, 1)
	if len(got) != 2 || got[0] != 2 || got[1] != 5 {
		t.Errorf("Column = %v, want [2 5]", got)
	}
	defer func() {
		if recover() == nil {
			t.Error("no panic for a ragged matrix")
		}
	}()
	Column(nil, []float64{1, 2, 3, 4}, 3, 0)
}
