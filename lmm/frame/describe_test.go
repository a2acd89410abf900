package frame

import (
	"slices"
	"strings"
	"testing"
)

func TestDescribe(t *testing.T) {
	// smallCSV, kept rows 1, 2, 4, 5, 6, 8, 9: groups a, b, c have 3, 2, 2
	// rows, so the sizes sort to 2, 2, 3 with median 2.
	d, err := build(t, smallCSV, "y ~ x + sex + (1 + x || grp)")
	if err != nil {
		t.Fatal(err)
	}
	s := Describe(d)
	if s.Rows != 7 || s.Dropped != 2 || s.Groups != 3 {
		t.Errorf("rows %d dropped %d groups %d; want 7 2 3", s.Rows, s.Dropped, s.Groups)
	}
	if s.MinGroupSize != 2 || s.MedianGroupSize != 2 || s.MaxGroupSize != 3 {
		t.Errorf("group sizes %d/%g/%d; want 2/2/3", s.MinGroupSize, s.MedianGroupSize, s.MaxGroupSize)
	}
	if want := []string{"b_Intercept", "b_x", "b_sexM"}; !slices.Equal(s.Fixed, want) {
		t.Errorf("Fixed = %q, want %q", s.Fixed, want)
	}
	if want := []string{"sd_grp__Intercept", "sd_grp__x"}; !slices.Equal(s.RandomSD, want) {
		t.Errorf("RandomSD = %q, want %q", s.RandomSD, want)
	}
}

func TestDescribeEvenMedian(t *testing.T) {
	// Groups a, b, c, d have 1, 2, 3, 4 rows: median (2+3)/2 = 2.5.
	const data = "y,x,g\n1,1,a\n2,2,b\n3,3,b\n4,4,c\n5,5,c\n6,6,c\n7,7,d\n8,8,d\n9,9,d\n10,1,d\n"
	d, err := build(t, data, "y ~ x + (1 | g)")
	if err != nil {
		t.Fatal(err)
	}
	if s := Describe(d); s.MinGroupSize != 1 || s.MedianGroupSize != 2.5 || s.MaxGroupSize != 4 {
		t.Errorf("group sizes %d/%g/%d; want 1/2.5/4", s.MinGroupSize, s.MedianGroupSize, s.MaxGroupSize)
	}
}

func TestDescribeCorrelated(t *testing.T) {
	// Names in brms's order (lmm.Design.Names): cor_<g>__<t_j>__<t_i> for
	// i = 1..Q−1, j < i.
	d, err := build(t, interactionCSV, "y ~ x*z + (x + x:z | g)")
	if err != nil {
		t.Fatal(err)
	}
	s := Describe(d)
	want := []string{"cor_g__Intercept__x", "cor_g__Intercept__x:z", "cor_g__x__x:z"}
	if !s.Correlated || !slices.Equal(s.Cor, want) {
		t.Errorf("Correlated %v Cor %q; want true %q", s.Correlated, s.Cor, want)
	}
	if !strings.Contains(s.String(), "random cor: cor_g__Intercept__x, cor_g__Intercept__x:z, cor_g__x__x:z\n") {
		t.Errorf("String lacks the correlations:\n%s", s)
	}
	d, err = build(t, interactionCSV, "y ~ x*z + (x + x:z || g)")
	if err != nil {
		t.Fatal(err)
	}
	if s := Describe(d); s.Correlated || len(s.Cor) != 0 || strings.Contains(s.String(), "cor") {
		t.Errorf("independent effects: Correlated %v Cor %q\n%s", s.Correlated, s.Cor, s)
	}
}
