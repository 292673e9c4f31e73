package sqlite

import (
	"fmt"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// gc_visible(handle, rowid) reports whether the bitmap registered under
// handle holds rowid. It runs once per full-text match of every trimmed
// query, so its cost per call decides how far trimmed search trails
// untrimmed search on common words.
//
// The driver's own function API (sqlite.RegisterFunction) costs about 130 ns
// a call: a lock and a map lookup to find the Go function, a pooled argument
// slice, an interface conversion per argument, and a closure. Against FTS5's
// ~55 ns per match that made a trimmed count 2-3x an untrimmed one. So the
// function is registered the way the transpiled SQLite registers its own:
// with sqlite3_create_function_v2 and a function pointer in the C calling
// convention of modernc.org/libc, through sqlite3_auto_extension so that
// every connection the driver opens has it. The function reads its two
// integer arguments and sets its result directly, with no allocation.
//
// This leans on the transpiler's representation of C function pointers (a
// pointer to a Go func value, the convention every callback inside
// modernc.org/sqlite/lib uses); TestVisibleFunction checks the function
// against the bitmap it reads.

const visibleFuncName = "gc_visible"

// registerVisibleFunc makes gc_visible available on every connection
// opened from now on. It runs once, from init.
func registerVisibleFunc() {
	tls := libc.NewTLS()
	defer tls.Close()
	if rc := sqlite3.Xsqlite3_auto_extension(tls, cFunc(visibleFuncInit)); rc != sqlite3.SQLITE_OK {
		panic(fmt.Sprintf("sqlite: register %s: error code %d", visibleFuncName, rc))
	}
}

// visibleFuncName0 is the function's name as a C string, allocated once for
// the life of the process (SQLite copies it, but every connection needs it).
var visibleFuncName0 = mustCString(visibleFuncName)

// visibleFuncInit is the auto extension: it runs as each connection opens,
// and adds gc_visible and gc_rank to it.
func visibleFuncInit(tls *libc.TLS, db, _, _ uintptr) int32 {
	// DIRECTONLY: the function may appear in our queries, never in a
	// trigger or view stored in the file.
	if rc := sqlite3.Xsqlite3_create_function_v2(tls, db, visibleFuncName0, 2,
		sqlite3.SQLITE_UTF8|sqlite3.SQLITE_DIRECTONLY, 0, cFunc(visibleFunc), 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return rc
	}
	return registerRankFunc(tls, db)
}

// visibleFunc is gc_visible's implementation: argv points at two
// sqlite3_value pointers, the handle and the rowid.
func visibleFunc(tls *libc.TLS, ctx uintptr, argc int32, argv uintptr) {
	if argc != 2 {
		sqlite3.Xsqlite3_result_int(tls, ctx, 0)
		return
	}
	args := unsafe.Slice((*uintptr)(unsafe.Add(unsafe.Pointer(nil), argv)), 2)
	var r int32
	// Only integers count: text or a real would otherwise read as some
	// other handle.
	if sqlite3.Xsqlite3_value_type(tls, args[0]) == sqlite3.SQLITE_INTEGER &&
		sqlite3.Xsqlite3_value_type(tls, args[1]) == sqlite3.SQLITE_INTEGER &&
		visibleIn(sqlite3.Xsqlite3_value_int64(tls, args[0]), sqlite3.Xsqlite3_value_int64(tls, args[1])) {
		r = 1
	}
	sqlite3.Xsqlite3_result_int(tls, ctx, r)
}

// cFunc turns a top-level Go function with a C signature of
// modernc.org/libc into the function pointer SQLite calls. f must not be a
// closure.
func cFunc[T any](f T) uintptr {
	return *(*uintptr)(unsafe.Pointer(&struct{ f T }{f}))
}
