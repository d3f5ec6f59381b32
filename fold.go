package familyhub

import "strings"

// foldReplacer spells umlauts, ß and accented e out.
var foldReplacer = strings.NewReplacer("ä", "ae", "ö", "oe", "ü", "ue", "ß", "ss", "é", "e", "è", "e", "ê", "e")

// Fold lower-cases s and spells umlauts, ß and accented e out, so that
// "Käse", "Kaese" and "KÄSE" are one word: the one way the assistant and
// the categoriser compare what people type.
func Fold(s string) string {
	return foldReplacer.Replace(strings.ToLower(s))
}
