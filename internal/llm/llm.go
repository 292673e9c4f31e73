// Package llm phrases answers with a language model behind an
// OpenAI-compatible chat completions API (OpenAI, Azure OpenAI's v1
// endpoint, vLLM, Ollama, llama.cpp's server...).
//
// The model is given the question, the answer composed from the index and
// its numbered citations, and nothing else: what the asker may see has been
// decided before, so the model cannot see more.
package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"gongconnector/internal/answer"
)

// Options configure a Client.
type Options struct {
	BaseURL string // API root, e.g. https://api.openai.com/v1
	Model   string
	APIKey  string // sent as a bearer token; empty for none
	Timeout time.Duration
	HTTP    *http.Client
}

// Client is a chat completions client that implements answer.Phraser.
type Client struct {
	opts Options
	http *http.Client
}

// New returns a client; it makes no request.
func New(o Options) (*Client, error) {
	if o.BaseURL == "" || o.Model == "" {
		return nil, errors.New("llm: a base URL and a model are required")
	}
	if o.Timeout <= 0 {
		o.Timeout = 20 * time.Second
	}
	h := o.HTTP
	if h == nil {
		h = &http.Client{}
	}
	return &Client{opts: o, http: h}, nil
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type request struct {
	Model       string    `json:"model"`
	Messages    []message `json:"messages"`
	Temperature float64   `json:"temperature"`
	MaxTokens   int       `json:"max_tokens,omitempty"`
}

type response struct {
	Choices []struct {
		Message message `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// instructions tell the model to keep to the passages and their numbers.
const instructions = `You answer questions about recorded sales calls for one employee.
Use only the numbered passages and the draft answer given; they are everything this employee may see. Never add facts from elsewhere.
Cite the passages you use with their numbers in brackets, like [2]. Keep names, dates, amounts and counts exactly as written.
Answer in a few sentences or a short list. If the passages do not answer the question, say so.`

// Phrase asks the model to write the answer from a's draft and citations.
func (c *Client) Phrase(ctx context.Context, question string, a *answer.Answer) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "Question: %s\n\nDraft answer:\n%s\n\nCalls:\n", question, a.Answer)
	index := map[string]int{}
	for i, call := range a.Calls {
		index[call.ID] = i + 1
		fmt.Fprintf(&b, "(call %d) %s, %s\n", i+1, call.Title, call.Started.UTC().Format("Jan 2, 2006"))
	}
	b.WriteString("\nPassages:\n")
	for i, cit := range a.Citations {
		fmt.Fprintf(&b, "[%d] (call %d) %s\n", i+1, index[cit.CallID], cit.Text)
	}
	body, err := json.Marshal(request{
		Model:       c.opts.Model,
		Messages:    []message{{Role: "system", Content: instructions}, {Role: "user", Content: b.String()}},
		Temperature: 0,
		MaxTokens:   800,
	})
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(c.opts.BaseURL, "/")+"/chat/completions", bytes.NewReader(body))
	if err != nil {
		return "", fmt.Errorf("llm: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.opts.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.APIKey)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return "", fmt.Errorf("llm: %s: %w", c.opts.BaseURL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", fmt.Errorf("llm: read the answer: %w", err)
	}
	var out response
	jsonErr := json.Unmarshal(raw, &out)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return "", fmt.Errorf("llm: %s refused the API key (HTTP %d); check answer.llm.api_key_env", c.opts.BaseURL, resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		msg := ""
		if jsonErr == nil && out.Error != nil {
			msg = ": " + out.Error.Message
		}
		return "", fmt.Errorf("llm: %s answered HTTP %d%s", c.opts.BaseURL, resp.StatusCode, msg)
	case jsonErr != nil:
		return "", fmt.Errorf("llm: %s did not answer in the chat completions format: %w", c.opts.BaseURL, jsonErr)
	case len(out.Choices) == 0 || strings.TrimSpace(out.Choices[0].Message.Content) == "":
		return "", fmt.Errorf("llm: %s gave an empty answer", c.opts.BaseURL)
	}
	return strings.TrimSpace(out.Choices[0].Message.Content), nil
}
