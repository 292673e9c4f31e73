package sqlite

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"gongconnector/internal/core"
)

// Prefix expansion. A query word with a trailing '*' matches every term it
// begins; FTS5 answers that by merging the full doclists of all those terms
// before the first row comes out, so the cost grows with every call holding
// any of them, whatever the query reads. Rewritten as an OR of the terms,
// FTS5 reads the doclists side by side, newest first, and a search stops
// after its window (measured at 969,895 calls: "integr*" 79 ms native, 9 ms
// as the OR of its three completions).
//
// The completions come from the index's vocabulary (call_vocab), which is
// costly to read (it counts every posting of the terms it lists, ~30 ms at a
// million calls), so they are cached by prefix. A cached list is used while
// the calls are unchanged or for prefixCacheAge after they change: a word
// first indexed since then is found by a prefix query up to that much
// later. A prefix with no completion, more than maxCompletions, or letters
// the tokenizer folds (diacritics) is left to FTS5, which is always right.

// maxCompletions is the most terms a prefix is rewritten to; FTS5 merges a
// prefix with more. gc_rank scores at most maxRankPhrases phrases in all.
const maxCompletions = 24

// prefixCacheAge is how long a prefix's completions are used after the
// calls change.
const prefixCacheAge = time.Minute

// maxPrefixes bounds the cache; it is emptied when full.
const maxPrefixes = 4096

type prefixCache struct {
	mu sync.Mutex
	m  map[string]prefixEntry
}

type prefixEntry struct {
	terms      []string // nil: leave the prefix to FTS5
	generation int64
	at         time.Time
}

// completions maps a prefix term's last word, folded as the index folds
// it, to the terms it completes to. A word missing from it is matched by
// FTS5's own prefix query.
type completions map[string][]string

// expandPrefixes returns the completions of the prefix terms of p.
func (db *DB) expandPrefixes(ctx context.Context, tx *readTx, p core.Parsed) (completions, error) {
	var out completions
	gen := int64(-1)
	phrases := 0
	for _, g := range p.Groups {
		phrases += len(g)
	}
	for _, g := range p.Groups {
		for _, t := range g {
			word, ok := prefixWord(t)
			if !ok {
				continue
			}
			if _, done := out[word]; done {
				continue
			}
			if gen < 0 {
				var err error
				if gen, err = generation(ctx, tx); err != nil {
					return nil, err
				}
			}
			terms, err := db.prefixTerms(ctx, tx, word, gen)
			if err != nil {
				return nil, err
			}
			// Each completion is a phrase gc_rank scores.
			if len(terms) == 0 || phrases+len(terms)-1 > maxRankPhrases {
				continue
			}
			phrases += len(terms) - 1
			if out == nil {
				out = completions{}
			}
			out[word] = terms
		}
	}
	return out, nil
}

// prefixWord returns the word a prefix term completes, lower-cased, and
// whether it can be expanded from the vocabulary: FTS5's tokenizer folds
// case and diacritics, and only the ASCII folding is done here.
func prefixWord(t core.Term) (string, bool) {
	words := termWords(t)
	if !t.Prefix || len(words) == 0 {
		return "", false
	}
	w := words[len(words)-1]
	if utf8.RuneCountInString(w) < core.MinPrefix {
		return "", false
	}
	for i := 0; i < len(w); i++ {
		if w[i] >= utf8.RuneSelf {
			return "", false
		}
	}
	return strings.ToLower(w), true
}

// prefixTerms returns the terms of the index that begin with prefix, or
// nil when FTS5 should match the prefix itself.
func (db *DB) prefixTerms(ctx context.Context, tx *readTx, prefix string, gen int64) ([]string, error) {
	c := &db.prefixes
	now := db.Now()
	c.mu.Lock()
	e, ok := c.m[prefix]
	c.mu.Unlock()
	if ok && (e.generation == gen || now.Sub(e.at) < prefixCacheAge) {
		return e.terms, nil
	}
	// Terms are compared as bytes; every completion sorts between the
	// prefix and the prefix followed by the highest code point.
	rows, err := tx.QueryContext(ctx, `SELECT term FROM call_vocab WHERE term >= ?1 AND term < ?2 LIMIT ?3`,
		prefix, prefix+string(utf8.MaxRune), maxCompletions+1)
	if err != nil {
		return nil, fmt.Errorf("complete %s*: %w", prefix, err)
	}
	defer rows.Close()
	var terms []string
	for rows.Next() {
		var term string
		if err := rows.Scan(&term); err != nil {
			return nil, fmt.Errorf("complete %s*: %w", prefix, err)
		}
		terms = append(terms, term)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("complete %s*: %w", prefix, err)
	}
	if len(terms) > maxCompletions {
		terms = nil
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxPrefixes {
		c.m = map[string]prefixEntry{}
	}
	c.m[prefix] = prefixEntry{terms: terms, generation: gen, at: now}
	c.mu.Unlock()
	return terms, nil
}
