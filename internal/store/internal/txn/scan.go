package txn

// ScanStart returns where a Scan over (prefix, after) begins: the first id
// to consider is start, skipped when exclusive is true because Scan's
// `after` bound is strict. An `after` that sorts before prefix does not
// narrow the range, so the scan starts at the prefix itself.
func ScanStart(prefix, after string) (start string, exclusive bool) {
	if after != "" && after >= prefix {
		return after, true
	}
	return prefix, false
}
