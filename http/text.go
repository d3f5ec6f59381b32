package http

import (
	"unicode/utf8"
)

// invalidTextField scans a JSON body for text that is not valid Unicode:
// bytes that are not UTF-8, and \u escapes of lone UTF-16 surrogates.
// encoding/json would quietly turn both into U+FFFD; FamilyHub refuses
// them instead (422 naming the field), as docs/api.md promises. It returns
// the key of the object member whose text is bad ("" for a bad top-level
// string) and whether there is one.
func invalidTextField(body []byte) (field string, bad bool) {
	var lastKey string // the innermost object key seen
	for i := 0; i < len(body); {
		if body[i] != '"' {
			i++
			continue
		}
		// A string: scan to its end, checking what it holds.
		start, ok := i+1, true
		i++
		for i < len(body) && body[i] != '"' {
			switch c := body[i]; {
			case c == '\\' && i+1 < len(body) && body[i+1] == 'u':
				r, n := hex4(body[i+2:])
				if n < 4 {
					i += 2
					continue
				}
				i += 6
				switch {
				case r >= 0xD800 && r <= 0xDBFF: // high: a low one must follow
					lo, m := rune(-1), 0
					if i+1 < len(body) && body[i] == '\\' && body[i+1] == 'u' {
						lo, m = hex4(body[i+2:])
					}
					if m == 4 && lo >= 0xDC00 && lo <= 0xDFFF {
						i += 6
					} else {
						ok = false
					}
				case r >= 0xDC00 && r <= 0xDFFF: // a low one alone
					ok = false
				}
			case c == '\\':
				i += 2
			case c < utf8.RuneSelf:
				i++
			default:
				r, n := utf8.DecodeRune(body[i:])
				if r == utf8.RuneError && n <= 1 {
					ok = false
				}
				i += n
			}
		}
		end := i
		i++ // the closing quote
		// A key is a string followed by a colon.
		j := i
		for j < len(body) && (body[j] == ' ' || body[j] == '\t' || body[j] == '\n' || body[j] == '\r') {
			j++
		}
		isKey := j < len(body) && body[j] == ':'
		if !ok {
			if isKey {
				return string(body[start:end]), true
			}
			return lastKey, true
		}
		if isKey {
			lastKey = string(body[start:end])
		}
	}
	return "", false
}

// hex4 reads four hex digits; n is how many it read (4 when it succeeded).
func hex4(b []byte) (rune, int) {
	var r rune
	for n := 0; n < 4; n++ {
		if n >= len(b) {
			return 0, n
		}
		c := b[n]
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, n
		}
	}
	return r, 4
}
