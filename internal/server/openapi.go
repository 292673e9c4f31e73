package server

import (
	_ "embed"
	"net/http"
)

// openAPI describes the /api/v1 routes (OpenAPI 3.1).
//
//go:embed openapi.json
var openAPI []byte

func serveOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPI)
}
