package frame

import (
	"unicode"
)

// tokenKind is the lexical class of a formula token.
type tokenKind int

const (
	tokEOF       tokenKind = iota
	tokName                // a column name: x1, .x, my_var, `my var`
	tokNumber              // a numeric literal: 0, 1, 2.5
	tokTilde               // ~
	tokPlus                // +
	tokMinus               // -
	tokLParen              // (
	tokRParen              // )
	tokBar                 // |
	tokDoubleBar           // ||
	tokOperator            // an unsupported operator: : * / ^ %in% , and the like
	tokDot                 // . (all other columns)
	tokBad                 // a character that starts no token
)

// token is one lexeme of a formula with its 1-based position in runes.
type token struct {
	kind tokenKind
	text string // the name without backquotes, or the source text
	pos  int    // 1-based column of the first rune
}

// lex splits a formula into tokens. Unterminated backquotes produce an error
// at the opening quote.
func lex(src []rune) ([]token, *FormulaError) {
	var toks []token
	i := 0
	for i < len(src) {
		r := src[i]
		pos := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '`':
			j := i + 1
			for j < len(src) && src[j] != '`' {
				j++
			}
			if j == len(src) {
				return nil, &FormulaError{Pos: pos, Msg: "unterminated backquoted name"}
			}
			if j == i+1 {
				return nil, &FormulaError{Pos: pos, Msg: "empty backquoted name"}
			}
			toks = append(toks, token{tokName, string(src[i+1 : j]), pos})
			i = j + 1
		case isNameStart(src, i):
			j := i + 1
			for j < len(src) && isNameRune(src[j]) {
				j++
			}
			toks = append(toks, token{tokName, string(src[i:j]), pos})
			i = j
		case r == '.' && !(i+1 < len(src) && unicode.IsDigit(src[i+1])):
			toks = append(toks, token{tokDot, ".", pos})
			i++
		case unicode.IsDigit(r) || r == '.':
			j := i + 1
			for j < len(src) && (unicode.IsDigit(src[j]) || src[j] == '.' || src[j] == 'e' || src[j] == 'E') {
				j++
			}
			toks = append(toks, token{tokNumber, string(src[i:j]), pos})
			i = j
		case r == '|' && i+1 < len(src) && src[i+1] == '|':
			toks = append(toks, token{tokDoubleBar, "||", pos})
			i += 2
		case r == '%':
			// R's %op% operators, such as %in%.
			j := i + 1
			for j < len(src) && src[j] != '%' {
				j++
			}
			if j < len(src) {
				j++
			}
			toks = append(toks, token{tokOperator, string(src[i:j]), pos})
			i = j
		default:
			kind, ok := punctuation[r]
			if !ok {
				kind = tokBad
			}
			toks = append(toks, token{kind, string(r), pos})
			i++
		}
	}
	return append(toks, token{tokEOF, "", len(src) + 1}), nil
}

// punctuation maps single-rune tokens to their kinds.
var punctuation = map[rune]tokenKind{
	'~': tokTilde, '+': tokPlus, '-': tokMinus, '(': tokLParen, ')': tokRParen,
	'|': tokBar, ':': tokOperator, '*': tokOperator, '/': tokOperator,
	'^': tokOperator, ',': tokOperator, '=': tokOperator,
}

// isNameStart reports whether a syntactic R name starts at src[i]: a letter,
// or a dot not followed by a digit and followed by a name rune.
func isNameStart(src []rune, i int) bool {
	r := src[i]
	if unicode.IsLetter(r) {
		return true
	}
	if r != '.' || i+1 >= len(src) {
		return false
	}
	next := src[i+1]
	return !unicode.IsDigit(next) && isNameRune(next)
}

// isNameRune reports whether r may continue a syntactic R name.
func isNameRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_'
}
