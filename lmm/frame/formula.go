package frame

import (
	"fmt"
	"slices"
	"strings"
)

// Formula is a parsed mixed-model formula of the supported lme4 subset:
// one response, fixed predictors, and uncorrelated random effects for one
// grouping factor. Every random term is also a fixed term.
type Formula struct {
	Source    string   // the formula as written
	Response  string   // response column
	Intercept bool     // fixed intercept (implied unless "0 +" or "- 1")
	Fixed     []string // predictor columns in formula order, intercept excluded, no duplicates
	Group     string   // grouping factor column

	RandomIntercept bool     // random intercept per group
	Random          []string // predictor columns with random slopes, each also in Fixed
}

// FormulaError is a syntax or usage error in a formula, located at a 1-based
// rune position of the source. Its message ends with the formula and a caret
// under the position.
type FormulaError struct {
	Formula string // the formula as written
	Pos     int    // 1-based position in runes; len+1 for the end
	Msg     string // what is wrong, without position
	Hint    string // how to fix it, or ""
}

// Error returns "formula: <msg> at position <pos>", then "; <hint>" when
// there is a hint, then the formula and a caret line under the position.
func (e *FormulaError) Error() string {
	hint := ""
	if e.Hint != "" {
		hint = "; " + e.Hint
	}
	return fmt.Sprintf("formula: %s at position %d%s\n  %s\n  %s^",
		e.Msg, e.Pos, hint, e.Formula, caretIndent(e.Formula, e.Pos))
}

// caretIndent returns the blanks that put a caret under rune position pos
// of src: a tab for each tab of src, a space for any other rune.
func caretIndent(src string, pos int) string {
	var b strings.Builder
	for i, r := range []rune(src) {
		if i >= pos-1 {
			break
		}
		if r == '\t' {
			b.WriteByte('\t')
		} else {
			b.WriteByte(' ')
		}
	}
	// Positions past the end (the end of the formula) need one more blank.
	for range pos - 1 - len([]rune(src)) {
		b.WriteByte(' ')
	}
	return b.String()
}

// ParseFormula parses a formula of the lme4 subset described in the package
// documentation, such as
//
//	Reaction ~ Days + (1 + Days || Subject)
//
// Syntax errors and unsupported constructs return a *FormulaError naming the
// construct and its position.
func ParseFormula(s string) (*Formula, error) {
	src := []rune(s)
	toks, lexErr := lex(src)
	if lexErr != nil {
		lexErr.Formula = s
		return nil, lexErr
	}
	p := &parser{
		toks:     toks,
		src:      src,
		f:        &Formula{Source: s, Intercept: true},
		fixedPos: map[string]int{},
	}
	if err := p.parse(); err != nil {
		err.Formula = s
		return nil, err
	}
	return p.f, nil
}

// parser is a recursive-descent parser over the tokens of one formula.
type parser struct {
	toks []token
	i    int
	src  []rune
	f    *Formula

	fixedPos     map[string]int // position of the first use of each fixed predictor
	randomPos    map[string]int // position of each random slope
	randomIcpPos int            // position of the random intercept term, 0 if implied
	groupPos     int            // position of the grouping factor, 0 if none yet
}

func (p *parser) peek() token { return p.toks[p.i] }

func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

