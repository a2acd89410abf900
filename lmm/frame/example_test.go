package frame_test

import (
	"fmt"

	"github.com/metabeta-go/metabeta/lmm/frame"
)

func ExampleLoad() {
	d, err := frame.Load("../../testdata/datasets/gcsemv.csv", "written ~ course + gender + (1 | school)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(frame.Describe(d))
	// Output:
	// formula:    written ~ course + gender + (1 | school)
	// rows:       1523 used, 382 dropped for missing values
	// groups:     73 levels of school, sizes min 1, median 17, max 83
	// fixed:      b_Intercept, b_course, b_genderM
	// random SDs: sd_school__Intercept
}

func ExampleParseFormula() {
	_, err := frame.ParseFormula("Reaction ~ Days + (Days | Subject)")
	fmt.Println(err)
	// Output:
	// formula: correlated random effects (Days | Subject) are not supported yet at position 19; use (1 + Days || Subject)
	//   Reaction ~ Days + (Days | Subject)
	//                     ^
}
