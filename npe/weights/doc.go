// Package weights reads and writes the versioned binary weights file of the
// NPE networks.
//
// Layout (all integers little-endian):
//
//	magic    8 bytes  "MBNPEWT\x00"
//	version  uint32   FormatVersion
//	hdrLen   uint32   length of the JSON header
//	header   hdrLen bytes of JSON: {"config": <architecture>, "params": [{"name", "shape"}…]}
//	payload  every parameter's values as float64, in header order
//	checksum 32 bytes SHA-256 of everything before it
//
// Load verifies, in order, the magic, the checksum (before anything it
// covers is read, so that a flipped or missing byte anywhere, header
// included, is reported as corruption), the version, the architecture
// config and each parameter's name and shape against the caller's model,
// and names the first thing that is wrong. Config returns the header's
// architecture config after the same checks, for callers that build the
// model from the file.
package weights
