package question

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// maxTokens bounds the words of one question that are understood. A question
// is a sentence or two; bounding it keeps every step linear in practice even
// for a pasted transcript, and the rest of the text is still in Meaning.Text.
const maxTokens = 1000

// token is one word of a question or of a stored name.
type token struct {
	raw        string // the word as written, without a possessive 's
	norm       string // folded: lower case, no diacritics, no apostrophes
	stem       string // norm without a plural ending, for matching vocabulary
	start, end int    // byte offsets of raw in the text
	sep        string // the text between the previous word and this one
	capital    bool   // the first letter is upper case
	initial    bool   // the first word of a sentence, capitalised by grammar not by choice
	quoted     bool   // inside quotation marks
	possessive bool   // the word carried 's or ’s
	number     bool   // ASCII digits only (after folding, so full-width digits count)
}

// isWordRune reports whether r continues a word: letters, digits and the
// combining marks that decorate them.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc, unicode.Me)
}

func isApostrophe(r rune) bool {
	switch r {
	case '\'', '’', 'ʼ', '‘', '`', '´', '′':
		return true
	}
	return false
}

// tokenize splits text into words. Anything that is not a letter or a digit
// separates words, except an apostrophe between two letters ("don't",
// "O'Brien", "Acme's"); a trailing 's is dropped and remembered as a
// possessive so that "Acme's" names Acme. A standalone '&' is the word "and",
// so "Johnson & Johnson" and "Johnson and Johnson" are the same words.
// Invalid UTF-8 separates words like any other non-letter.
func tokenize(s string) []token {
	var toks []token
	var double, single bool
	initial := true
	sepStart := 0
	prevWord := false // the previous rune was part of a word
	for i := 0; i < len(s) && len(toks) < maxTokens; {
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isWordRune(r) {
			nextWord := false
			if i+size < len(s) {
				r2, _ := utf8.DecodeRuneInString(s[i+size:])
				nextWord = isWordRune(r2)
			}
			switch {
			case r == '"':
				double = !double
			case r == '“' || r == '«' || r == '„':
				double = true
			case r == '”' || r == '»':
				double = false
			case isApostrophe(r):
				// Between a space and a word it opens a quote; between a word
				// and a space it closes one (or ends a plural possessive).
				if !prevWord && nextWord {
					single = true
				} else if prevWord && !nextWord {
					single = false
				}
			case r == '.' || r == '?' || r == '!' || r == ';' || r == ':' || r == '\n':
				initial = true
			case r == '&' && !prevWord && !nextWord:
				toks = append(toks, token{raw: "&", norm: "and", stem: "and", start: i, end: i + size,
					sep: s[sepStart:i], quoted: double || single})
				sepStart = i + size
			}
			prevWord = false
			i += size
			continue
		}
		start := i
		for i < len(s) {
			r, size := utf8.DecodeRuneInString(s[i:])
			if isWordRune(r) {
				i += size
				continue
			}
			if isApostrophe(r) && i+size < len(s) {
				if r2, _ := utf8.DecodeRuneInString(s[i+size:]); isWordRune(r2) {
					i += size
					continue
				}
			}
			break
		}
		prevWord = true
		t := token{raw: s[start:i], start: start, sep: s[sepStart:start], quoted: double || single, initial: initial}
		sepStart = i
		if n := len(t.raw); n >= 3 && (t.raw[n-1] == 's' || t.raw[n-1] == 'S') {
			if a, size := utf8.DecodeLastRuneInString(t.raw[:n-1]); isApostrophe(a) && n-1-size > 0 {
				t.raw = t.raw[:n-1-size]
				t.possessive = true
			}
		}
		t.end = start + len(t.raw)
		t.norm = fold(t.raw)
		if t.norm == "" {
			continue // only marks: nothing to match
		}
		initial = false
		t.stem = stem(t.norm)
		first, _ := utf8.DecodeRuneInString(t.raw)
		t.capital = unicode.IsUpper(first) || unicode.IsTitle(first)
		t.number = isDigits(t.norm)
		toks = append(toks, t)
	}
	return toks
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// fold makes the spelling of a word comparable: lower case, compatibility
// forms unified (full-width letters, ligatures), diacritics and apostrophes
// removed, and the few Latin letters that do not decompose spelled out
// ("Ø" is "o", "ß" is "ss"), so "Müller", "MULLER" and "muller" are one word.
func fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	if ascii {
		// Most words are already folded: no need to copy them.
		folded := true
		for i := 0; i < len(s) && folded; i++ {
			c := s[i]
			folded = 'a' <= c && c <= 'z' || '0' <= c && c <= '9'
		}
		if folded {
			return s
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case 'A' <= c && c <= 'Z':
				b.WriteByte(c + 'a' - 'A')
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
				b.WriteByte(c)
			}
		}
		return b.String()
	}
	for _, r := range norm.NFKD.String(s) {
		if m := foldLetter(r); m != "" {
			b.WriteString(m)
			continue
		}
		// NFKD can produce punctuation ("¼" is "1⁄4"); only letters and digits
		// are part of a word.
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mc, r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// foldLetter spells the Latin letters that Unicode does not decompose into a
// base letter and a mark.
func foldLetter(r rune) string {
	switch r {
	case 'ø', 'Ø':
		return "o"
	case 'æ', 'Æ':
		return "ae"
	case 'œ', 'Œ':
		return "oe"
	case 'ß', 'ẞ':
		return "ss"
	case 'đ', 'Đ', 'ð', 'Ð':
		return "d"
	case 'þ', 'Þ':
		return "th"
	case 'ł', 'Ł':
		return "l"
	case 'ı':
		return "i"
	case 'ħ', 'Ħ':
		return "h"
	}
	return ""
}

// stem removes a plural ending so that "topics" and "topic", "summaries" and
// "summary" are one word for the vocabulary of questions. It is crude on
// purpose: it is applied the same way to the vocabulary and to the question,
// so "does" becoming "doe" does no harm.
func stem(w string) string {
	n := len(w)
	switch {
	case n > 4 && strings.HasSuffix(w, "ies"):
		return w[:n-3] + "y"
	case n > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes") || strings.HasSuffix(w, "sses")):
		return w[:n-2]
	case n > 3 && w[n-1] == 's' && !strings.HasSuffix(w, "ss") && !strings.HasSuffix(w, "us") && !strings.HasSuffix(w, "is"):
		return w[:n-1]
	}
	return w
}

// companySuffix is a word, or a few words, that ends company names.
type companySuffix struct {
	canon string // one spelling for all variants: "corporation" and "corp" are "corp"
	// descriptive marks real words that people drop in speech ("Fabrikam" for
	// "Fabrikam Technologies") but that can also be what makes a name
	// ("Summit Group"): they are dropped only when what remains is distinctive.
	descriptive bool
}

// companySuffixes are the endings of company names.
//
// Legal forms (Inc, Corp, Ltd, LLC, GmbH, SA, PLC, ...) are never said in a
// question that means the company, and carry no meaning of their own: they
// are always dropped. Dotted forms ("L.L.C.", "S.A.") arrive as one letter
// per word. "Co" and "Company" are legal forms in practice ("Ford Motor
// Company", "Acme Co").
//
// Descriptive words (Group, Holdings, Technologies, Systems, Solutions,
// International, ...) and web endings (".com", ".io", ".ai") are dropped from
// a name only when the rest is still distinctive: "Cisco Systems" answers to
// "Cisco", but "Summit Group" needs "Group", since "summit" alone is an
// ordinary word.
var companySuffixes = buildSuffixes(
	"inc incorporated=inc corp corporation=corp co company=co cos=co ltd limited=ltd "+
		"llc l_l_c=llc llp l_l_p=llp lp l_p=lp plc p_l_c=plc pllc lc ulc "+
		"gmbh mbh ag kg kgaa sa s_a=sa sas s_a_s=sas sarl srl s_r_l=srl spa s_p_a=spa sl "+
		"bv b_v=bv nv n_v=nv ab oy oyj asa a_s=as aps kk k_k=kk pty pte bhd sdn pvt "+
		"private_limited=pvt_ltd sro s_r_o=sro zrt kft doo",
	"group grp holdings=holding holding technologies=technology technology tech "+
		"systems=system system solutions=solution solution international intl=international "+
		"industries=industry industry enterprises=enterprise enterprise global worldwide "+
		"labs=lab lab partners=partner ventures=venture software services=service com io ai",
)

func buildSuffixes(legal, descriptive string) map[string]companySuffix {
	m := map[string]companySuffix{}
	add := func(list string, desc bool) {
		for _, f := range strings.Fields(list) {
			variant, canon, ok := strings.Cut(f, "=")
			if !ok {
				canon = variant
			}
			m[strings.ReplaceAll(variant, "_", " ")] = companySuffix{canon: strings.ReplaceAll(canon, "_", " "), descriptive: desc}
		}
	}
	add(legal, false)
	add(descriptive, true)
	return m
}

// maxSuffixWords is the most words in one entry of companySuffixes ("s a s").
const maxSuffixWords = 3

// suffixAt reports the company suffix that starts at words[i], longest first.
func suffixAt(words []string, i int) (companySuffix, int) {
	for n := min(maxSuffixWords, len(words)-i); n >= 1; n-- {
		if s, ok := companySuffixes[strings.Join(words[i:i+n], " ")]; ok {
			return s, n
		}
	}
	return companySuffix{}, 0
}

// suffixBefore reports the company suffix that ends just before words[end].
func suffixBefore(words []string, end int) (companySuffix, int) {
	for n := min(maxSuffixWords, end); n >= 1; n-- {
		if s, ok := companySuffixes[strings.Join(words[end-n:end], " ")]; ok {
			return s, n
		}
	}
	return companySuffix{}, 0
}

// nameKey reduces a name's words to the words a question must contain to
// mean it (the key), and the canonical suffixes that were removed, in order.
// A leading "the" goes ("The Home Depot" is "Home Depot"); suffixes go from
// the end while at least one word remains and, for descriptive ones, while
// the rest stays distinctive.
func nameKey(words []string) (key []string, suffixes []string) {
	key = words
	if len(key) > 1 && key[0] == "the" {
		key = key[1:]
	}
	for len(key) > 1 {
		s, n := suffixBefore(key, len(key))
		if n == 0 || n >= len(key) {
			break
		}
		rest := key[:len(key)-n]
		if s.descriptive && allCommon(rest) {
			break
		}
		suffixes = append([]string{s.canon}, suffixes...)
		key = rest
	}
	return key, suffixes
}

// allCommon reports whether every word is an ordinary word of questions or
// of English, so that finding it in a question is no evidence of a name.
func allCommon(words []string) bool {
	for _, w := range words {
		if !isCommonWord(w) {
			return false
		}
	}
	return true
}

// isCommonWord reports whether w is a word that occurs in questions for its
// own meaning: English function and frequent words, the vocabulary this
// package understands (intents, dates, meetings), numbers and single letters.
func isCommonWord(w string) bool {
	if len(w) <= 1 || isDigits(w) {
		return true
	}
	if commonWords[w] || stopWords[w] || vocabulary[w] || alwaysCapitalized(w) {
		return true
	}
	s := stem(w)
	return commonWords[s] || stopWords[s] || vocabulary[s]
}

// alwaysCapitalized reports words English capitalises whatever they mean
// (months, weekdays, quarters), for which a capital letter is no evidence
// of a company name.
func alwaysCapitalized(w string) bool {
	if _, ok := monthNames[w]; ok {
		return true
	}
	if _, ok := weekdayNames[w]; ok {
		return true
	}
	if len(w) == 2 && (w[0] == 'q' || w[0] == 'h') && w[1] >= '1' && w[1] <= '4' {
		return true
	}
	return w == "i"
}

// Catalog knows the account and deal names present in the index, so that a
// question's "Acme", "acme corp" or "ACME Corporation" resolves to the stored
// "Acme Corp". It is read-only once built and safe for concurrent use.
//
// Names are found by their key (see nameKey), indexed by the key's first
// word, so finding the names in a question costs a map look-up per word
// whatever the size of the catalog.
type Catalog struct {
	accounts   []nameEntry
	accountsBy map[string][]int32 // first key word -> accounts
	aliasesBy  map[string][]int32 // distinctive first word of a longer key -> accounts
	deals      []dealEntry
	dealsBy    map[string][]int32 // first key word -> deals
	dealHeads  map[string][]int32 // joined head key or alias -> indices into dealTails
	dealTails  []map[string][]int32
	maxHead    int // most words in a deal head key
	maxTail    int // most words in a deal tail
}

// nameEntry is one stored account name.
type nameEntry struct {
	name     string
	key      []string
	suffixes string // canonical suffixes removed from the key, space-separated
	// common reports that every key word is an ordinary word, so a question
	// must show it means the name (see evidence).
	common bool
	legal  []string // the name without legal suffixes: the longest form a deal may start with
}

// dealEntry is one stored deal name. A deal is found by its whole key
// ("Acme Multi-year Renewal") or by its tail ("multi-year renewal") when the
// question also names its head (the account, "Acme").
type dealEntry struct {
	name       string
	key        []string
	common     bool
	head       []string // key of the part naming the account; nil when none
	tail       []string // the part naming the deal itself
	tailCommon bool
	// needsDealWord is set when the deal's name says no more than its
	// account's: only "the Acme deal" can mean the deal rather than Acme.
	needsDealWord bool
}

// NewCatalog indexes account and deal names as stored. Empty and duplicate
// names are ignored.
func NewCatalog(accounts, deals []string) *Catalog {
	c := &Catalog{
		accountsBy: make(map[string][]int32, len(accounts)),
		aliasesBy:  map[string][]int32{},
		dealsBy:    make(map[string][]int32, len(deals)),
		dealHeads:  map[string][]int32{},
	}
	seen := map[string]bool{}
	for _, name := range accounts {
		if seen[name] {
			continue
		}
		seen[name] = true
		words := norms(tokenize(name))
		if len(words) == 0 {
			continue
		}
		key, suffixes := nameKey(words)
		legal := legalStripped(words)
		c.accountsBy[key[0]] = append(c.accountsBy[key[0]], int32(len(c.accounts)))
		// People shorten a name to its first word when that word is
		// distinctive: "Northwind" for "Northwind Traders".
		if len(key) > 1 && len(key[0]) >= 4 && !isCommonWord(key[0]) {
			c.aliasesBy[key[0]] = append(c.aliasesBy[key[0]], int32(len(c.accounts)))
		}
		c.accounts = append(c.accounts, nameEntry{
			name: name, key: key, suffixes: strings.Join(suffixes, " "), common: allCommon(key), legal: legal,
		})
	}
	accountKeys := map[string]bool{}
	for _, a := range c.accounts {
		accountKeys[strings.Join(a.key, " ")] = true
		accountKeys[strings.Join(a.legal, " ")] = true
	}
	clear(seen)
	for _, name := range deals {
		if seen[name] {
			continue
		}
		seen[name] = true
		c.addDeal(name, accountKeys)
	}
	return c
}

func norms(toks []token) []string {
	words := make([]string, len(toks))
	for i, t := range toks {
		words[i] = t.norm
	}
	return words
}

// legalStripped removes a leading "the" and legal-form suffixes anywhere:
// they are never part of what a question says ("Acme Corp - Renewal" is
// asked about as "the Acme renewal").
func legalStripped(words []string) []string {
	if len(words) > 1 && words[0] == "the" {
		words = words[1:]
	}
	var out []string
	for i := 0; i < len(words); {
		if s, n := suffixAt(words, i); n > 0 && !s.descriptive && len(words) > n {
			i += n
			continue
		}
		out = append(out, words[i])
		i++
	}
	if len(out) == 0 {
		return words
	}
	return out
}

// isDealSeparator reports whether the text between two words of a deal name
// separates its account part from the rest: " - ", "–", ":", "|".
func isDealSeparator(sep string) bool {
	return strings.ContainsAny(sep, "–—|:/") || strings.Contains(sep, "-") && strings.ContainsAny(sep, " \t")
}

func (c *Catalog) addDeal(name string, accountKeys map[string]bool) {
	toks := tokenize(name)
	if len(toks) == 0 {
		return
	}
	key := legalStripped(norms(toks))
	d := dealEntry{name: name, key: key, common: allCommon(key)}
	// The head is the part before a separator, or else the longest account
	// name the deal starts with.
	split := -1
	for i := 1; i < len(toks); i++ {
		if isDealSeparator(toks[i].sep) {
			split = i
			break
		}
	}
	var head, tail []string
	if split > 0 {
		head, tail = legalStripped(norms(toks[:split])), legalStripped(norms(toks[split:]))
		if len(head) == 1 && len(tail) == 1 && head[0] == tail[0] {
			head, tail = nil, nil // a one-word name split oddly
		}
		if head != nil {
			head, _ = nameKey(head)
		}
	} else {
		best := 0
		for _, ai := range c.accountsBy[key[0]] {
			a := c.accounts[ai]
			for _, form := range [][]string{a.legal, a.key} {
				if len(form) > best && len(form) <= len(key) && slices.Equal(form, key[:len(form)]) {
					best, head = len(form), a.key
				}
			}
		}
		if best > 0 {
			tail = key[best:]
		}
	}
	if len(head) > 0 && len(tail) > 0 {
		d.head, d.tail, d.tailCommon = head, tail, allCommon(tail)
	}
	// A deal named like an account, or like nothing but its account.
	d.needsDealWord = accountKeys[strings.Join(key, " ")] || head != nil && len(tail) == 0
	idx := int32(len(c.deals))
	c.deals = append(c.deals, d)
	c.dealsBy[key[0]] = append(c.dealsBy[key[0]], idx)
	if d.head != nil {
		h := strings.Join(d.head, " ")
		his := c.dealHeads[h]
		if len(his) == 0 {
			his = []int32{int32(len(c.dealTails))}
			c.dealHeads[h] = his
			c.dealTails = append(c.dealTails, map[string][]int32{})
			// The head may be shortened like an account's name.
			if a := d.head[0]; len(d.head) > 1 && len(a) >= 4 && !isCommonWord(a) {
				c.dealHeads[a] = append(c.dealHeads[a], his[0])
			}
		}
		t := strings.Join(d.tail, " ")
		c.dealTails[his[0]][t] = append(c.dealTails[his[0]][t], idx)
		c.maxHead = max(c.maxHead, len(d.head))
		c.maxTail = max(c.maxTail, len(d.tail))
	}
}

// nameMatch is a stored name found in a question.
type nameMatch struct {
	name       string
	start, end int // token span in the question, suffixes included
	rank       int // how closely the question spelled the name (rankAlias to rankExact)
	extra      [][2]int
}

// How closely a question spelled a name. Where several names are mentioned
// by the same words, only the closest are kept.
const (
	rankAlias = iota // the first word of a longer name
	rankKey          // the name without its suffixes, or with other ones
	rankExact        // the name with its suffixes, in any spelling
)

// FindAccounts returns the stored account names that text mentions, best
// (longest, most specific) first.
func (c *Catalog) FindAccounts(text string) []string {
	toks := tokenize(text)
	return matchNames(c.matchAccounts(toks, caseInformative(toks)))
}

// FindDeals returns the stored deal names that text mentions, best first.
// A deal is mentioned by its name ("Acme Corp - Multi-year Renewal", "the
// Acme multi-year renewal"), or by what follows its account part while the
// account is named too ("the multi-year renewal with Acme"); naming only the
// account does not mention its deals.
func (c *Catalog) FindDeals(text string) []string {
	toks := tokenize(text)
	return matchNames(c.matchDeals(toks, caseInformative(toks)))
}

func matchNames(ms []nameMatch) []string {
	var out []string
	for _, m := range ms {
		if !slices.Contains(out, m.name) {
			out = append(out, m.name)
		}
	}
	return out
}

// caseInformative reports whether the question's capital letters carry
// information: not when it is written all in capitals, nor in Title Case,
// which the function words it contains reveal.
func caseInformative(toks []token) bool {
	var function, capitalized, letters, upper int
	for _, t := range toks {
		for _, r := range t.raw {
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
		if !t.initial && stopWords[t.norm] {
			function++
			if t.capital {
				capitalized++
			}
		}
	}
	if letters >= 6 && upper*10 >= letters*8 {
		return false
	}
	return function < 2 || capitalized*2 <= function
}

// evidence reports whether the question shows that words toks[start:end],
// all ordinary words, name a company: the words are quoted, or the question
// spelled a suffix after them (withSuffix), or one of them is capitalised
// where grammar would not capitalise it (not the first word of a sentence,
// not a month or weekday) in a question whose capitals mean something.
func evidence(toks []token, start, end int, withSuffix, informative bool) bool {
	if withSuffix {
		return true
	}
	for _, t := range toks[start:end] {
		if t.quoted {
			return true
		}
		if informative && t.capital && !t.initial && !alwaysCapitalized(t.norm) && !t.number {
			return true
		}
	}
	return false
}

// matchAccounts finds accounts in toks.
func (c *Catalog) matchAccounts(toks []token, informative bool) []nameMatch {
	if c == nil || len(c.accounts) == 0 {
		return nil
	}
	words := norms(toks)
	var found []nameMatch
	for i, w := range words {
		for _, ai := range c.accountsBy[w] {
			a := &c.accounts[ai]
			end := i + len(a.key)
			if end > len(words) || !slices.Equal(a.key, words[i:end]) || !sameSentence(toks, i, end) {
				continue
			}
			// Suffixes after the key belong to the mention: legal forms always,
			// descriptive words only when the stored name has them.
			var said []string
			for len(said) < 4 && end < len(toks) && sameSentence(toks, end-1, end+1) {
				s, n := suffixAt(words, end)
				if n == 0 || s.descriptive && !slices.Contains(strings.Fields(a.suffixes), s.canon) {
					break
				}
				said = append(said, s.canon)
				end += n
			}
			if a.common && !evidence(toks, i, i+len(a.key), len(said) > 0, informative) {
				continue
			}
			rank := rankKey
			if strings.Join(said, " ") == a.suffixes {
				rank = rankExact
			}
			found = append(found, nameMatch{name: a.name, start: i, end: end, rank: rank})
		}
		for _, ai := range c.aliasesBy[w] {
			found = append(found, nameMatch{name: c.accounts[ai].name, start: i, end: i + 1, rank: rankAlias})
		}
	}
	return bestMatches(found)
}

// sameSentence reports whether toks[start:end] are not split by sentence
// punctuation or a comma: a name is written in one piece.
func sameSentence(toks []token, start, end int) bool {
	for k := start + 1; k < end && k < len(toks); k++ {
		if sep := toks[k].sep; strings.ContainsAny(sep, ".,;:?!()[]{}\"“”\n") && !strings.Contains(sep, " - ") {
			// Punctuation inside a word is not the end of a sentence:
			// "Monday.com", "TL;DR"; nor are the dots of "S. A.".
			if !strings.ContainsFunc(sep, unicode.IsSpace) || strings.TrimSpace(sep) == "." && len(toks[k-1].norm) == 1 {
				continue
			}
			return false
		}
	}
	return true
}

// bestMatches keeps the longest mentions where mentions overlap and, among
// names mentioned by the same words, the most closely spelled; names that
// remain tied are all kept ("Acme" when "Acme Corp" and "Acme Inc" are both
// stored). The result is ordered best first: longer, then in the order of
// the question, then closer.
func bestMatches(found []nameMatch) []nameMatch {
	slices.SortStableFunc(found, func(a, b nameMatch) int {
		if d := (b.end - b.start) - (a.end - a.start); d != 0 {
			return d
		}
		if a.start != b.start {
			return a.start - b.start
		}
		return b.rank - a.rank
	})
	var kept []nameMatch
	for _, m := range found {
		ok := true
		for _, k := range kept {
			if m.start < k.end && k.start < m.end && (m.start != k.start || m.end != k.end || k.rank > m.rank) {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, m)
		}
	}
	return kept
}

// dealWords are the words that make "the Acme deal" a deal rather than Acme.
var dealWords = wordSet("deal deals opportunity opportunities opp opps oppty opty")

// matchDeals finds deals in toks. Legal suffixes in the question are
// skipped, as they were removed from the stored deal names.
func (c *Catalog) matchDeals(toks []token, informative bool) []nameMatch {
	if c == nil || len(c.deals) == 0 {
		return nil
	}
	words := norms(toks)
	// pos are the question's words that count, as indices into toks.
	pos := make([]int, 0, len(toks))
	for i := 0; i < len(words); {
		if s, n := suffixAt(words, i); n > 0 && !s.descriptive && i > 0 {
			i += n
			continue
		}
		pos = append(pos, i)
		i++
	}
	stream := make([]string, len(pos))
	for k, p := range pos {
		stream[k] = words[p]
	}
	// span converts a span of the stream into a span of tokens, extended over
	// a deal word that follows.
	span := func(a, b int) (int, int, bool) {
		start, end := pos[a], pos[b-1]+1
		hasWord := b < len(pos) && dealWords[stream[b]]
		if hasWord {
			end = pos[b] + 1
		}
		return start, end, hasWord
	}
	var found []nameMatch
	for k, w := range stream {
		for _, di := range c.dealsBy[w] {
			d := &c.deals[di]
			e := k + len(d.key)
			if e > len(stream) || !slices.Equal(d.key, stream[k:e]) {
				continue
			}
			start, end, hasWord := span(k, e)
			if !sameSentence(toks, start, pos[e-1]+1) || d.needsDealWord && !hasWord {
				continue
			}
			if d.common && !evidence(toks, start, pos[e-1]+1, false, informative) {
				continue
			}
			found = append(found, nameMatch{name: d.name, start: start, end: end, rank: rankExact})
		}
	}
	found = append(found, c.matchDealTails(toks, informative, pos, stream, span)...)
	return bestMatches(found)
}

// matchDealTails finds deals named by their tail while their head is named
// elsewhere in the question: the heads present are found first (there are
// few), then their tails are looked up, so the cost does not grow with the
// number of deals sharing a tail word such as "renewal".
func (c *Catalog) matchDealTails(toks []token, informative bool, pos []int, stream []string, span func(a, b int) (int, int, bool)) []nameMatch {
	if len(c.dealHeads) == 0 {
		return nil
	}
	type head struct {
		tails      map[string][]int32
		start, end int // stream span of the first mention
	}
	var heads []head
	seen := map[int32]bool{}
	for k := 0; k < len(stream) && len(heads) < 16; k++ {
		for n := 1; n <= c.maxHead && k+n <= len(stream); n++ {
			for _, hi := range c.dealHeads[strings.Join(stream[k:k+n], " ")] {
				if !seen[hi] {
					seen[hi] = true
					heads = append(heads, head{tails: c.dealTails[hi], start: k, end: k + n})
				}
			}
		}
	}
	var found []nameMatch
	for _, h := range heads {
		for k := range stream {
			for n := 1; n <= c.maxTail && k+n <= len(stream); n++ {
				if k < h.end && h.start < k+n {
					continue // the tail cannot be the head itself
				}
				ids := h.tails[strings.Join(stream[k:k+n], " ")]
				if len(ids) == 0 {
					continue
				}
				start, end, hasWord := span(k, k+n)
				if !sameSentence(toks, start, pos[k+n-1]+1) {
					continue
				}
				for _, di := range ids {
					d := &c.deals[di]
					// One ordinary word ("renewal") is the deal only next to
					// its account or before "deal".
					near := k >= h.end && k-h.end <= 2 || h.start >= k+n && h.start-(k+n) <= 2
					if d.tailCommon && n == 1 && !near && !hasWord {
						continue
					}
					hs, he, _ := span(h.start, h.end)
					found = append(found, nameMatch{name: d.name, start: start, end: end, rank: rankKey, extra: [][2]int{{hs, he}}})
				}
			}
		}
	}
	return found
}

// wordSet makes a set of the space-separated words of list.
func wordSet(list string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(list) {
		m[w] = true
	}
	return m
}

// commonWords are frequent English words beyond the function words in
// stopWords and the vocabulary of questions. A company whose key is made of
// them only ("Next", "Summit", "Adventure Works") is recognised only with
// evidence that the question means the company (see evidence).
var commonWords = wordSet(`
able about above accept access account across act action actually add added address admin after again against age agency agree agreed ahead air all allow almost alone along already also although always amount analysis and another answer any anyone anything anyway app application apply approach approval area around arrive art article ask asked assume attention audience available average avoid away
back bad balance bank base based basic basis beat become bed before begin behind believe benefit best better between beyond big bill bit black block blue board body book both bottom box brand break bridge bright bring broad brought budget build building business busy buy buyer
cable can capital car card care career carry case cash catch cause center central certain chain chair challenge chance change charge check choice choose church city claim class clean clear client close cloud club coach code cold collect color come comment commercial common community company compare complete concern condition connect consider contact content context continue contract control core corner cost could count country couple course court cover create credit cross culture current customer cut cycle
daily damage dark data date day dead deal dear decide deep default degree deliver demand department design detail develop device difference different digital direct direction discount discuss distance do document dog door double down draft draw dream drive drop due during
each early earn east easy edge education effect effort either element else email employee end energy engine enough enter entire environment equal error escape even event ever every evidence exact example exchange expect experience expert explain express extra eye
face fact fail fair fall family far farm fast father fear feature fee feel few field fight figure file fill final finance find fine finish fire firm first fit fix flat floor flow focus follow food force form forward found frame free fresh friend front full fund future
gain game gap garden general get gift give glass global goal gold good great green ground group grow growth guess guide
half hand handle happen happy hard head health hear heart heat heavy help here high hit hold home hope hot hour house huge human idea image impact important improve include increase index industry information input inside instead interest internal issue item
job join joint journey judge jump just keep key kid kind king know
labor lack land language large last late later launch law lead leader learn least leave legal less letter level life light like limit line link list listen little live local long look loss lot love low
machine main major make manage manager many map mark market master match matter may mean measure media meet member memory mention message method middle might mind minute miss mission mobile model moment money month more morning most mother move much music must
name national natural near need network never new news next nice night none normal north note nothing notice number
offer office often oil old once one online only open operation option order original other out outcome output outside over own owner
page pain paper park part partner party pass past path pay peace people per percent perfect perform period person phase phone pick picture piece place plan plant platform play please point policy pool poor popular position positive possible post power practice present press pressure price pricing prime private problem process produce product profit program progress project promise proof property proposal protect prove provide public pull purpose push put
quality question quick quiet quite
race raise range rate rather reach read ready real reason receive recent record red reduce region relation release remain remember remote remove rent repeat reply report request require research resource response rest result return revenue review rich right ring rise risk river road rock role room root round rule run rural
safe sale same save say scale scene school science score screen search season seat second section secure security see seek sell send sense serve service session set setting shape share sharp shift ship shop short should show side sign signal silver simple since single site size skill sky small smart social soft software solid solution some son sort sound source south space speak special speed spend spirit split sport spot spring square staff stage stand standard star start state status stay step still stock stop store story strategy street strong structure student study stuff style subject success such summer summit sun supply support sure surface system
table take talent talk target task team tech term test text than thank then theory thing think third those though thought through time today together tool top total touch tour track trade traffic train training transfer travel treat tree trial trip true trust truth try turn type
under union unit united unity until up update upper urban use user usual
value version very view vision visit voice volume
wait walk wall want war watch water wave way wealth wear web week weight welcome well west what wheel when where whether white whole wide will win window winter wish with within without woman wonder word work world worth would write wrong
yard year yes yet young zero zone
renewal expansion upsell upgrade pilot migration rollout license licensing subscription implementation integration
evaluation trial onboarding compliance procurement discount proposal quote invoice contract legal renewal seat seats
american british canadian european asian african pacific atlantic northern southern eastern western royal federal
`)
