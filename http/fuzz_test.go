package http

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/familyhub/familyhub"
	"github.com/familyhub/familyhub/db"
)

// decodeForFuzz runs a body through decodeJSON as a handler would. It fails
// the test unless the error, if any, is a client error with a stable code.
func decodeForFuzz(t *testing.T, body []byte, v any) bool {
	t.Helper()
	r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	err := decodeJSON(httptest.NewRecorder(), r, v)
	if err == nil {
		return true
	}
	checkClientError(t, err)
	return false
}

// checkClientError fails the test unless err is a *familyhub.Error with a
// client error code (never internal: bad input is never a 500).
func checkClientError(t *testing.T, err error) {
	t.Helper()
	var fe *familyhub.Error
	if !errors.As(err, &fe) {
		t.Fatalf("not a familyhub error: %T %v", err, err)
	}
	switch fe.Code {
	case familyhub.EMALFORMED, familyhub.ETOOLARGE:
	case familyhub.EINVALID:
		if fe.Field == "" {
			t.Fatalf("invalid without a field: %v", err)
		}
	default:
		t.Fatalf("code %q for bad input: %v", fe.Code, err)
	}
}

// checkText fails unless s is trimmed valid UTF-8 of 1..max characters.
func checkText(t *testing.T, field, s string, max int) {
	t.Helper()
	if !utf8.ValidString(s) || s != strings.TrimSpace(s) || s == "" || utf8.RuneCountInString(s) > max {
		t.Fatalf("%s %q passed validation", field, s)
	}
}

func checkOptionalText(t *testing.T, field string, s *string, max int) {
	t.Helper()
	if s != nil {
		checkText(t, field, *s, max)
	}
}

// FuzzShoppingItemCreate: decoding and validating an item body never
// panics, and either refuses it with a client error or yields an item the
// database constraints accept.
func FuzzShoppingItemCreate(f *testing.F) {
	for _, seed := range []string{
		`{"name":"Milk"}`,
		`{"name":" Milk ","quantity":"2 l","note":"organic","category":"Dairy"}`,
		`{"name":"x","quantity":"","note":null,"category":null}`,
		`{"name":""}`,
		`{"name":"a\u0000b"}`,
		`{"name":"\ud800"}`,
		`{"name":"x","quantity":2}`,
		`{"name":"x","checked":true}`,
		`{"name":"x"} {}`,
		`[]`,
		`null`,
		`{"name":"` + strings.Repeat("é", 201) + `"}`,
		`{"name":"x","note":"` + strings.Repeat("n", 501) + `"}`,
		`{`,
		``,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req db.ShoppingItemNew
		if !decodeForFuzz(t, body, &req) {
			return
		}
		if err := req.Normalize(); err != nil {
			checkClientError(t, err)
			return
		}
		checkText(t, "name", req.Name, familyhub.MaxShoppingNameLen)
		checkOptionalText(t, "quantity", req.Quantity, familyhub.MaxShoppingQuantityLen)
		checkOptionalText(t, "note", req.Note, familyhub.MaxShoppingNoteLen)
		checkOptionalText(t, "category", req.Category, familyhub.MaxShoppingCategoryLen)
	})
}

// FuzzShoppingItemUpdate does the same for the PATCH body, whose fields
// decode through Optional: a wrong type must still name its field.
func FuzzShoppingItemUpdate(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"checked":true}`,
		`{"checked":"yes"}`,
		`{"checked":null}`,
		`{"position":3}`,
		`{"position":-1}`,
		`{"position":1e3}`,
		`{"position":99999999999}`,
		`{"name":null,"quantity":null}`,
		`{"quantity":"","note":"  ","category":"Bakery"}`,
		`{"name":{"a":1}}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req db.ShoppingItemPatch
		if !decodeForFuzz(t, body, &req) {
			return
		}
		if err := req.Normalize(); err != nil {
			checkClientError(t, err)
			return
		}
		if req.Name.Set {
			checkText(t, "name", req.Name.Value, familyhub.MaxShoppingNameLen)
		}
		checkOptionalText(t, "quantity", req.Quantity.Ptr(), familyhub.MaxShoppingQuantityLen)
		checkOptionalText(t, "note", req.Note.Ptr(), familyhub.MaxShoppingNoteLen)
		checkOptionalText(t, "category", req.Category.Ptr(), familyhub.MaxShoppingCategoryLen)
		if req.Checked.Set && req.Checked.Null {
			t.Fatal("null checked passed validation")
		}
		if p := req.Position.Ptr(); req.Position.Set && (p == nil || *p < 0 || *p > familyhub.MaxShoppingPosition) {
			t.Fatalf("position %v passed validation", p)
		}
	})
}

