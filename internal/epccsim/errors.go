package epccsim

import (
	"net/http"
	"strconv"
)

// apiError is one entry of an Elastic Path error body. The live service sends
// "status" sometimes as a number and sometimes as a string, even on the same
// endpoint, so each error chooses its own encoding.
type apiError struct {
	Status   int
	AsString bool
	Title    string
	Detail   string
	Source   string
}

type errorJSON struct {
	Status any    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	Source string `json:"source,omitempty"`
}

type errorsBody struct {
	Errors []errorJSON `json:"errors"`
}

func (e apiError) json() errorJSON {
	var status any = e.Status
	if e.AsString {
		status = strconv.Itoa(e.Status)
	}
	return errorJSON{Status: status, Title: e.Title, Detail: e.Detail, Source: e.Source}
}

// reply is what a handler produces. Handlers build it while holding the state
// lock; it is written to the connection after the lock is released.
type reply struct {
	status      int
	body        any    // JSON-encoded when raw is nil
	raw         []byte // sent verbatim with contentType
	contentType string
	header      http.Header
}

func jsonReply(status int, body any) reply {
	return reply{status: status, body: body}
}

func errorReply(e apiError) reply {
	return reply{status: e.Status, body: errorsBody{Errors: []errorJSON{e.json()}}}
}

// numErr and strErr build errors whose status is a number or a string.
func numErr(status int, title, detail, source string) reply {
	return errorReply(apiError{Status: status, Title: title, Detail: detail, Source: source})
}

func strErr(status int, title, detail, source string) reply {
	return errorReply(apiError{Status: status, AsString: true, Title: title, Detail: detail, Source: source})
}

func unauthorized() reply {
	return numErr(http.StatusUnauthorized, "Unauthorized", "Unable to validate access token", "")
}

func routeNotFound() reply {
	return numErr(http.StatusNotFound, "Not Found", "The requested resource could not be found", "")
}

func methodNotAllowed(allow string) reply {
	r := numErr(http.StatusMethodNotAllowed, "Method Not Allowed", "The requested method is not allowed on this resource", "")
	r.header = http.Header{"Allow": {allow}}
	return r
}

func badJSON() reply {
	return numErr(http.StatusBadRequest, "Bad Request", "The request body could not be parsed as JSON", "")
}

// failedValidation is the shape the service uses for a single field problem:
// 422 with "source" naming the field as a dotted path.
func failedValidation(source, detail string) reply {
	return numErr(http.StatusUnprocessableEntity, "Failed Validation", detail, source)
}
