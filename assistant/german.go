package assistant

import "strings"

// German verb morphology, enough to turn what people say into task
// titles, which German writes as object + infinitive ("Müll rausbringen"):
//   - zu-infinitives: "Oma anzurufen" → "Oma anrufen", "die Blumen zu gießen" → "Blumen gießen";
//   - third persons with their separable particle at the end: "bringt den Müll raus" → "Müll rausbringen";
//   - participles: "den Müll rausgebracht" → "Müll rausbringen", "Oma angerufen" → "Oma anrufen".

// verbsDE are infinitives of household verbs, without separable particles.
var verbsDE = setOf(`bringen machen kaufen putzen räumen gießen mähen holen saugen staubsaugen spülen kochen backen
	decken leeren füttern wechseln bügeln wischen waschen fahren nehmen geben tragen helfen gehen lesen schreiben
	bezahlen zahlen überweisen unterschreiben erledigen besorgen bestellen buchen melden bereiten packen kehren fegen lüften
	hängen sortieren entsorgen üben lernen duschen baden füllen tanken laden schicken senden schauen prüfen checken
	rufen misten trocknen schließen sehen suchen finden lassen erinnern vergessen telefonieren schneiden beziehen
	ziehen legen stellen setzen tun abwaschen reparieren kontrollieren organisieren abonnieren wegbringen
	gehen treffen besuchen abgeben zurückgeben backen richten sauber frisieren pflanzen jäten streichen malen
	einkaufen kümmern erneuern verlängern kündigen anmelden fegen saugen schrubben polieren spülen wickeln schalten`)

// germanParticlesSep are separable verb particles, longest first.
var germanParticlesSep = []string{"zurück", "heraus", "herein", "hinaus", "zusammen", "wieder", "runter", "rauf",
	"raus", "rein", "weg", "auf", "aus", "ein", "mit", "nach", "vor", "an", "ab", "zu", "los", "fest", "her", "hin",
	"durch", "um", "frei", "sauber"}

var irregularThirdDE = map[string]string{
	"fährt": "fahren", "nimmt": "nehmen", "gibt": "geben", "trägt": "tragen", "wäscht": "waschen", "hilft": "helfen",
	"liest": "lesen", "läuft": "laufen", "hält": "halten", "lädt": "laden", "tut": "tun", "sieht": "sehen",
	"isst": "essen", "schläft": "schlafen", "trifft": "treffen", "weiß": "wissen", "bäckt": "backen",
}

var irregularParticipleDE = map[string]string{
	"gebracht": "bringen", "gegossen": "gießen", "gewaschen": "waschen", "gerufen": "rufen", "gegangen": "gehen",
	"genommen": "nehmen", "gegeben": "geben", "getragen": "tragen", "gefahren": "fahren", "geholfen": "helfen",
	"gelesen": "lesen", "geschrieben": "schreiben", "getan": "tun", "gegessen": "essen", "gesehen": "sehen",
	"gefunden": "finden", "geschnitten": "schneiden", "gebacken": "backen", "unterschrieben": "unterschreiben",
	"gezogen": "ziehen", "getroffen": "treffen", "bezogen": "beziehen", "geschlossen": "schließen",
}

// isInfinitiveDE: "mähen", "rausbringen", "reparieren".
func isInfinitiveDE(w string) bool {
	w = strings.ToLower(w)
	if verbsDE[w] || (strings.HasSuffix(w, "ieren") && len(w) > 7) {
		return true
	}
	for _, p := range germanParticlesSep {
		if rest, ok := strings.CutPrefix(w, p); ok && rest != "" && verbsDE[rest] {
			return true
		}
	}
	return false
}

// zuInfinitive: "anzurufen" → "anrufen", "rauszubringen" → "rausbringen".
func zuInfinitive(w string) (string, bool) {
	lw := strings.ToLower(w)
	for _, p := range germanParticlesSep {
		if rest, ok := strings.CutPrefix(lw, p+"zu"); ok && rest != "" && (verbsDE[rest] || strings.HasSuffix(rest, "ieren")) {
			return p + rest, true
		}
	}
	return "", false
}

// thirdPersonDE: "bringt" → "bringen", "füttert" → "füttern", "wechselt" → "wechseln".
func thirdPersonDE(w string) (string, bool) {
	w = strings.ToLower(w)
	if inf, ok := irregularThirdDE[w]; ok {
		return inf, true
	}
	if !strings.HasSuffix(w, "t") || len(w) < 3 {
		return "", false
	}
	stem := w[:len(w)-1]
	for _, c := range []string{stem + "en", stem + "n", strings.TrimSuffix(stem, "e") + "en"} {
		if verbsDE[c] || (strings.HasSuffix(c, "ieren") && len(c) > 7) {
			return c, true
		}
	}
	return "", false
}

// irregularImperativeDE maps imperatives whose stem changes to infinitives.
var irregularImperativeDE = map[string]string{
	"nimm": "nehmen", "gib": "geben", "lies": "lesen", "hilf": "helfen", "iss": "essen", "sieh": "sehen",
	"triff": "treffen", "wirf": "werfen", "vergiss": "vergessen",
}