// FuzzRecipeCreate: a recipe body either is refused with a client error or
// yields a recipe whose stored form and shopping quantities fit the
// database's constraints, at any servings.
func FuzzRecipeCreate(f *testing.F) {
	for _, seed := range []string{
		`{"title":"Pancakes","servings":4,"ingredients":[{"name":"flour","quantity":300,"unit":"g"},{"name":"salt","unit":"pinch"}],"steps":["Mix."],"tags":["Sweet"],"source_url":"https://example.org/p"}`,
		`{"title":"T","servings":1}`,
		`{"title":"T","servings":1,"ingredients":[{"name":"x","quantity":0.001}]}`,
		`{"title":"T","servings":100,"ingredients":[{"name":"x","quantity":1000000,"unit":"` + strings.Repeat("u", 32) + `"}]}`,
		`{"title":"T","servings":1,"ingredients":[{"name":"x","quantity":1e-300}]}`,
		`{"title":"T","servings":1,"ingredients":[{"name":"x","quantity":1e400}]}`,
		`{"title":"T","servings":1,"ingredients":[null]}`,
		`{"title":"T","servings":1,"ingredients":[{"name":"x","amount":1}]}`,
		`{"title":"T","servings":1.5}`,
		`{"title":"T","servings":2,"source_url":"javascript:alert(1)"}`,
		`{"title":"T","servings":2,"source_url":"http://"}`,
		`{"title":"T","servings":2,"tags":["a","A"," a "]}`,
		`{"title":"T","servings":2,"steps":[""]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req db.RecipeNew
		if !decodeForFuzz(t, body, &req) {
			return
		}
		if err := req.Normalize(); err != nil {
			checkClientError(t, err)
			return
		}
		checkText(t, "title", req.Title, familyhub.MaxRecipeTitleLen)
		if req.Servings < 1 || req.Servings > familyhub.MaxRecipeServings {
			t.Fatalf("servings %d passed validation", req.Servings)
		}
		if req.Ingredients == nil || req.Steps == nil || req.Tags == nil {
			t.Fatal("a list is nil (would be stored as NULL)")
		}
		if len(req.Ingredients) > familyhub.MaxRecipeIngredients || len(req.Steps) > familyhub.MaxRecipeSteps || len(req.Tags) > familyhub.MaxRecipeTags {
			t.Fatal("too many elements passed validation")
		}
		for _, ing := range req.Ingredients {
			checkText(t, "ingredient name", ing.Name, familyhub.MaxIngredientNameLen)
			checkOptionalText(t, "unit", ing.Unit, familyhub.MaxIngredientUnitLen)
			for _, servings := range []int32{1, 3, familyhub.MaxRecipeServings} {
				if q := db.ScaleIngredient(ing, req.Servings, servings); q != nil {
					checkText(t, "scaled quantity", *q, familyhub.MaxShoppingQuantityLen)
				}
			}
		}
		for _, step := range req.Steps {
			checkText(t, "step", step, familyhub.MaxRecipeStepLen)
		}
		for i, tag := range req.Tags {
			checkText(t, "tag", tag, familyhub.MaxRecipeTagLen)
			for _, before := range req.Tags[:i] {
				if strings.EqualFold(before, tag) {
					t.Fatalf("tags %q repeat %q (ignoring case)", req.Tags, tag)
				}
			}
		}
		if u := req.SourceURL; u != nil && !strings.HasPrefix(strings.ToLower(*u), "http://") && !strings.HasPrefix(strings.ToLower(*u), "https://") {
			t.Fatalf("source_url %q passed validation", *u)
		}
		// The stored form decodes back to the same ingredients.
		b, err := json.Marshal(req.Ingredients)
		if err != nil {
			t.Fatal(err)
		}
		var back []db.Ingredient
		if err := json.Unmarshal(b, &back); err != nil || len(back) != len(req.Ingredients) {
			t.Fatalf("stored ingredients %s do not decode: %v", b, err)
		}
	})
}
