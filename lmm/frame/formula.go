package frame

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Formula is a parsed mixed-model formula of the supported lme4 subset:
// one response, fixed terms (columns and their interactions), and random
// effects for one grouping factor. Every random term is also a fixed term.
type Formula struct {
	Source    string // the formula as written
	Response  string // response column
	Intercept bool   // fixed intercept (implied unless "0 +" or "- 1")
	// Fixed holds the fixed terms, intercept excluded, in formula order with
	// "*" expanded as R expands it (a*b is a + b + a:b) and no duplicates.
	// Build orders them as R's model.matrix does: by degree, then in this
	// order.
	Fixed []Term
	Group string // grouping factor column

	RandomIntercept bool   // random intercept per group
	Random          []Term // random slopes, each also in Fixed, in formula order
	// Correlated is true when the random effects were written in one "|"
	// term, as in (1 + x | g): lme4's correlated effects. It is false for
	// "||" and for several random terms combined, as (1 | g) + (0 + x | g).
	// A single random effect has no correlation either way.
	Correlated bool

	// pipeSlopes are the slopes written alone in a "|" term that was
	// combined with others for the same group, as x in (1 | g) + (0 + x | g).
	// Build refuses one that spans several columns (a factor), whose
	// columns lme4 would correlate among themselves only.
	pipeSlopes []Term
}

// Term is a fixed or random term other than the intercept: one column of
// the data, or the interaction of several columns (a:b), listed in R's
// variable order, the order of their first appearance in the fixed part of
// the formula.
type Term []string

// String writes the term as R labels it: the names, backquoted where R
// would need it, joined by ":".
func (t Term) String() string {
	parts := make([]string, len(t))
	for k, v := range t {
		parts[k] = quoteName(v)
	}
	return strings.Join(parts, ":")
}

// key identifies the term as a set of columns: a:b and b:a are one term.
func (t Term) key() string {
	s := slices.Clone([]string(t))
	slices.Sort(s)
	var b strings.Builder
	for _, v := range s {
		fmt.Fprintf(&b, "%d:%s", len(v), v) // length-prefixed: any rune may be in a name
	}
	return b.String()
}

// maxOrder is the largest number of columns an interaction may join.
const maxOrder = 3

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
//	Reaction ~ Days + (Days | Subject)
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
		varPos:   map[string]int{},
		varOrder: map[string]int{},
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

	fixedPos     map[string]int // term key → position of the first use of each fixed term
	varPos       map[string]int // position of the first use of each column in the fixed part
	varOrder     map[string]int // rank of each column of the fixed part by first use (R's variable order)
	randomPos    map[string]int // term key → position of each random slope
	randomIcpPos int            // position of the random intercept term, 0 if implied
	groupPos     int            // position of the grouping factor, 0 if none yet
	inRandom     bool           // parsing the effects of a random term
	bars         []bar          // the random terms as written
}

// bar is one random term as written: (effects | group) or (effects || group).
type bar struct {
	pos     int    // position of its opening parenthesis
	written string // its source text
	pipe    bool   // "|" rather than "||"
	effects int    // number of effect terms, intercept included
	slope   Term   // its slope when it has exactly one effect and it is a slope
}

// pterm is a term being parsed: its columns in order of appearance and the
// position to blame it on.
type pterm struct {
	vars Term
	pos  int
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
		return unsupportedOperator(t, "")
	case tokDot:
		return errorf(t.pos, `"." (all other columns) is not supported`).withHint("list the predictors")
	}
	return errorf(t.pos, "unexpected %q", t.text)
}

