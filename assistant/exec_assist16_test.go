package assistant

import "testing"

// TestAssist16Replies: the last notes' misreadings executed in a family
// (Ana, Ben, Mia, Tim), said by Ana: a Kita not open tomorrow is the
// all-day "Kita geschlossen" (it was refused: "Kita" was taken for the
// one the negation was said of), someone fetched at the station is Ana's
// task (it was refused: "am" was read as "I am", and "um 3 am" as 03:00),
// and taking the train is a trip: the event with a day, nothing without.
// Then kinds the held-out batch found misread: a request with "can you"
// after a name, what a member has on a day, what a day is, a German list
// dictated without commas, dictated minutes.
func TestAssist16Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.wantExecuted(t, []saidCase{
		{"de", "Kita hat morgen nicht geöffnet", "„Kita geschlossen“", nil},
		{"en", "the nursery isn't open tomorrow", "“Nursery closed”", nil},
		{"de", "ich hole ihn morgen am Bahnhof ab", "„Ihn am Bahnhof abholen“", f.ana},
		{"de", "ich hole Tim um 3 am Bahnhof ab", "15:00", f.ana},
		{"en", "I'll take the train to Berlin on Friday", "“Train to Berlin”", nil},
		// kinds the held-out batch found misread
		{"en", "Ben can you empty the dishwasher tonight", "“Empty the dishwasher” for Ben", f.ben},
		{"en", "Tim has football on Friday at 5", "“Tim: Football”", nil},
		{"de", "am Montag ist schulfrei", "„Schulfrei“", nil},
		{"de", "Milch Eier und Brot", "Milch, Eier und Brot", nil},
		{"de", "erinnere mich um 16 Uhr 45 an den Arzt", "16:45", f.ana},
	})
	f.wantRefused(t, [][2]string{
		{"en", "I'll take the train to Berlin"},
		{"en", "we're taking the bus to the zoo"},
		{"de", "Kita macht morgen nicht zu"},
	})
}
