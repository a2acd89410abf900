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
	f, err := frame.ParseFormula("y ~ age * Sex + (age | Subject)")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(f, f.Correlated)
	_, err = frame.ParseFormula("y ~ age + (1 | School/Class)")
	fmt.Println(err)
	// Output:
	// y ~ age + Sex + age:Sex + (1 + age | Subject) true
	// formula: nested grouping factors (School/...) are not supported at position 22; use one grouping factor
	//   y ~ age + (1 | School/Class)
	//                        ^
}