// unsupportedOperator names an operator of R's formula language that the
// subset lacks where it stands; left names what ":" or "*" would join
// there ("the intercept", "a random term"), or is "" where they cannot
// stand at all.
func unsupportedOperator(t token, left string) *FormulaError {
	switch t.text {
	case ":", "*":
		if left != "" {
			return errorf(t.pos, "%s cannot be part of an interaction (%q)", left, t.text)
		}
		return errorf(t.pos, "unexpected %q", t.text).withHint("an interaction joins two columns, as in a:b or a*b")
	case "/", "%in%":
		return errorf(t.pos, "nesting (%q) is not supported", t.text).withHint("write the terms out, as a + a:b for a/b")
	case "^":
		return errorf(t.pos, `powers of terms ("^") are not supported`).withHint("write the interactions out, as a*b for (a + b)^2")
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
			return unsupportedOperator(t, "the response")
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

// afterTerm rejects an operator that would combine the term just read, a
// left as unsupportedOperator names it, with the next one.
func (p *parser) afterTerm(left string) *FormulaError {
	if t := p.peek(); t.kind == tokOperator {
		return unsupportedOperator(t, left)
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
	}
}

// parseFixedTerm parses one fixed term: 0, 1, a product of names or a
// random term.
func (p *parser) parseFixedTerm(minus bool) *FormulaError {
	t := p.peek()
	switch t.kind {
	case tokNumber:
		p.next()
		on, err := interceptLiteral(t)
		if err != nil {
			return err
		}
		p.f.Intercept = on != minus
		return p.afterTerm("the intercept")
	case tokName:
		if minus {
			return errorf(t.pos, `removing a term with "-" is supported only for the intercept ("- 1")`).withHint("delete %q instead", t.text)
		}
		terms, err := p.parseProduct()
		if err != nil {
			return err
		}
		for _, pt := range terms {
			p.addFixed(pt)
		}
		return nil
	case tokLParen:
		p.next()
		if minus {
			return errorf(t.pos, `removing a random term with "-" is not supported`)
		}
		if err := p.parseRandom(t); err != nil {
			return err
		}
		return p.afterTerm("a random term")
	}
	p.next()
	return unexpected(t)
}

// addFixed records a fixed term unless it is already there, putting its
// columns in R's variable order.
func (p *parser) addFixed(pt pterm) {
	k := pt.vars.key()
	if _, dup := p.fixedPos[k]; dup {
		return
	}
	p.fixedPos[k] = pt.pos
	p.f.Fixed = append(p.f.Fixed, p.inVarOrder(pt.vars))
}

// inVarOrder returns the columns of t in R's variable order; columns that
// are in no fixed term go last, in their order.
func (p *parser) inVarOrder(t Term) Term {
	out := slices.Clone(t)
	slices.SortStableFunc(out, func(a, b string) int {
		ra, oka := p.varOrder[a]
		rb, okb := p.varOrder[b]
		switch {
		case oka && okb:
			return ra - rb
		case oka:
			return -1
		case okb:
			return 1
		}
		return 0
	})
	return out
}

// parseProduct parses interactions joined by "*" and expands them as R
// does: a*b is a, b and a:b, and a*b*c adds c, a:c, b:c and a:b:c. The
// terms come in R's expansion order without duplicates.
func (p *parser) parseProduct() ([]pterm, *FormulaError) {
	var terms []pterm
	seen := map[string]bool{}
	add := func(t pterm) *FormulaError {
		if len(t.vars) > maxOrder {
			return errorf(t.pos, "interactions of more than %d columns (%s) are not supported", maxOrder, t.vars)
		}
		if k := t.vars.key(); !seen[k] {
			seen[k] = true
			terms = append(terms, t)
		}
		return nil
	}
	opPos := 0
	for {
		u, err := p.parseInteraction()
		if err != nil {
			return nil, err
		}
		before := slices.Clone(terms)
		if err := add(u); err != nil {
			return nil, err
		}
		for _, t := range before {
			if err := add(pterm{union(t.vars, u.vars), opPos}); err != nil {
				return nil, err
			}
		}
		t := p.peek()
		if t.kind != tokOperator || t.text != "*" {
			return terms, p.afterTerm("")
		}
		p.next()
		opPos = t.pos
	}
}

// parseInteraction parses names joined by ":".
func (p *parser) parseInteraction() (pterm, *FormulaError) {
	var vars Term
	pos := 0
	for {
		t := p.next()
		if t.kind != tokName {
			switch {
			case t.kind == tokNumber:
				return pterm{}, errorf(t.pos, "the intercept cannot be part of an interaction").withHint("interactions join columns, as in a:b or a*b")
			case t.kind == tokLParen && pos != 0:
				return pterm{}, errorf(t.pos, "a parenthesised term cannot be part of an interaction").withHint("write the terms out, as a:c + b:c for (a + b):c")
			}
			return pterm{}, unexpected(t)
		}
		if err := p.noCall(t); err != nil {
			return pterm{}, err
		}
		if pos == 0 {
			pos = t.pos
		}
		if _, ok := p.varOrder[t.text]; !ok && !p.inRandom {
			p.varOrder[t.text] = len(p.varOrder)
			p.varPos[t.text] = t.pos
		}
		if !slices.Contains(vars, t.text) {
			vars = append(vars, t.text)
		}
		if len(vars) > maxOrder {
			return pterm{}, errorf(t.pos, "interactions of more than %d columns (%s) are not supported", maxOrder, vars)
		}
		if op := p.peek(); op.kind != tokOperator || op.text != ":" {
			return pterm{vars, pos}, nil
		}
		p.next()
	}
}

// union returns the columns of a followed by those of b not in a.
func union(a, b Term) Term {
	out := slices.Clone(a)
	for _, v := range b {
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
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
	var terms []pterm
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
		t := p.peek()
		switch t.kind {
		case tokNumber:
			p.next()
			on, err := interceptLiteral(t)
			if err != nil {
				return err
			}
			intercept = on != minus
			interceptPos = t.pos
			if err := p.afterTerm("the intercept"); err != nil {
				return err
			}
		case tokName:
			if minus {
				return errorf(t.pos, `removing a term with "-" is supported only for the intercept ("- 1")`).withHint("delete %q instead", t.text)
			}
			p.inRandom = true
			prod, err := p.parseProduct()
			p.inRandom = false
			if err != nil {
				return err
			}
			for _, pt := range prod {
				if !slices.ContainsFunc(terms, func(u pterm) bool { return u.vars.key() == pt.vars.key() }) {
					terms = append(terms, pt)
				}
			}
		case tokLParen:
			return errorf(t.pos, "nested parentheses are not supported")
		case tokBar, tokDoubleBar:
			return errorf(t.pos, "missing effects before %q", t.text).withHint("a random term looks like (1 | g)")
		default:
			p.next()
			return unexpected(t)
		}
	}

	barTok := p.next()
	if barTok.kind != tokBar && barTok.kind != tokDoubleBar {
		if barTok.kind == tokRParen {
			return errorf(barTok.pos, `expected "|" or "||" before ")"`).withHint("a random term looks like (1 + x | g)")
		}
		return unexpected(barTok)
	}
	group := p.next()
	if group.kind != tokName {
		if group.kind == tokLParen || group.kind == tokRParen || group.kind == tokEOF {
			return errorf(group.pos, "expected the grouping factor after %q, found %s", barTok.text, describe(group))
		}
		return unexpected(group)
	}
	if err := p.noCall(group); err != nil {
		return err
	}
	if t := p.peek(); t.kind == tokOperator {
		switch t.text {
		case "/":
			return errorf(t.pos, "nested grouping factors (%s/...) are not supported", quoteName(group.text)).withHint("use one grouping factor")
		case "%in%":
			return errorf(t.pos, "nested grouping factors (%s %%in%% ...) are not supported", quoteName(group.text)).withHint("use one grouping factor")
		case "*":
			return errorf(t.pos, "crossed grouping factors (%s*...) are not supported", quoteName(group.text)).withHint("use one grouping factor")
		case ":":
			return errorf(t.pos, "nested grouping by an interaction (%s:...) is not supported", quoteName(group.text)).
				withHint("use one grouping factor column; to group by combinations of columns, add a column that joins them")
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
	b := bar{
		pos:     open.pos,
		written: string(p.src[open.pos-1 : closing.pos]),
		pipe:    barTok.kind == tokBar,
		effects: n,
	}
	if n == 0 {
		return errorf(open.pos, "random term %s has no effects", b.written)
	}
	if n == 1 && len(terms) == 1 {
		b.slope = terms[0].vars
	}
	return p.addRandom(group, b, intercept, interceptPos, terms)
}

// addRandom merges one random term into the formula. Several terms for the
// same grouping factor combine, as (1 | g) + (0 + x | g) does in lme4.
func (p *parser) addRandom(group token, b bar, intercept bool, interceptPos int, terms []pterm) *FormulaError {
	if p.groupPos != 0 && group.text != p.f.Group {
		return errorf(group.pos, "more than one grouping factor (%s and %s): crossed or nested grouping factors are not supported",
			strconv.Quote(p.f.Group), strconv.Quote(group.text)).withHint("use one grouping factor")
	}
	p.f.Group, p.groupPos = group.text, group.pos
	p.bars = append(p.bars, b)
	if p.randomPos == nil {
		p.randomPos = map[string]int{}
	}
	if intercept {
		if p.f.RandomIntercept {
			return errorf(b.pos, "the random intercept for %q appears twice", group.text)
		}
		p.f.RandomIntercept = true
		p.randomIcpPos = interceptPos
		if p.randomIcpPos == 0 {
			p.randomIcpPos = b.pos
		}
	}
	for _, t := range terms {
		if _, dup := p.randomPos[t.vars.key()]; dup {
			return errorf(t.pos, "the random slope of %s for %q appears twice", termQuote(t.vars), group.text)
		}
		p.randomPos[t.vars.key()] = t.pos
		p.f.Random = append(p.f.Random, t.vars)
	}
	return nil
}

// termQuote writes a term for a message, in double quotes.
func termQuote(t Term) string {
	return strconv.Quote(t.String())
}

// check applies the rules that relate the parts of a parsed formula.
func (p *parser) check() *FormulaError {
	f := p.f
	end := len(p.src) + 1
	// One "|" term correlates its effects; several terms for the group are
	// independent of each other (checkBars).
	f.Correlated = len(p.bars) == 1 && p.bars[0].pipe
	if f.Group == "" {
		return errorf(end, "no random term").withHint("a mixed model needs one, as in %s ~ ... + (1 | g)", quoteName(f.Response))
	}
	if pos, ok := p.varPos[f.Response]; ok {
		return errorf(pos, "the response %q cannot also be a predictor", f.Response)
	}
	for _, r := range f.Random {
		if slices.Contains(r, f.Response) {
			return errorf(p.randomPos[r.key()], "the response %q cannot also be a predictor", f.Response)
		}
	}
	if f.Group == f.Response {
		return errorf(p.groupPos, "the response %q cannot also be the grouping factor", f.Response)
	}
	for _, r := range f.Random {
		if slices.Contains(r, f.Group) {
			return errorf(p.randomPos[r.key()], "the grouping factor %q cannot have a random slope for itself", f.Group)
		}
	}
	for k, r := range f.Random {
		f.Random[k] = p.inVarOrder(r)
	}
	for _, r := range f.Random {
		if _, ok := p.fixedPos[r.key()]; !ok {
			fixed := *f
			fixed.Fixed = append(slices.Clip(f.Fixed), r)
			return errorf(p.randomPos[r.key()], "random term %s must also be a fixed term", termQuote(r)).withHint("add it, as in %s", fixed.String())
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
	return p.checkBars()
}

// checkBars refuses a "|" term with several effects combined with other
// terms for the group: its effects would be correlated among themselves
// only, a block of a block-diagonal covariance, which the model cannot
// express. It records the slopes written alone in a "|" term, which Build
// checks.
func (p *parser) checkBars() *FormulaError {
	f := p.f
	if len(p.bars) == 1 {
		return nil
	}
	for _, b := range p.bars {
		if b.pipe && b.effects > 1 {
			correlated, independent := *f, *f
			correlated.Correlated = true
			return errorf(b.pos, "the correlated random term %s cannot be combined with another random term for %q", b.written, f.Group).
				withHint("write all effects of %s in one term: %s for correlated effects, or %s for independent ones",
					quoteName(f.Group), correlated.randomString(), independent.randomString())
		}
		if b.pipe && b.slope != nil {
			f.pipeSlopes = append(f.pipeSlopes, p.inVarOrder(b.slope))
		}
	}
	return nil
}

// String returns the formula in canonical form: fixed terms in order, the
// intercept written only when it must be ("0 +", or "1" alone), and one
// random term, "|" when it is correlated or a random intercept alone.
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
		b.WriteString(x.String())
		b.WriteString(" + ")
	}
	if f.Group == "" {
		return strings.TrimSuffix(b.String(), " + ")
	}
	b.WriteString(f.randomString())
	return b.String()
}

// randomString writes the random part as one term in canonical form.
func (f *Formula) randomString() string {
	parts := make([]string, 0, len(f.Random)+1)
	if f.RandomIntercept {
		parts = append(parts, "1")
	} else {
		parts = append(parts, "0")
	}
	for _, t := range f.Random {
		parts = append(parts, t.String())
	}
	// A random intercept alone has no correlation: "|", as lme4 users write it.
	bar := "||"
	if f.Correlated || f.RandomIntercept && len(f.Random) == 0 {
		bar = "|"
	}
	return "(" + strings.Join(parts, " + ") + " " + bar + " " + quoteName(f.Group) + ")"
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
