package gongsim

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"strings"
)

// cursorClaims is the payload of a pagination cursor. Like Gong's, the
// cursor is an HS256 JWT; clients must treat it as opaque.
type cursorClaims struct {
	Kind       string `json:"kind"`
	Filter     string `json:"filter"`
	CallID     string `json:"callId,omitempty"`
	Time       string `json:"time,omitempty"`
	Start      int64  `json:"start"`
	Pos        int64  `json:"pos"`
	Total      int    `json:"total"`
	PageNumber int    `json:"pageNumber"`
	PageSize   int    `json:"pageSize"`
	First      int64  `json:"first"` // virtual time of the sequence's first request
	Exp        int64  `json:"exp"`
}

var cursorHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256"}`))

func (s *Sim) cursorKey() []byte {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.seed)
	k := sha256.Sum256(append([]byte("gongsim cursor "), b[:]...))
	return k[:]
}

func (s *Sim) signCursor(c cursorClaims) string {
	payload, _ := json.Marshal(c)
	msg := cursorHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	m := hmac.New(sha256.New, s.cursorKey())
	m.Write([]byte(msg))
	return msg + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// parseCursor checks a cursor's signature, expiry and binding to the
// request; the error is the message of a 400.
func (s *Sim) parseCursor(tok, kind, filter string, now int64) (cursorClaims, string) {
	var c cursorClaims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, "cursor is invalid"
	}
	m := hmac.New(sha256.New, s.cursorKey())
	m.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, m.Sum(nil)) {
		return c, "cursor is invalid"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || json.Unmarshal(payload, &c) != nil {
		return c, "cursor is invalid"
	}
	if now > c.First+int64(s.opts.CursorTTL.Seconds()) {
		return c, "cursor has expired"
	}
	if c.Kind != kind || c.Filter != filter {
		return c, "cursor does not match the request: send the same filter with the cursor"
	}
	return c, ""
}

func filterHash(key string) string {
	h := sha256.Sum256([]byte(key))
	return base64.RawURLEncoding.EncodeToString(h[:12])
}
