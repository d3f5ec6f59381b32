package assistant

import "strings"

// keywordList are the command words whose typos cleanCommand fixes: the
// words of days and times, and the verbs that start a command. Other
// words (items, titles, inflected verbs) are never changed by it.
var keywordList = strings.Fields(`remind reminder tomorrow today tonight morning afternoon evening
	monday tuesday wednesday thursday friday saturday sunday weekend weekdays shopping calendar schedule
	appointment check delete cancel snooze minutes hours
	erinnere erinnerung übermorgen montag dienstag mittwoch donnerstag freitag samstag sonntag
	montags dienstags mittwochs donnerstags freitags samstags sonntags nachmittag einkaufsliste kalender
	stunden minuten`)

var keywords = setOf(strings.Join(keywordList, " "))

// keywordTargets are the keywords a typo may be fixed into: five letters or more.
var keywordTargets = func() []string {
	var out []string
	for _, k := range keywordList {
		if len([]rune(k)) >= 5 {
			out = append(out, k)
		}
	}
	return out
}()

// commonWords are frequent words of both languages that are never typos
// of a command word or an item.
var commonWords = setOf(`the and for with from that this then than them they their there these those what when
	where which while who whom whose why how have has had having been being were was will would could should
	shall must might need needs needed make makes made take takes took give gives gave come comes came went
	going want wants wanted like likes liked just only also very really much many more most some any every each
	other another same such again still even back after before under over into onto about above below between
	through during without within along around among because since until till unless though although both either
	neither nor not none nothing something anything everything someone anyone everyone here your yours ours mine
	his hers its it's i'm i'll i've you're we're they're don't doesn't didn't won't can't isn't aren't wasn't
	weren't haven't hasn't hadn't shouldn't wouldn't couldn't let's that's what's there's here's mum mom dad
	grandma grandpa granny nana papa mama oma opa kids children please thanks list lists task tasks chore chores
	done time times week weeks month months year years hour hours minute minutes day days next last first second
	third fourth later early late soon now once twice half quarter dozen pack packs bottle bottles
	class lesson lessons practice practise training match game party trip visit meeting dinner lunch breakfast
	dentist doctor vet school work office home house room garden car bike bins bin dishes laundry washing
	hoovering vacuuming homework piano swimming football yoga rent bank card form passport insurance
	der die das den dem des ein eine einen einem einer und oder aber auf aus bei mit nach seit von vor zu zum zur
	über unter neben zwischen durch für gegen ohne um bis als wie wenn weil dass damit ich du er sie es wir ihr
	mich dich sich uns euch mir dir ihm ihnen mein meine dein deine sein seine unser unsere noch schon auch nur
	sehr viel viele mehr kein keine keinen nicht nichts etwas alles alle jeder jede jedes dieser diese dieses
	haben habe hast hat hatte sind bist ist war waren werden wird wurde kann kannst können muss musst müssen
	soll sollst sollen will willst wollen darf mag möchte bitte danke heute morgen gestern jetzt dann später
	immer wieder woche monat jahr tag tage stunde minute uhr liste aufgabe termin schule arbeit hause garten
	auto müll wäsche abwasch rasen zimmer blumen hund katze oma opa mama papa kinder essen abendessen mittagessen
	frühstück training klavier ballett schwimmen fußball zahnarzt arzt tierarzt friseur geburtstag`)

// englishWords and germanWords tell a command's language (detectLanguage).
var englishWords = setOf(`the a an to on in at of for my our we i me is are what when add remind please need with
	from off list every tomorrow today tonight this next it what's don't can you could would have has do does did
	take put get got bought out up all some more no there his her their by until till set make new called mark done
	as check tick remove delete move cancel schedule book and or it's i've i'll we're let's into onto its anything
	happening week weekend morning evening night afternoon monday tuesday wednesday thursday friday saturday sunday
	shopping calendar appointment task chore reminder buy need needs needs turns take takes again later instead
	snooze postpone give reassign assign skip push reschedule anymore any just also then than that have haven't
	o'clock pm noon midnight hours hour minutes minute days day weeks month other second same where how who`)

var germanWords = setOf(`der die das den dem des ein eine einen einem einer und auf zu zur zum im vom beim mit von für bis
	ich wir uns mich mir du ist sind hat haben hab habe was wann wie noch bitte mal nicht kein keine keinen morgen
	heute übermorgen jeden jede jedes uhr setz setze schreib schreibe erinnere erinner brauchen brauche kauf kaufe
	kaufen gekauft liste einkaufsliste nächsten nächste nächster diese dieses diesen steht los ab raus hinzu lösch
	lösche entferne streich streiche hak hake abhaken erledigt fertig termin kalender aufgabe woche wochenende
	morgens abends früh abend nachmittag montag dienstag mittwoch donnerstag freitag samstag sonntag alle zwei
	stunden stunde minuten halb viertel verschieb verschiebe trag trage plane leg lege sag ab fällt aus gibt's gibt
	muss soll sollte kann wird bringt gießt übernimmt übernehme mehr fehlt fehlen pack packe nimm daran dass oder
	aber doch schon auch wieder später nochmal jetzt dann immer ganztägig sich wechseln abwechselnd erinnerung
	aufgabe termine neue neuer neues mich bei beim im ins vom zum zur gegen nach mach ist`)