// imperativeDE: "bring" → "bringen", "ruf" → "rufen", "räume" →
// "räumen", "füttere" → "füttern", "nimm" → "nehmen".
func imperativeDE(w string) (string, bool) {
	w = strings.ToLower(w)
	if inf, ok := irregularImperativeDE[w]; ok {
		return inf, true
	}
	if len(w) < 3 || strings.HasSuffix(w, "en") {
		return "", false
	}
	stem := strings.TrimSuffix(w, "e")
	for _, c := range []string{w + "en", w + "n", stem + "en", stem + "n"} {
		if verbsDE[c] {
			return c, true
		}
	}
	return "", false
}

// participleDE: "rausgebracht" → "rausbringen", "gemäht" → "mähen",
// "repariert" → "reparieren", "erledigt" → "erledigen".
func participleDE(w string) (string, bool) {
	w = strings.ToLower(w)
	try := func(part string) (string, bool) {
		if inf, ok := irregularParticipleDE[part]; ok {
			return inf, true
		}
		if stem, ok := strings.CutPrefix(part, "ge"); ok && strings.HasSuffix(stem, "t") && len(stem) > 2 {
			stem = stem[:len(stem)-1]
			for _, c := range []string{stem + "en", stem + "n", strings.TrimSuffix(stem, "e") + "en"} {
				if verbsDE[c] {
					return c, true
				}
			}
		}
		if stem, ok := strings.CutSuffix(part, "iert"); ok && len(stem) > 2 {
			return stem + "ieren", true
		}
		for _, pre := range []string{"be", "er", "ver", "ent", "zer"} {
			if strings.HasPrefix(part, pre) && strings.HasSuffix(part, "t") {
				c := part[:len(part)-1] + "en"
				if verbsDE[c] {
					return c, true
				}
			}
		}
		return "", false
	}
	if inf, ok := try(w); ok {
		return inf, true
	}
	for _, p := range germanParticlesSep {
		if rest, ok := strings.CutPrefix(w, p); ok && rest != "" {
			if inf, ok := try(rest); ok {
				return p + inf, true
			}
		}
	}
	return "", false
}

// isParticleDE: a separable particle standing alone at a clause's end.
func isParticleDE(w string) bool {
	w = strings.ToLower(w)
	for _, p := range germanParticlesSep {
		if w == p && w != "zu" && w != "um" {
			return true
		}
	}
	return false
}

// germanInfinitiveClause turns the rest of a German command into an
// infinitive clause: "Oma anzurufen" → "Oma anrufen", "die Blumen zu
// gießen" → "die Blumen gießen".
func germanInfinitiveClause(s string) string {
	f := strings.Fields(s)
	if len(f) == 0 {
		return s
	}
	last := f[len(f)-1]
	if inf, ok := zuInfinitive(last); ok {
		f[len(f)-1] = inf
	} else if len(f) >= 2 && strings.EqualFold(f[len(f)-2], "zu") && isInfinitiveDE(last) {
		f = append(f[:len(f)-2], last)
	}
	return strings.Join(f, " ")
}

// germanVerbSecond turns a clause whose verb comes first, inflected, into
// an infinitive clause: "bringt den Müll raus" → "den Müll rausbringen",
// "gießt die Blumen" → "die Blumen gießen". inflect reads the verb
// ("bringt" → "bringen"); ok is false when the first word is none.
func germanVerbSecond(s string, inflect func(string) (string, bool)) (string, bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "", false
	}
	inf, ok := inflect(f[0])
	if !ok {
		return "", false
	}
	rest := f[1:]
	if n := len(rest); n > 0 && isParticleDE(rest[n-1]) {
		inf = strings.ToLower(rest[n-1]) + inf
		rest = rest[:n-1]
	}
	return strings.TrimSpace(strings.Join(rest, " ") + " " + inf), true
}

// germanParticipleClause: "den Müll rausgebracht" → "den Müll rausbringen".
func germanParticipleClause(s string) (string, bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "", false
	}
	inf, ok := participleDE(f[len(f)-1])
	if !ok {
		return "", false
	}
	f[len(f)-1] = inf
	return strings.Join(f, " "), true
}

// imperativeBeforeInfinitiveDE: a to-do said as an imperative before its
// infinitive ("geh morgen einkaufen", "geh einkaufen") is titled as German
// titles a to-do, the verb last: "Einkaufen gehen" (it was "Geh
// einkaufen").
func imperativeBeforeInfinitiveDE(title string) string {
	f := strings.Fields(title)
	if len(f) != 2 || !isInfinitiveDE(f[1]) {
		return title
	}
	inf := goingImperativesDE[strings.ToLower(f[0])]
	if inf == "" {
		return title // "bad putzen" is no imperative of "baden"
	}
	return f[1] + " " + inf
}

// goingImperativesDE are the imperatives of going that take an infinitive
// ("geh einkaufen", "fahr tanken").
var goingImperativesDE = map[string]string{"geh": "gehen", "gehe": "gehen", "fahr": "fahren", "fahre": "fahren"}
