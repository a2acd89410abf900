package sim

import (
	"errors"
	"fmt"
	"io/fs"
	"path"

	"github.com/metabeta-go/metabeta/lmm"
	"github.com/metabeta-go/metabeta/lmm/frame"
)

// RealSource is a public dataset whose design (predictors and groups) the
// simulator subsamples; its response is never used, only its missing values
// decide which rows are kept.
type RealSource struct {
	File    string // CSV file name in the datasets/ folder of the file system given to LoadRealDesigns
	Formula string // lme4 formula naming the predictors and the grouping
	Origin  string // where the data come from
}

// RealSources are the datasets of testdata/datasets that TrainingMix
// subsamples: metabeta's four semi-synthetic sources (era A,
// metabeta/data/real/datasets.R), with every predictor each has, so that
// group-level columns (MEANSES, schavg, schgend) and rare levels are among
// the columns drawn.
var RealSources = []RealSource{
	{"sleepstudy.csv", "Reaction ~ Days + (1 | Subject)", "lme4::sleepstudy (Belenky et al. 2003)"},
	{"mathachieve.csv", "MathAch ~ SES + MEANSES + Minority + Sex + (1 | School)", "nlme::MathAchieve (High School and Beyond, 1982)"},
	{"exam.csv", "normexam ~ standLRT + sex + schavg + schgend + intake + vr + (1 | school)", "mlmRev::Exam (Goldstein et al. 1993)"},
	{"gcsemv.csv", "written ~ gender + course + (1 | school)", "mlmRev::Gcsemv (Rasbash et al. 2000)"},
}

// LoadRealDesigns reads the designs of RealSources from the datasets/
// folder of fsys, laid out as the repository's testdata/ folder
// (metabeta.Datasets() in a binary, os.DirFS("testdata") from the
// repository root). Nothing else in fsys is read: the held-out real-data
// suite (realdata/) never enters training. Errors name the file.
func LoadRealDesigns(fsys fs.FS) ([]*lmm.Design, error) {
	if fsys == nil {
		return nil, errors.New("sim: LoadRealDesigns: nil file system; pass metabeta.Datasets()")
	}
	out := make([]*lmm.Design, 0, len(RealSources))
	for _, src := range RealSources {
		d, err := loadRealDesign(fsys, src)
		if err != nil {
			return nil, fmt.Errorf("sim: real design datasets/%s: %w", src.File, err)
		}
		out = append(out, d)
	}
	return out, nil
}

func loadRealDesign(fsys fs.FS, src RealSource) (*lmm.Design, error) {
	f, err := fsys.Open(path.Join("datasets", src.File))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fr, err := frame.ReadCSV(f)
	if err != nil {
		return nil, err
	}
	formula, err := frame.ParseFormula(src.Formula)
	if err != nil {
		return nil, err
	}
	d, err := frame.Build(fr, formula)
	if err != nil {
		return nil, err
	}
	return d, checkRealDesign(d)
}

// TrainingMix returns DefaultConfig with the design mixture used for
// training: synthetic 0.40 (today's standardized mixture, which the
// simulated validation suite draws from), shifted 0.10, longitudinal 0.15,
// between-group 0.10, and subsamples of the real designs of RealSources,
// read from fsys, 0.25. See the package documentation, "Design sources",
// for the reasons behind the weights.
func TrainingMix(fsys fs.FS) (Config, error) {
	real, err := LoadRealDesigns(fsys)
	if err != nil {
		return Config{}, err
	}
	c := DefaultConfig()
	c.Designs = trainingWeights
	c.RealDesigns = real
	return c, nil
}
