package fakerekor

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sigstore/sigstore-go/pkg/root"
)

// Log is a Rekor v1 log held in memory. All methods are safe for
// concurrent use.
type Log struct {
	key    *ecdsa.PrivateKey
	logID  []byte // sha256 of the public key's PKIX DER, as Rekor names logs
	treeID int64
	origin string
	now    func() time.Time

	mu       sync.Mutex
	leaves   [][]byte          // leaf hashes, in log order
	entries  map[string]*entry // by leaf hash hex
	index    map[string][]string
	requests map[string]int
}

type entry struct {
	body       []byte
	logIndex   int64
	integrated int64
	set        []byte
}

// Option configures New.
type Option func(*Log) error

// WithClock sets the clock behind integrated times and checkpoints. The
// default is time.Now.
func WithClock(now func() time.Time) Option {
	return func(l *Log) error {
		if now == nil {
			return errors.New("WithClock: the clock is nil")
		}
		l.now = now
		return nil
	}
}

// WithOrigin sets the host name checkpoints start with ("<host> - <tree
// id>", as Rekor v1 writes them). The default is "rekor.fake".
func WithOrigin(host string) Option {
	return func(l *Log) error {
		if host == "" || strings.ContainsAny(host, " \n") {
			return fmt.Errorf("WithOrigin: %q is not a host name", host)
		}
		l.origin = host
		return nil
	}
}

// New returns an empty log with a fresh ECDSA P-256 key.
func New(opts ...Option) (*Log, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	id := sha256.Sum256(der)
	l := &Log{key: key, logID: id[:], treeID: int64(binary.BigEndian.Uint32(id[4:8])), origin: "rekor.fake",
		now: time.Now, entries: map[string]*entry{}, index: map[string][]string{}, requests: map[string]int{}}
	for _, o := range opts {
		if err := o(l); err != nil {
			return nil, err
		}
	}
	return l, nil
}

// LogID returns the log's ID: the sha256 of its public key (PKIX DER).
func (l *Log) LogID() []byte { return append([]byte{}, l.logID...) }

// PublicKey returns the key that signs SETs and checkpoints.
func (l *Log) PublicKey() crypto.PublicKey { return l.key.Public() }

// TransparencyLog describes the log for a trusted root, valid from a day
// before now, with baseURL as its base URL ("" for none).
func (l *Log) TransparencyLog(baseURL string) *root.TransparencyLog {
	return &root.TransparencyLog{
		BaseURL: baseURL, ID: l.LogID(), ValidityPeriodStart: l.now().Add(-24 * time.Hour),
		HashFunc: crypto.SHA256, PublicKey: l.key.Public(), SignatureHashFunc: crypto.SHA256,
	}
}

// AddBody appends a canonical entry body, integrated now, indexed under
// keys ("sha256:<hex>", compared in lower case), and returns its UUID.
// Rekor would compute the keys from the body; a test may give others to
// make the index point at an entry that does not fit.
func (l *Log) AddBody(body []byte, keys ...string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	lh := leafHash(body)
	id := hex.EncodeToString(lh)
	if _, ok := l.entries[id]; ok {
		return "", fmt.Errorf("fakerekor: an equivalent entry already exists in the log with UUID %s", l.uuid(id))
	}
	e := &entry{body: append([]byte{}, body...), logIndex: int64(len(l.leaves)), integrated: l.now().Unix()}
	set, err := l.signSET(e)
	if err != nil {
		return "", err
	}
	e.set = set
	l.leaves = append(l.leaves, lh)
	l.entries[id] = e
	for _, k := range keys {
		k = strings.ToLower(k)
		l.index[k] = append(l.index[k], id)
	}
	return l.uuid(id), nil
}

// uuid is the entry UUID Rekor returns: the tree ID (16 hex digits) and
// the leaf hash.
func (l *Log) uuid(leaf string) string { return fmt.Sprintf("%016x%s", l.treeID, leaf) }

// Size returns the number of entries.
func (l *Log) Size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.leaves)
}

// signSET signs the canonical JSON of {body, integratedTime, logID,
// logIndex} (keys in RFC 8785 order), as Rekor v1 does.
func (l *Log) signSET(e *entry) ([]byte, error) {
	payload, err := json.Marshal(struct {
		Body           string `json:"body"`
		IntegratedTime int64  `json:"integratedTime"`
		LogID          string `json:"logID"`
		LogIndex       int64  `json:"logIndex"`
	}{base64.StdEncoding.EncodeToString(e.body), e.integrated, hex.EncodeToString(l.logID), e.logIndex})
	if err != nil {
		return nil, err
	}
	return l.sign(payload)
}

func (l *Log) sign(msg []byte) ([]byte, error) {
	d := sha256.Sum256(msg)
	return ecdsa.SignASN1(rand.Reader, l.key, d[:])
}

// checkpoint returns the signed note for a tree of size leaves whose root
// is rootHash: origin, size, root and timestamp lines, a blank line, and
// the signature line "— <origin host> base64(key hint || signature)".
// Callers hold l.mu.
func (l *Log) checkpoint(size int, root []byte) (string, error) {
	body := fmt.Sprintf("%s - %d\n%d\n%s\nTimestamp: %d\n", l.origin, l.treeID, size,
		base64.StdEncoding.EncodeToString(root), l.now().UnixNano())
	sig, err := l.sign([]byte(body))
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(l.key.Public())
	if err != nil {
		return "", err
	}
	hint := sha256.Sum256(der)
	return fmt.Sprintf("%s\n\u2014 %s %s\n", body, l.origin, base64.StdEncoding.EncodeToString(append(hint[:4], sig...))), nil
}
