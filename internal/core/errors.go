package core

import (
	"errors"
	"fmt"
)

// Error codes shared by every boundary; the HTTP layer maps each to a status.
const (
	ENotFound     = "not_found"
	EInvalid      = "invalid"
	EUnauthorized = "unauthorized"
	EConflict     = "conflict"
	EUnavailable  = "unavailable"
	EInternal     = "internal"
)

// Error is an error with a code and a message meant for the person who reads
// it: an admin or a user, never a stack trace.
type Error struct {
	Code    string
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Message + ": " + e.Err.Error()
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal
// for any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the human message of the first *Error in err's chain,
// or err's text.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
