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
// Load verifies, in order, the magic, the version, the checksum (so a
// flipped or missing byte is reported as corruption), the architecture
// config and each parameter's name and shape against the caller's model,
// and names the first thing that is wrong.
package weights