// errorf returns a FormulaError at position pos.
func errorf(pos int, format string, args ...any) *FormulaError {
	return &FormulaError{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// withHint sets the error's hint and returns the error.
func (e *FormulaError) withHint(format string, args ...any) *FormulaError {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// unexpected describes token t as an unexpected token.
func unexpected(t token) *FormulaError {
	switch t.kind {
	case tokEOF:
		return errorf(t.pos, "unexpected end of formula")
	case tokOperator:
		return unsupportedOperator(t)
	case tokDot:
		return errorf(t.pos, `"." (all other columns) is not supported`).withHint("list the predictors")
	}
	return errorf(t.pos, "unexpected %q", t.text)
}

// unsupportedOperator names an operator of R's formula language that the
// subset lacks.
func unsupportedOperator(t token) *FormulaError {
	switch t.text {
	case ":", "*":
		return errorf(t.pos, "interactions (%q) are not supported", t.text)
	case "/":
		return errorf(t.pos, `nesting ("/") is not supported`)
	case "^":
		return errorf(t.pos, `powers of terms ("^") are not supported`)
	}
	return errorf(t.pos, "operator %q is not supported", t.text)
}

func (p *parser) parse() *FormulaError {
	t := p.next()
	if t.kind != tokName {
		if t.kind == tokTilde {
			return errorf(t.pos, "missing response before %q", "~")
		}
		return errorf(t.pos, "expected the response name, found %s", describe(t))
	}
	if err := p.noCall(t); err != nil {
		return err
	}
	p.f.Response = t.text
	if t := p.next(); t.kind != tokTilde {
		if t.kind == tokOperator {
			return unsupportedOperator(t)
		}
		return errorf(t.pos, `expected "~" after the response, found %s`, describe(t))
	}
	if err := p.parseFixed(); err != nil {
		return err
	}
	if t := p.peek(); t.kind != tokEOF {
		return unexpected(t)
	}
	return p.check()
}

// describe names a token for messages.
func describe(t token) string {
	if t.kind == tokEOF {
		return "the end of the formula"
	}
	return fmt.Sprintf("%q", t.text)
}

// noCall rejects a function call: a name followed by "(".
func (p *parser) noCall(name token) *FormulaError {
	if p.peek().kind == tokLParen {
		return errorf(name.pos, "function calls such as %s(...) are not supported", name.text).withHint("transform the column in the data")
	}
	return nil
}

// afterTerm rejects an operator that would combine the term just read with
// the next one.
func (p *parser) afterTerm() *FormulaError {
	if t := p.peek(); t.kind == tokOperator {
		return unsupportedOperator(t)
	}
	return nil
}

// parseFixed parses the right-hand side: signed terms separated by + and -.
func (p *parser) parseFixed() *FormulaError {
	first := true
	for {
		minus := false
		switch t := p.peek(); {
		case t.kind == tokMinus:
			minus = true
			p.next()
		case t.kind == tokPlus && !first:
			p.next()
		case !first:
			return nil
		}
		first = false
		if err := p.parseFixedTerm(minus); err != nil {
			return err
		}
		if err := p.afterTerm(); err != nil {
			return err
		}
	}
}

// parseFixedTerm parses one fixed term: 0, 1, a name or a random term.
func (p *parser) parseFixedTerm(minus bool) *FormulaError {
	t := p.next()
	switch t.kind {
	case tokNumber:
		on, err := interceptLiteral(t)
		if err != nil {
			return err
		}
		p.f.Intercept = on != minus
	case tokName:
		if minus {
			return errorf(t.pos, `removing a term with "-" is supported only for the intercept ("- 1")`).withHint("delete %q instead", t.text)
		}
		if err := p.noCall(t); err != nil {
			return err
		}
		if _, dup := p.fixedPos[t.text]; !dup {
			p.fixedPos[t.text] = t.pos
			p.f.Fixed = append(p.f.Fixed, t.text)
		}
	case tokLParen:
		if minus {
			return errorf(t.pos, `removing a random term with "-" is not supported`)
		}
		return p.parseRandom(t)
	default:
		return unexpected(t)
	}
	return nil
}

// interceptLiteral returns whether the literal 1 (true) or 0 (false) was
// read; other numbers are errors.
func interceptLiteral(t token) (bool, *FormulaError) {
	switch t.text {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, errorf(t.pos, "unexpected number %q", t.text).withHint("only 1 and 0 (intercept on or off) may appear")
}

// parseRandom parses a random term after its opening parenthesis:
// terms, | or ||, the grouping factor and ")".
func (p *parser) parseRandom(open token) *FormulaError {
	intercept, interceptPos := true, 0
	var terms []token
	first := true
loop:
	for {
		minus := false
		switch t := p.peek(); {
		case t.kind == tokMinus:
			minus = true
			p.next()
		case t.kind == tokPlus && !first:
			p.next()
		case !first:
			break loop
		}
		first = false
		t := p.next()
		switch t.kind {
		case tokNumber:
			on, err := interceptLiteral(t)
			if err != nil {
				return err
			}
			intercept = on != minus
			interceptPos = t.pos
		case tokName:
			if minus {
				return errorf(t.pos, `removing a term with "-" is supported only for the intercept ("- 1")`).withHint("delete %q instead", t.text)
			}
			if err := p.noCall(t); err != nil {
				return err
			}
			if !slices.ContainsFunc(terms, func(u token) bool { return u.text == t.text }) {
				terms = append(terms, t)
			}
		case tokLParen:
			return errorf(t.pos, "nested parentheses are not supported")
		case tokBar, tokDoubleBar:
			return errorf(t.pos, "missing effects before %q", t.text).withHint("a random term looks like (1 | g)")
		default:
			return unexpected(t)
		}
		if err := p.afterTerm(); err != nil {
			return err
		}
	}

	bar := p.next()
	if bar.kind != tokBar && bar.kind != tokDoubleBar {
		if bar.kind == tokRParen {
			return errorf(bar.pos, `expected "|" or "||" before ")"`).withHint("a random term looks like (1 + x || g)")
		}
		return unexpected(bar)
	}
	group := p.next()
	if group.kind != tokName {
		if group.kind == tokLParen || group.kind == tokRParen || group.kind == tokEOF {
			return errorf(group.pos, "expected the grouping factor after %q, found %s", bar.text, describe(group))
		}
		return unexpected(group)
	}
	if err := p.noCall(group); err != nil {
		return err
	}
	if t := p.peek(); t.kind == tokOperator {
		if t.text == "/" {
			return errorf(t.pos, "nested grouping factors (%s/...) are not supported", group.text).withHint("use one grouping factor")
		}
		return errorf(t.pos, "grouping by %q is not supported", t.text).withHint("use one grouping factor column")
	}
	closing := p.next()
	if closing.kind != tokRParen {
		if closing.kind == tokEOF {
			return errorf(open.pos, "unclosed parenthesis")
		}
		return unexpected(closing)
	}

	n := len(terms)
	if intercept {
		n++
	}
	written := string(p.src[open.pos-1 : closing.pos])
	if n == 0 {
		return errorf(open.pos, "random term %s has no effects", written)
	}
	if bar.kind == tokBar && n > 1 {
		names := make([]string, len(terms))
		for k, t := range terms {
			names[k] = t.text
		}
		return errorf(open.pos, "correlated random effects %s are not supported yet", written).
			withHint("use %s", randomString(intercept, names, group.text))
	}
	return p.addRandom(group, intercept, interceptPos, open.pos, terms)
}

// addRandom merges one random term into the formula. Several terms for the
// same grouping factor combine, as (1 | g) + (0 + x | g) does in lme4.
func (p *parser) addRandom(group token, intercept bool, interceptPos, openPos int, terms []token) *FormulaError {
	if p.groupPos != 0 && group.text != p.f.Group {
		return errorf(group.pos, "more than one grouping factor (%q and %q) is not supported", p.f.Group, group.text).
			withHint("use one grouping factor")
	}
	p.f.Group, p.groupPos = group.text, group.pos
	if p.randomPos == nil {
		p.randomPos = map[string]int{}
	}
	if intercept {
		if p.f.RandomIntercept {
			return errorf(openPos, "the random intercept for %q appears twice", group.text)
		}
		p.f.RandomIntercept = true
		p.randomIcpPos = interceptPos
		if p.randomIcpPos == 0 {
			p.randomIcpPos = openPos
		}
	}
	for _, t := range terms {
		if _, dup := p.randomPos[t.text]; dup {
			return errorf(t.pos, "the random slope of %q for %q appears twice", t.text, group.text)
		}
		p.randomPos[t.text] = t.pos
		p.f.Random = append(p.f.Random, t.text)
	}
	return nil
}

// check applies the rules that relate the parts of a parsed formula.
func (p *parser) check() *FormulaError {
	f := p.f
	end := len(p.src) + 1
	if f.Group == "" {
		return errorf(end, "no random term").withHint("a mixed model needs one, as in %s ~ ... + (1 | g)", f.Response)
	}
	if pos, ok := p.fixedPos[f.Response]; ok {
		return errorf(pos, "the response %q cannot also be a predictor", f.Response)
	}
	if pos, ok := p.randomPos[f.Response]; ok {
		return errorf(pos, "the response %q cannot also be a predictor", f.Response)
	}
	if f.Group == f.Response {
		return errorf(p.groupPos, "the response %q cannot also be the grouping factor", f.Response)
	}
	if pos, ok := p.randomPos[f.Group]; ok {
		return errorf(pos, "the grouping factor %q cannot have a random slope for itself", f.Group)
	}
	for _, r := range f.Random {
		if _, ok := p.fixedPos[r]; !ok {
			fixed := *f
			fixed.Fixed = append(slices.Clip(f.Fixed), r)
			return errorf(p.randomPos[r], "random term %q must also be a fixed term", r).withHint("add it, as in %s", fixed.String())
		}
	}
	if f.RandomIntercept && !f.Intercept {
		withIcp := *f
		withIcp.Intercept = true
		withoutIcp := *f
		withoutIcp.RandomIntercept = false
		hint := "add the fixed intercept, as in " + withIcp.String()
		if len(f.Random) > 0 {
			hint += ", or drop the random one, as in " + withoutIcp.String()
		}
		return errorf(p.randomIcpPos, "a random intercept needs a fixed intercept").withHint("%s", hint)
	}
	return nil
}

// String returns the formula in canonical form: fixed terms in order, the
// intercept written only when it must be ("0 +", or "1" alone), and one
// random term, "||" when it has several effects.
func (f *Formula) String() string {
	var b strings.Builder
	b.WriteString(quoteName(f.Response))
	b.WriteString(" ~ ")
	switch {
	case !f.Intercept:
		b.WriteString("0 + ")
	case len(f.Fixed) == 0:
		b.WriteString("1 + ")
	}
	for _, x := range f.Fixed {
		b.WriteString(quoteName(x))
		b.WriteString(" + ")
	}
	if f.Group == "" {
		return strings.TrimSuffix(b.String(), " + ")
	}
	b.WriteString(randomString(f.RandomIntercept, f.Random, f.Group))
	return b.String()
}

// randomString writes a random term in canonical form.
func randomString(intercept bool, terms []string, group string) string {
	parts := make([]string, 0, len(terms)+1)
	if intercept {
		parts = append(parts, "1")
	} else {
		parts = append(parts, "0")
	}
	for _, t := range terms {
		parts = append(parts, quoteName(t))
	}
	bar := "||"
	if len(terms)+boolInt(intercept) == 1 {
		bar = "|"
	}
	return "(" + strings.Join(parts, " + ") + " " + bar + " " + quoteName(group) + ")"
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// quoteName backquotes a column name that is not a syntactic R name.
func quoteName(name string) string {
	src := []rune(name)
	if len(src) == 0 || !isNameStart(src, 0) {
		return "`" + name + "`"
	}
	for _, r := range src {
		if !isNameRune(r) {
			return "`" + name + "`"
		}
	}
	return name
}
