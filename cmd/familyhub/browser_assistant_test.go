package main

import (
	"net/http"
	"testing"
	"time"
)

// TestBrowserAssistant: the assistant bar's Undo and its question buttons
// (issue 16), in English and German. A command's answer shows Undo; Undo
// takes the item off the list on the page and says so. A command with two
// readings shows them as buttons; a tap runs the chosen one. The server's
// sentence is shown when it speaks the page's language, the app's own
// otherwise.
func TestBrowserAssistant(t *testing.T) {
	browserTest(t)
	m, ana, listID := anaWithWalks(t)
	phone := newDevice(t, "phone", phoneW, phoneH, browserOpts{lang: "en-GB"})
	phone.login(m.URL(), "ana@example.org")
	phone.goTo("/shopping/"+listID, `document.querySelector('li.item[data-name="apples"]')`)

	// Undo: the item comes and goes on the page.
	phone.setValue(`#assistant-input`, "add bananas to the weekly list")
	phone.click(`.assistant-form button[type=submit]`)
	phone.waitJS("answer", `document.querySelector('.assistant-reply p')?.textContent === 'Added bananas to “Weekly”.'`, 5*time.Second)
	phone.waitJS("bananas on the list", `document.querySelector('li.item[data-name="bananas"]')`, 5*time.Second)
	if label := eval[string](phone, `document.querySelector('.assistant-reply button.undo').textContent`); label != "Undo" {
		t.Fatalf("undo button %q", label)
	}
	phone.click(`.assistant-reply button.undo`)
	phone.waitJS("undone", `document.querySelector('.assistant-reply p')?.textContent === 'Taken back: bananas came off “Weekly” again.'`, 5*time.Second)
	phone.waitJS("bananas gone", `!document.querySelector('li.item[data-name="bananas"]')`, 5*time.Second)
	if eval[bool](phone, `!!document.querySelector('.assistant-reply button.undo')`) {
		t.Error("Undo still offered after undoing")
	}
	// A question about the days has nothing to undo: no button.
	phone.setValue(`#assistant-input`, "what's on today")
	phone.click(`.assistant-form button[type=submit]`)
	phone.waitJS("agenda", `document.querySelector('.assistant-reply p')?.textContent.startsWith('Today')`, 5*time.Second)
	if eval[bool](phone, `!!document.querySelector('.assistant-reply button.undo')`) {
		t.Error("Undo offered for a question")
	}

	// A question: two tasks match; the options are buttons, a tap answers.
	phone.setValue(`#assistant-input`, "mark walk as done")
	phone.click(`.assistant-form button[type=submit]`)
	phone.waitJS("choices", `document.querySelectorAll('.assistant-reply .choices button').length === 2`, 5*time.Second)
	if q := eval[string](phone, `document.querySelector('.assistant-reply p').textContent`); q != "Which task do you mean: “Walk the cat” or “Walk the dog”?" {
		t.Errorf("question %q", q)
	}
	if label := eval[string](phone, `document.querySelector('.assistant-reply .choices').getAttribute('aria-label')`); label != "Options" {
		t.Errorf("choices labelled %q", label)
	}
	phone.clickText(`.assistant-reply .choices button`, "Walk the dog")
	phone.waitJS("chosen", `document.querySelector('.assistant-reply p')?.textContent === 'Marked “Walk the dog” as done.'`, 5*time.Second)
	if !eval[bool](phone, `document.activeElement === document.getElementById('assistant-input')`) {
		t.Error("focus left the assistant field after a choice")
	}
	var open []struct{ Title string }
	ana.call(t, m.URL(), http.StatusOK, "GET", "/api/tasks", nil, &open)
	for _, task := range open {
		if task.Title == "Walk the dog" {
			t.Error("the chosen task is still open")
		}
	}
	phone.click(`.assistant-reply button.undo`)
	phone.waitJS("choice undone", `document.querySelector('.assistant-reply p')?.textContent === 'Undone: Marked “Walk the dog” as done.'`, 5*time.Second)

	// A German command on an English page: the server answers in German,
	// the page says it in English.
	phone.setValue(`#assistant-input`, "setz Bananen auf die Liste")
	phone.click(`.assistant-form button[type=submit]`)
	phone.waitJS("English answer", `document.querySelector('.assistant-reply p')?.textContent === 'Added Bananen to “Weekly”.'`, 5*time.Second)

	// A German page: the server's German sentence, German buttons.
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "Milch"})
	restAs(t, ana, m, "POST", "/api/shopping/lists/"+listID+"/items", map[string]any{"name": "Hafermilch"})
	laptop := newDevice(t, "laptop-de", laptopW, laptopH, browserOpts{lang: "de-DE"})
	laptop.login(m.URL(), "ana@example.org")
	laptop.setValue(`#assistant-input`, "hak Mil ab")
	laptop.click(`.assistant-form button[type=submit]`)
	laptop.waitJS("German choices", `document.querySelectorAll('.assistant-reply .choices button').length === 2`, 5*time.Second)
	if q := eval[string](laptop, `document.querySelector('.assistant-reply p').textContent`); q != "Welchen Eintrag meinst du: „Hafermilch“ oder „Milch“?" {
		t.Errorf("German question %q", q)
	}
	if label := eval[string](laptop, `document.querySelector('.assistant-reply .choices').getAttribute('aria-label')`); label != "Möglichkeiten" {
		t.Errorf("German choices labelled %q", label)
	}
	laptop.clickText(`.assistant-reply .choices button`, "„Milch“")
	laptop.waitJS("German answer", `document.querySelector('.assistant-reply p')?.textContent === 'Milch auf Weekly abgehakt.'`, 5*time.Second)
	if label := eval[string](laptop, `document.querySelector('.assistant-reply button.undo').textContent`); label != "Rückgängig" {
		t.Errorf("German undo button %q", label)
	}
	laptop.click(`.assistant-reply button.undo`)
	laptop.waitJS("German undone", `document.querySelector('.assistant-reply p')?.textContent === 'Rückgängig gemacht: Milch auf Weekly abgehakt.'`, 5*time.Second)
	// Someone changed the item since: Undo says so and changes nothing.
	laptop.setValue(`#assistant-input`, "setz Äpfel auf die Liste")
	laptop.click(`.assistant-form button[type=submit]`)
	laptop.waitJS("German add", `document.querySelector('.assistant-reply button.undo')`, 5*time.Second)
	var list struct{ Items []struct{ ID, Name string } }
	ana.call(t, m.URL(), http.StatusOK, "GET", "/api/shopping/lists/"+listID, nil, &list)
	for _, it := range list.Items {
		if it.Name == "Äpfel" {
			restAs(t, ana, m, "PATCH", "/api/shopping/items/"+it.ID, map[string]any{"name": "Bio-Äpfel"})
		}
	}
	laptop.click(`.assistant-reply button.undo`)
	laptop.waitJS("German conflict", `document.querySelector('.assistant-reply p')?.textContent === '„Bio-Äpfel“ wurde inzwischen geändert; ich habe nichts rückgängig gemacht.'`, 5*time.Second)
	// An English command on a German page: the page's German wording of
	// the English answer is the server's own German sentence (the list in
	// quotes, docs/assistant.md).
	laptop.setValue(`#assistant-input`, "add pears to the list")
	laptop.click(`.assistant-form button[type=submit]`)
	laptop.waitJS("German wording of an English answer", `document.querySelector('.assistant-reply p')?.textContent === 'Ich habe pears auf „Weekly“ gesetzt.'`, 5*time.Second)
}
