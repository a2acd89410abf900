package weights

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"

	"github.com/metabeta-go/metabeta/npe/nn"
)

// FormatVersion is the version written by Save and the only one Load accepts.
const FormatVersion = 1

var magic = [8]byte{'M', 'B', 'N', 'P', 'E', 'W', 'T', 0}

// Errors returned (wrapped) by Load; test with errors.Is.
var (
	ErrFormat   = errors.New("weights: not a weights file")
	ErrVersion  = errors.New("weights: unsupported format version")
	ErrCorrupt  = errors.New("weights: corrupted or truncated file")
	ErrMismatch = errors.New("weights: file does not match the model")
)

type paramInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

type header struct {
	Config json.RawMessage `json:"config"`
	Params []paramInfo     `json:"params"`
}

// Config returns the architecture config stored in the header of the
// weights file data, for a caller that builds its model from the file. It
// verifies the file first, as Load does, so a corrupted header is reported
// as ErrCorrupt and never parsed.
func Config(data []byte) (json.RawMessage, error) {
	f, err := Parse(data)
	if err != nil {
		return nil, err
	}
	return f.Config(), nil
}

// File is a verified weights file, for a caller that reads its config and
// then its values (Config then Load would verify the checksum twice, half
// of decoding the default model).
type File struct {
	h       header
	payload []byte
}

// Parse verifies the weights file data as Load does (ErrFormat, ErrCorrupt,
// ErrVersion); the File refers to data, which must stay unchanged.
func Parse(data []byte) (*File, error) {
	h, payload, err := parse(data)
	if err != nil {
		return nil, err
	}
	return &File{h: h, payload: payload}, nil
}

// Config returns the architecture config stored in the file's header.
func (f *File) Config() json.RawMessage { return f.h.Config }

// parse verifies a weights file, in the order magic, checksum, version,
// header, and returns its header and payload. The checksum comes before
// everything it covers, so that a flipped byte anywhere, version and header
// length included, is reported as ErrCorrupt rather than misread.
func parse(data []byte) (header, []byte, error) {
	const fixed = len(magic) + 4 + 4 // magic, version, header length
	if len(data) < len(magic) || !bytes.Equal(data[:len(magic)], magic[:]) {
		return header{}, nil, fmt.Errorf("%w: bad magic", ErrFormat)
	}
	if len(data) < fixed+sha256.Size {
		return header{}, nil, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, len(data))
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return header{}, nil, fmt.Errorf("%w: SHA-256 checksum mismatch", ErrCorrupt)
	}
	if v := binary.LittleEndian.Uint32(data[8:12]); v != FormatVersion {
		return header{}, nil, fmt.Errorf("%w: file has version %d, this build reads %d", ErrVersion, v, FormatVersion)
	}
	hl := uint64(binary.LittleEndian.Uint32(data[12:16]))
	if uint64(fixed)+hl > uint64(len(body)) {
		return header{}, nil, fmt.Errorf("%w: header length %d exceeds file", ErrCorrupt, hl)
	}
	var h header
	if err := json.Unmarshal(body[fixed:fixed+int(hl)], &h); err != nil {
		return header{}, nil, fmt.Errorf("%w: header: %v", ErrCorrupt, err)
	}
	return h, body[fixed+int(hl):], nil
}

// Save writes config (marshalled as JSON) and the values of params to w.
func Save(w io.Writer, config any, params []*nn.Param) error {
	cfg, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("weights: encoding config: %w", err)
	}
	h := header{Config: cfg}
	for _, p := range params {
		h.Params = append(h.Params, paramInfo{Name: p.Name, Shape: p.Shape})
	}
	hdr, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("weights: encoding header: %w", err)
	}
	var buf bytes.Buffer
	buf.Write(magic[:])
	binary.Write(&buf, binary.LittleEndian, uint32(FormatVersion))
	binary.Write(&buf, binary.LittleEndian, uint32(len(hdr)))
	buf.Write(hdr)
	var b [8]byte
	for _, p := range params {
		for _, v := range p.Value {
			binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
			buf.Write(b[:])
		}
	}
	sum := sha256.Sum256(buf.Bytes())
	buf.Write(sum[:])
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("weights: writing: %w", err)
	}
	return nil
}

// Load reads a weights file into params, refusing it unless its config
// equals config (compared as JSON) and its parameter names and shapes equal
// params' in order. params are left unchanged on error. Pass Save and Load
// the same kind of config value, e.g. a flow's Flow.Config (defaults filled
// in) both times.
func Load(r io.Reader, config any, params []*nn.Param) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("weights: reading: %w", err)
	}
	return LoadBytes(data, config, params)
}

// LoadBytes is Load from the file's bytes, for a caller that holds them
// (an embedded model) and need not copy them through a reader.
func LoadBytes(data []byte, config any, params []*nn.Param) error {
	f, err := Parse(data)
	if err != nil {
		return err
	}
	return f.Load(config, params)
}

// Load is the package's Load of a parsed file.
func (f *File) Load(config any, params []*nn.Param) error {
	h, payload := f.h, f.payload
	want, err := json.Marshal(config)
	if err != nil {
		return fmt.Errorf("weights: encoding config: %w", err)
	}
	var got bytes.Buffer
	if err := json.Compact(&got, h.Config); err != nil {
		return fmt.Errorf("%w: config: %v", ErrCorrupt, err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		return fmt.Errorf("%w: architecture config %s, model has %s", ErrMismatch, got.Bytes(), want)
	}
	if len(h.Params) != len(params) {
		return fmt.Errorf("%w: file has %d parameters, model has %d", ErrMismatch, len(h.Params), len(params))
	}
	total := 0
	for i, p := range params {
		fp := h.Params[i]
		if fp.Name != p.Name {
			return fmt.Errorf("%w: parameter %d is %q in the file, %q in the model", ErrMismatch, i, fp.Name, p.Name)
		}
		if !slices.Equal(fp.Shape, p.Shape) {
			return fmt.Errorf("%w: parameter %q has shape %v in the file, %v in the model", ErrMismatch, p.Name, fp.Shape, p.Shape)
		}
		total += len(p.Value)
	}
	if len(payload) != 8*total {
		return fmt.Errorf("%w: payload has %d bytes, want %d", ErrCorrupt, len(payload), 8*total)
	}
	off := 0
	for _, p := range params {
		for j := range p.Value {
			p.Value[j] = math.Float64frombits(binary.LittleEndian.Uint64(payload[off:]))
			off += 8
		}
	}
	return nil
}
