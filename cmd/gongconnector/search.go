package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"
	"time"

	"gongconnector/internal/core"
	"gongconnector/internal/server"
)

func (p *program) search(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("search", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	as := fs.String("as", "", "search as this person (email, UPN or object id): only the calls they may see in Gong")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 10, "results to show (1-100)")
	withFacets := fs.Bool("facets", false, "also count accounts, deals, topics, trackers and months over the matches")
	p.helpFlags(fs, "search --config FILE [--as EMAIL] [--json] [--facets] QUERY\n\n"+
		"QUERY: words (all required), \"a phrase\", prefix*, a OR b, -excluded,\n"+
		"account:, deal:, participant:, topic:, tracker:, title: (a word or \"phrase\" in that field),\n"+
		"workspace:NAME_OR_ID, from:YYYY-MM-DD, to:YYYY-MM-DD (to: includes the day)")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	query := strings.TrimSpace(strings.Join(words, " "))
	if query == "" {
		return usageErr("say what to search for: gongconnector search --config FILE QUERY")
	}
	if *limit < 1 || *limit > 100 {
		return usageErr("--limit must be between 1 and 100")
	}
	visible, who, err := p.decideAs(ctx, *cfgPath, *as)
	if err != nil {
		return err
	}
	_, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	res, err := db.Search(ctx, core.Query{Text: query, Limit: *limit, Visibility: visible, Facets: *withFacets})
	if err != nil {
		return err
	}
	fmt.Fprintln(p.stderr, who)
	if *asJSON {
		return writeJSON(p.stdout, server.NewSearchResponse(res))
	}
	printHits(p.stdout, res, isTerminal(p.stdout))
	printFacets(p.stdout, res)
	return nil
}

// printFacets lists each facet's values with their counts on one line.
func printFacets(w io.Writer, res core.SearchResult) {
	f := res.Facets
	if f == nil {
		return
	}
	over := ""
	if f.Over < res.Total {
		over = fmt.Sprintf(" (in the newest %d of %d)", f.Over, res.Total)
	}
	fmt.Fprintf(w, "Facets%s:\n", over)
	for _, facet := range []struct {
		name   string
		values []core.FacetValue
	}{{"accounts", f.Accounts}, {"deals", f.Deals}, {"topics", f.Topics}, {"trackers", f.Trackers}, {"months", f.Months}} {
		if len(facet.values) == 0 {
			continue
		}
		parts := make([]string, len(facet.values))
		for i, v := range facet.values {
			parts[i] = fmt.Sprintf("%s (%d)", v.Value, v.Count)
		}
		fmt.Fprintf(w, "  %-9s %s\n", facet.name+":", strings.Join(parts, ", "))
	}
}

func printHits(w io.Writer, res core.SearchResult, bold bool) {
	if res.Total == 0 {
		fmt.Fprintln(w, "No calls found.")
		return
	}
	about := ""
	if res.Estimated {
		about = "About "
	}
	fmt.Fprintf(w, "%s%d calls found; showing %d.\n\n", about, res.Total, len(res.Hits))
	for i, h := range res.Hits {
		fmt.Fprintf(w, "%d. %s\n   %s · %s", i+1, h.Title, h.Started.UTC().Format("2006-01-02 15:04 UTC"), h.Duration.Round(time.Minute))
		if len(h.Accounts) > 0 {
			fmt.Fprintf(w, " · %s", strings.Join(h.Accounts, ", "))
		}
		if len(h.Deals) > 0 {
			fmt.Fprintf(w, " · deal: %s", strings.Join(h.Deals, ", "))
		}
		fmt.Fprintf(w, "\n   %s\n", h.URL)
		if h.Snippet != "" {
			var b strings.Builder
			for _, part := range core.SnippetParts(strings.Join(strings.Fields(h.Snippet), " ")) {
				if part.Match && bold {
					b.WriteString("\x1b[1m" + part.Text + "\x1b[0m")
				} else {
					b.WriteString(part.Text)
				}
			}
			fmt.Fprintf(w, "   %s\n", b.String())
		}
		fmt.Fprintln(w)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
