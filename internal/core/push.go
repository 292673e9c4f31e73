package core

import "time"

// PushCandidate is a call to push to Microsoft 365 as an external item:
// new, or changed since it was pushed.
type PushCandidate struct {
	Call *Call
	// WorkspaceName is the name of the call's workspace ("" if unknown).
	WorkspaceName string
	// IndexedAt is when the call's content last changed in the index.
	IndexedAt time.Time
	// Source is what the item is built from (the push's version, the call's
	// content hash, its workspace's name): recorded once the item is
	// pushed, so that an unchanged call is not pushed again.
	Source string
}

// Membership is one member (an Entra object id) of one external group.
type Membership struct{ Group, Member string }
