package main

import (
	"testing"
	"time"

	"github.com/familyhub/familyhub/db/dbtest"
)

// recipeLayout describes where a recipe's two cards are and how large its
// steps are set.
const recipeLayout = `(() => {
  const [ing, steps] = [...document.querySelectorAll('article.recipe > section.card')].map((c) => c.getBoundingClientRect());
  const li = [...document.querySelectorAll('ol.steps li')];
  return { ingTop: ing.top, ingRight: ing.right, stepsTop: steps.top, stepsLeft: steps.left,
    lastStepBottom: li.at(-1).getBoundingClientRect().bottom, stepPx: parseFloat(getComputedStyle(li[0]).fontSize), height: innerHeight };
})()`

type recipeBoxes struct {
	IngTop, IngRight, StepsTop, StepsLeft, LastStepBottom, StepPx, Height float64
}

// TestBrowserRecipeOnTablet: a recipe read while cooking on the kitchen
// tablet. On its side (1180 × 820, English) the steps stand beside the
// ingredients, every step in sight without scrolling, set at 19 px or
// more; upright (820 × 1180, German) under them, as large. Before, the
// steps were at 16 px under the ingredients on any screen: on its side the
// tablet showed the ingredients and the first step, and a cook scrolled
// with floury hands between them.
func TestBrowserRecipeOnTablet(t *testing.T) {
	browserTest(t)
	m := startMain(t, dbtest.URL(t), func(c *Config) { c.Calendar.AllowPrivateSubscriptions = true })
	f := seedShots(t, m, "en")
	for _, run := range []struct {
		name   string
		w, h   int64
		lang   string
		beside bool
	}{{"tablet-landscape", 1180, 820, "en-GB", true}, {"tablet-portrait-de", 820, 1180, "de-DE", false}} {
		t.Run(run.name, func(t *testing.T) {
			b := newDevice(t, run.name, run.w, run.h, browserOpts{lang: run.lang})
			b.login(m.URL(), f.email)
			b.goTo("/recipes", `document.querySelector('.recipe-card')`)
			b.clickText(`.recipe-card a`, "Pancakes")
			b.waitJS("the recipe", `document.querySelectorAll('ol.steps li').length === 3 && document.querySelector('ul.ingredients li')`, 5*time.Second)
			r := eval[recipeBoxes](b, recipeLayout)
			if r.StepPx < 19 {
				t.Errorf("the steps are set at %.1f px, want 19 or more", r.StepPx)
			}
			if beside := r.StepsTop < r.IngTop+2 && r.StepsLeft >= r.IngRight; beside != run.beside {
				t.Errorf("steps beside the ingredients: %v, want %v (%+v)", beside, run.beside, r)
			}
			if run.beside && r.LastStepBottom > r.Height {
				t.Errorf("the last step ends at %.0f px, below the screen (%.0f px)", r.LastStepBottom, r.Height)
			}
			b.screenshot("recipe-" + run.name)
		})
	}
}
