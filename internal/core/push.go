package core

import "time"

// PushCandidate is a call to push to Microsoft 365 as an external item:
// new, or changed since it was pushed.
type PushCandidate struct {
	// ID is the call's id; Seq its place in the queue of changes.
	ID  string
	Seq int64
	// Call is the call as indexed now; nil when the index no longer has it.
	Call *Call
	// Pushed says whether the call has an item in the connection.
	Pushed bool
	// WorkspaceName is the name of the call's workspace ("" if unknown).
	WorkspaceName string
	// IndexedAt is when the call's content last changed in the index.
	IndexedAt time.Time
	// Source is what the item is built from (the call's content hash, its
	// workspace's name), recorded with the item.
	Source string
}

// Membership is one member (an Entra object id) of one external group.
type Membership struct{ Group, Member string }
