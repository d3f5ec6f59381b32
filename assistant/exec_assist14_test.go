package assistant

import "testing"

// TestAssist14Replies: assist14's readings executed in a family (Ana, Ben,
// Mia, Tim): shopping told to Tim is his task, groceries bought for him go
// on the list, taking the dog out is Ana's task, and a goodbye or opening
// hours write nothing.
func TestAssist14Replies(t *testing.T) {
	f := newTestFamily(t)
	f.list("Weekly")
	f.wantExecuted(t, []saidCase{
		{"de", "sag Tim, dass er Milch kaufen soll", "„Milch kaufen“ für Tim", f.tim},
		{"en", "tell Tim he should buy milk", "“Buy milk” for Tim", f.tim},
		{"en", "I'll take the dog out", "“Take the dog out”", f.ana},
		{"en", "I'll buy Tim some milk", "Added milk to “Weekly”.", nil},
	})
	f.wantRefused(t, [][2]string{
		{"en", "I'll see you tomorrow"},
		{"de", "Tim ich sehe dich morgen"},
		{"de", "Bank macht um 9 auf und um 4 zu"},
		{"en", "I'll buy it tomorrow"},
		{"en", "I will buy milk and it"},
	})
}
