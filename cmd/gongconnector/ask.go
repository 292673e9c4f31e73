package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"gongconnector/internal/answer"
	"gongconnector/internal/config"
	"gongconnector/internal/llm"
	"gongconnector/internal/sqlite"
)

func (p *program) ask(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("ask", flag.ContinueOnError)
	cfgPath := fs.String("config", "", "configuration file")
	as := fs.String("as", "", "ask as this person (email, UPN or object id): answers use only the calls they may see in Gong")
	asJSON := fs.Bool("json", false, "print JSON: answer, intent, calls, citations")
	tz := fs.String("tz", "", "the asker's time zone for dates such as \"May 12\" or \"last week\" (IANA name; default: this machine's)")
	at := fs.String("now", "", "answer as if asked at this time (RFC 3339), for dates relative to now")
	p.helpFlags(fs, "ask --config FILE [--as EMAIL] [--json] QUESTION\n\n"+
		"QUESTION in plain language, for example:\n"+
		"  \"What are the action items from the Q2 planning meeting with Acme Corp on May 12?\"\n"+
		"  \"What topics come up repeatedly in calls with Fabrikam Inc?\"\n"+
		"  \"Who was the decision maker in the contract review meeting with Northwind Traders?\"")
	words, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	question := strings.TrimSpace(strings.Join(words, " "))
	if question == "" {
		return usageErr("say what to ask: gongconnector ask --config FILE QUESTION")
	}
	loc := time.Local
	if *tz != "" {
		if loc, err = time.LoadLocation(*tz); err != nil {
			return usageErr("--tz %q is not a time zone name such as Europe/Paris or America/New_York", *tz)
		}
	}
	now := time.Now()
	if *at != "" {
		if now, err = time.Parse(time.RFC3339, *at); err != nil {
			return usageErr("--now %q is not a time such as 2026-05-20T12:00:00Z", *at)
		}
	}
	visible, who, err := p.decideAs(ctx, *cfgPath, *as)
	if err != nil {
		return err
	}
	cfg, db, err := p.openIndex(ctx, *cfgPath)
	if err != nil {
		return err
	}
	defer db.Close()
	eng, err := answerEngine(cfg, db, p.logger(false))
	if err != nil {
		return err
	}
	a, err := eng.Ask(ctx, answer.Request{Question: question, Visibility: visible, Location: loc, Now: now})
	if err != nil {
		return err
	}
	fmt.Fprintln(p.stderr, strings.Replace(who, "searching", "answering", 1))
	if *asJSON {
		return writeJSON(p.stdout, a)
	}
	printAnswer(p.stdout, a, loc)
	return nil
}

// printAnswer writes the answer, then its calls and the cited passages with
// their moment in the call.
func printAnswer(w io.Writer, a *answer.Answer, loc *time.Location) {
	fmt.Fprintln(w, a.Answer)
	if len(a.Calls) == 0 {
		return
	}
	fmt.Fprintln(w, "\nSources:")
	index := map[string]int{}
	for i, c := range a.Calls {
		index[c.ID] = i + 1
		fmt.Fprintf(w, "[%d] %s · %s\n    %s\n", i+1, c.Title, c.Started.In(loc).Format("Jan 2, 2006 15:04 MST"), c.URL)
	}
	if len(a.Citations) == 0 {
		return
	}
	fmt.Fprintln(w, "\nCited:")
	for _, c := range a.Citations {
		at := ""
		if c.StartTime != nil {
			s := int(*c.StartTime)
			at = fmt.Sprintf(" at %d:%02d", s/60, s%60)
		}
		fmt.Fprintf(w, "[%d%s] %s\n", index[c.CallID], at, c.Text)
	}
}

// answerEngine answers from db, phrased by the configured model if any.
func answerEngine(cfg *config.Config, db *sqlite.DB, log *slog.Logger) (*answer.Engine, error) {
	opts := []answer.Option{answer.WithLogger(log)}
	if l := cfg.Answer.LLM; l.Enabled() {
		model, err := llm.New(llm.Options{BaseURL: l.BaseURL, Model: l.Model, APIKey: l.APIKey, Timeout: l.Timeout.D()})
		if err != nil {
			return nil, err
		}
		opts = append(opts, answer.WithPhraser(model))
	}
	return answer.New(db, opts...), nil
}
