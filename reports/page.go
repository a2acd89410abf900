package reports

import (
	"encoding/base64"
	"fmt"
	"html"
	"io"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/vg"
)

// Page is a self-contained HTML report: a title, an introduction and
// sections of tables and figures. WriteHTML writes it with inline CSS and
// figures embedded as data URIs, so the file needs no other resource.
type Page struct {
	// Title is the page title and top heading.
	Title string
	// Intro is optional text under the title; blank lines separate
	// paragraphs.
	Intro string
	// Sections are written in order.
	Sections []Section
}

// Section is one part of a Page: a heading, text, tables, then figures.
type Section struct {
	// Heading is the section heading.
	Heading string
	// Text is optional prose; blank lines separate paragraphs.
	Text string
	// Tables are rendered with HTMLRenderer, in order.
	Tables []*Table
	// Figures are embedded after the tables, in order.
	Figures []Figure
}

// Figure is a plot embedded in a Page.
type Figure struct {
	// Plot is drawn at Width × Height.
	Plot *plot.Plot
	// Caption is printed under the figure.
	Caption string
	// Width and Height default to DefaultWidth and DefaultHeight.
	Width, Height vg.Length
	// Format is "svg" (the default) or "png".
	Format string
}

// WriteHTML writes page as one HTML5 document to w. Figures are embedded
// as base64 data URIs (image/svg+xml or image/png); no external URL is
// referenced. It returns encoding and write errors.
func WriteHTML(w io.Writer, page Page) error {
	ew := &errWriter{w: w}
	title := html.EscapeString(page.Title)
	ew.WriteString("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	ew.WriteString("<title>" + title + "</title>\n<style>\n" + pageCSS + "</style>\n</head>\n<body>\n")
	ew.WriteString("<h1>" + title + "</h1>\n")
	ew.WriteString(htmlText(page.Intro))
	for si, s := range page.Sections {
		ew.WriteString("<section>\n<h2>" + html.EscapeString(s.Heading) + "</h2>\n")
		ew.WriteString(htmlText(s.Text))
		if ew.err != nil {
			break
		}
		for _, t := range s.Tables {
			if err := (HTMLRenderer{}).Render(w, t); err != nil {
				return fmt.Errorf("reports: page %q section %d: %w", page.Title, si, err)
			}
		}
		for fi, f := range s.Figures {
			uri, err := f.dataURI()
			if err != nil {
				return fmt.Errorf("reports: page %q section %d figure %d: %w", page.Title, si, fi, err)
			}
			ew.WriteString("<figure>\n<img src=\"" + uri + "\" alt=\"" + html.EscapeString(f.Caption) + "\">\n")
			if f.Caption != "" {
				ew.WriteString("<figcaption>" + html.EscapeString(f.Caption) + "</figcaption>\n")
			}
			ew.WriteString("</figure>\n")
		}
		ew.WriteString("</section>\n")
	}
	ew.WriteString("</body>\n</html>\n")
	if ew.err != nil {
		return fmt.Errorf("reports: writing page %q: %w", page.Title, ew.err)
	}
	return nil
}

// dataURI encodes the figure as a base64 data URI.
func (f Figure) dataURI() (string, error) {
	format := strings.ToLower(f.Format)
	if format == "" {
		format = "svg"
	}
	mime := map[string]string{"svg": "image/svg+xml", "png": "image/png"}[format]
	if mime == "" {
		return "", fmt.Errorf("reports: figure format %q, want svg or png", f.Format)
	}
	if f.Plot == nil {
		return "", fmt.Errorf("reports: figure %q has no plot", f.Caption)
	}
	b, err := Encode(f.Plot, f.Width, f.Height, format)
	if err != nil {
		return "", err
	}
	return "data:" + mime + ";base64," + base64.StdEncoding.EncodeToString(b), nil
}

// pageCSS is the page's only style sheet.
const pageCSS = `body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
h1 { border-bottom: 2px solid #444; }
h2 { border-bottom: 1px solid #aaa; margin-top: 2.5rem; }
table { border-collapse: collapse; margin: 1rem 0 0.3rem; font-variant-numeric: tabular-nums; }
caption { text-align: left; padding-bottom: 0.3rem; }
th, td { padding: 0.2rem 0.7rem; text-align: left; }
thead th { border-top: 2px solid #222; border-bottom: 1px solid #222; }
tbody tr:last-child td { border-bottom: 2px solid #222; }
.num { text-align: right; }
ol.notes, p.note { font-size: 0.85rem; color: #555; margin-top: 0.2rem; }
figure { margin: 1.5rem 0; }
figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.9rem; color: #444; }
`
