package fakerekor

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// The paths the log answers.
const (
	RetrievePath = "/api/v1/index/retrieve"
	EntriesPath  = "/api/v1/log/entries/"
)

// Handler serves the log's read API.
func (l *Log) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+RetrievePath, l.serveRetrieve)
	mux.HandleFunc("GET "+EntriesPath+"{uuid}", l.serveEntry)
	return mux
}

// Requests returns how many requests reached path (RetrievePath, or
// EntriesPath for any entry).
func (l *Log) Requests(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests[path]
}

func (l *Log) count(path string) {
	l.mu.Lock()
	l.requests[path]++
	l.mu.Unlock()
}

// serveRetrieve answers a search of the index by hash with the UUIDs
// filed under it, [] when there are none, as Rekor does.
func (l *Log) serveRetrieve(w http.ResponseWriter, r *http.Request) {
	l.count(RetrievePath)
	var q struct {
		Hash string `json:"hash"`
	}
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&q); err != nil || q.Hash == "" {
		writeError(w, http.StatusBadRequest, "validation failure: a hash is required")
		return
	}
	alg, hexDigest, ok := strings.Cut(strings.ToLower(q.Hash), ":")
	if _, err := hex.DecodeString(hexDigest); !ok || err != nil || (alg != "sha256" && alg != "sha1" && alg != "sha512") {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("validation failure: hash %q is not alg:hex", q.Hash))
		return
	}
	l.mu.Lock()
	out := []string{}
	for _, id := range l.index[alg+":"+hexDigest] {
		out = append(out, l.uuid(id))
	}
	l.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// logEntry is Rekor's LogEntryAnon.
type logEntry struct {
	Body           string `json:"body"`
	IntegratedTime int64  `json:"integratedTime"`
	LogID          string `json:"logID"`
	LogIndex       int64  `json:"logIndex"`
	Verification   struct {
		InclusionProof struct {
			Checkpoint string   `json:"checkpoint"`
			Hashes     []string `json:"hashes"`
			LogIndex   int64    `json:"logIndex"`
			RootHash   string   `json:"rootHash"`
			TreeSize   int64    `json:"treeSize"`
		} `json:"inclusionProof"`
		SignedEntryTimestamp []byte `json:"signedEntryTimestamp"`
	} `json:"verification"`
}

// serveEntry answers {uuid: entry} with an inclusion proof in the current
// tree and a checkpoint signed for it. The UUID may be given with or
// without the tree ID.
func (l *Log) serveEntry(w http.ResponseWriter, r *http.Request) {
	l.count(EntriesPath)
	id := strings.ToLower(r.PathValue("uuid"))
	leaf := id
	if len(id) == 80 {
		leaf = id[16:]
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.entries[leaf]
	if !ok {
		writeError(w, http.StatusNotFound, "Entry not found")
		return
	}
	var out logEntry
	out.Body = base64.StdEncoding.EncodeToString(e.body)
	out.IntegratedTime, out.LogID, out.LogIndex = e.integrated, hex.EncodeToString(l.logID), e.logIndex
	p := &out.Verification.InclusionProof
	root := rootHash(l.leaves)
	cp, err := l.checkpoint(len(l.leaves), root)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err.Error())
		return
	}
	p.Checkpoint, p.LogIndex, p.RootHash, p.TreeSize = cp, e.logIndex, hex.EncodeToString(root), int64(len(l.leaves))
	p.Hashes = []string{}
	for _, h := range inclusionPath(int(e.logIndex), l.leaves) {
		p.Hashes = append(p.Hashes, hex.EncodeToString(h))
	}
	out.Verification.SignedEntryTimestamp = e.set
	writeJSON(w, http.StatusOK, map[string]logEntry{l.uuid(leaf): out})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("fakerekor: marshalling a response: %v", err)) // our own types always marshal
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError answers Rekor's error document, {"code": n, "message": "..."}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]any{"code": status, "message": msg})
}
