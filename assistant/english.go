package assistant

import "strings"

// English verb morphology, enough to turn what people say about chores
// into task titles: "Tim takes out the bins" → "Take out the bins", "I
// took out the bins" → "Take out the bins", "taking out the bins" → the
// same.

// verbsEN are the base forms of verbs household tasks start with.
var verbsEN = setOf(`call ring phone text email buy pick take put clean tidy wash fix repair pay book water feed walk
	mow empty do make cook bake order return renew send post collect drop bring get check sign vacuum hoover iron
	change charge hang fold sort load unload prepare practise practice finish start write read learn study visit meet
	plan organise organize wrap pack unpack mop sweep dust scrub polish recycle clear set lay wipe brush bath bathe
	mend paint weed rake plant trim cut shop see go help ask tell remember find fetch replace refill top service
	confirm reply print scan file fill apply register submit upload install update defrost thaw marinate soak chop
	brew boil grill dry air open close lock unlock turn switch groom give drive renew cancel arrange inspect pick
	hand tidy declutter deliver drop borrow lend pump inflate shovel grit vacuum wrap label measure test top stock
	restock hoover`)

// irregularPastEN maps past tenses to base forms.
var irregularPastEN = map[string]string{
	"took": "take", "did": "do", "fed": "feed", "made": "make", "went": "go", "brought": "bring", "got": "get",
	"hung": "hang", "swept": "sweep", "wrote": "write", "paid": "pay", "rang": "ring", "sent": "send", "gave": "give",
	"told": "tell", "met": "meet", "drove": "drive", "found": "find", "left": "leave", "saw": "see", "bought": "buy",
	"put": "put", "set": "set", "cut": "cut", "read": "read", "laid": "lay", "ran": "run", "began": "begin",
}

// irregularThirdEN maps third persons to base forms.
var irregularThirdEN = map[string]string{"does": "do", "goes": "go", "has": "have", "is": "be"}

// thirdPersonBase: "takes" → "take", "empties" → "empty", "washes" → "wash".
func thirdPersonBase(w string) (string, bool) {
	if b, ok := irregularThirdEN[w]; ok {
		return b, true
	}
	if !strings.HasSuffix(w, "s") || len(w) < 3 {
		return "", false
	}
	for _, c := range []string{w[:len(w)-1], strings.TrimSuffix(w, "es"), strings.TrimSuffix(w, "ies") + "y"} {
		if c != w && verbsEN[c] {
			return c, true
		}
	}
	return "", false
}

// pastBase: "walked" → "walk", "emptied" → "empty", "mopped" → "mop",
// "took" → "take".
func pastBase(w string) (string, bool) {
	if b, ok := irregularPastEN[w]; ok {
		return b, true
	}
	if !strings.HasSuffix(w, "ed") || len(w) < 4 {
		return "", false
	}
	stem := w[:len(w)-2]
	cands := []string{stem, w[:len(w)-1], strings.TrimSuffix(w, "ied") + "y"}
	if n := len(stem); n > 2 && stem[n-1] == stem[n-2] {
		cands = append(cands, stem[:n-1])
	}
	for _, c := range cands {
		if verbsEN[c] {
			return c, true
		}
	}
	return "", false
}

// gerundBase: "taking" → "take", "putting" → "put", "emptying" → "empty".
func gerundBase(w string) (string, bool) {
	if !strings.HasSuffix(w, "ing") || len(w) < 5 {
		return "", false
	}
	stem := w[:len(w)-3]
	cands := []string{stem, stem + "e"}
	if n := len(stem); n > 2 && stem[n-1] == stem[n-2] {
		cands = append(cands, stem[:n-1])
	}
	for _, c := range cands {
		if verbsEN[c] {
			return c, true
		}
	}
	return "", false
}

// titleFromVerbPhrase turns a phrase starting with an inflected verb into
// a task title starting with its base form: "takes out the bins" → "take
// out the bins". ok is false when the first word is no known verb form.
func titleFromVerbPhrase(s string, forms ...func(string) (string, bool)) (string, bool) {
	f := strings.Fields(s)
	if len(f) == 0 {
		return "", false
	}
	w := strings.ToLower(f[0])
	for _, form := range forms {
		if b, ok := form(w); ok {
			f[0] = b
			return strings.Join(f, " "), true
		}
	}
	return "", false
}
