// An ingredient's amount as the app writes it, on the recipe page and (the
// server, db/amounts.go, follows the same rule) on the list it is put on:
// counted things (no unit, or clove, piece, Stück, Zehe, bottle, Glas…) rounded up to the
// next half, "2", "1½"; a unit of the tables (counted, or a measure: cup,
// pint, Prise, liter…) in the singular for at most one and in the plural for
// more ("½ clove", "1½ cloves", "2 Zehen", "1 cup", "2 pints"), a measure
// below one as typed ("0.67 cups", "½ cup"); 1000 g and
// more in kg, 1000 ml and more in l, and an amount typed in kg, l, cl or dl, to the gram or
// millilitre (rounded up, in kg or l three decimals at most, in cl one, in dl two: "1,4 kg", "1.005 kg",
// "0.094 kg"); otherwise at most two
// decimals; never a thousands separator.
import { fmtNumber } from './i18n.js';

// The counted units, things bought by the piece and containers, one table per language:
// singular → plural. db/amounts.go holds the same tables (its
// TestAmountUnitTablesMatchJS reads these lines).
const ENGLISH = { clove: 'cloves', piece: 'pieces', pc: 'pcs', can: 'cans', bunch: 'bunches', bottle: 'bottles', tin: 'tins', jar: 'jars', pack: 'packs', box: 'boxes', bag: 'bags', loaf: 'loaves', carton: 'cartons', packet: 'packets', package: 'packages', tub: 'tubs', tube: 'tubes', pot: 'pots', punnet: 'punnets', bar: 'bars', roll: 'rolls', head: 'heads', slice: 'slices' };
const GERMAN = { Zehe: 'Zehen', 'Stück': 'Stück', Stk: 'Stk', 'Stk.': 'Stk.', Dose: 'Dosen', Bund: 'Bund', Flasche: 'Flaschen', Packung: 'Packungen', Glas: 'Gläser', 'Tüte': 'Tüten', Laib: 'Laibe', Kiste: 'Kisten', Kasten: 'Kästen', Schachtel: 'Schachteln', Rolle: 'Rollen', Netz: 'Netze', Beutel: 'Beutel', Scheibe: 'Scheiben', Box: 'Boxen', Pack: 'Pack' };
// The measures (not rounded: "0.67 cups"), singular → plural, and the measure words that are
// the same unit as another (liter is l, tablespoon tbsp).
const ENGLISH_MEASURES = { pint: 'pints', cup: 'cups', pound: 'pounds', lb: 'lbs', ounce: 'ounces', oz: 'oz', tablespoon: 'tablespoons', tbsp: 'tbsp', teaspoon: 'teaspoons', tsp: 'tsp', liter: 'liters', litre: 'litres', milliliter: 'milliliters', millilitre: 'millilitres', gram: 'grams', gramme: 'grammes', kilogram: 'kilograms', kilo: 'kilos', pinch: 'pinches', quart: 'quarts', gallon: 'gallons' };
const GERMAN_MEASURES = { Prise: 'Prisen', Liter: 'Liter', Milliliter: 'Milliliter', Gramm: 'Gramm', Kilogramm: 'Kilogramm', Kilo: 'Kilo', Tasse: 'Tassen', Messerspitze: 'Messerspitzen', 'Esslöffel': 'Esslöffel', 'Eßlöffel': 'Eßlöffel', 'Teelöffel': 'Teelöffel' };
const SAME_UNIT = { liter: 'l', litre: 'l', milliliter: 'ml', millilitre: 'ml', gram: 'g', gramme: 'g', kilogram: 'kg', kilo: 'kg', Liter: 'l', Milliliter: 'ml', Gramm: 'g', Kilogramm: 'kg', Kilo: 'kg', pound: 'lb', ounce: 'oz', tablespoon: 'tbsp', teaspoon: 'tsp', 'Esslöffel': 'el', 'Eßlöffel': 'el', 'Teelöffel': 'tl' };

// Either form, lower-cased → [singular, plural, counted], one map per language.
function words(counted, measures) {
  const m = new Map();
  for (const [table, isCounted] of [[counted, true], [measures, false]]) {
    for (const [one, many] of Object.entries(table)) {
      m.set(one.toLowerCase(), [one, many, isCounted]);
      m.set(many.toLowerCase(), [one, many, isCounted]);
    }
  }
  return m;
}
const ENGLISH_WORDS = words(ENGLISH, ENGLISH_MEASURES);
const GERMAN_WORDS = words(GERMAN, GERMAN_MEASURES);
const LARGER = { g: 'kg', ml: 'l' };
// The units written to the gram or millilitre, and how many of those make one.
const SMALLER = { kg: 1000, l: 1000, cl: 10, dl: 100 };

const isUpper = (s) => s === s.toUpperCase() && s !== s.toLowerCase();

/** A unit's word in the tables; a word of both languages (Box, Liter) is German when typed with a capital. */
function wordOf(unit) {
  const typed = unit.trim();
  const lower = typed.toLowerCase();
  const [first, second] = typed && isUpper(typed[0]) ? [GERMAN_WORDS, ENGLISH_WORDS] : [ENGLISH_WORDS, GERMAN_WORDS];
  return first.get(lower) || second.get(lower);
}

// The one-letter units whose case is their meaning ("T" is a tablespoon, "t" a teaspoon), by
// their key: apart from tbsp and tsp too (db/amounts.go letterUnits says why).
const LETTER_UNITS = { T: 'T', t: 't' };

/** A unit as amounts in it are compared: "Cloves" is "clove", "liters" is "l", "T" stays "T". */
function unitKey(unit) {
  if (LETTER_UNITS[unit.trim()]) return LETTER_UNITS[unit.trim()];
  const w = wordOf(unit);
  if (!w) return unit.trim().toLowerCase();
  return SAME_UNIT[w[0]] || w[0].toLowerCase();
}

/** A unit of the tables for the amount q, in the case it was typed in: "clove" for ½ and 1, "cloves" for more; a measure below one as typed. */
function unitFor(q, unit) {
  const typed = unit.trim();
  const w = wordOf(typed);
  if (!w) return unit;
  if (q > 0 && q < 1 && !w[2]) return unit; // a measure below one: "0.67 cups" and "½ cup" are both English
  const word = q > 0 && q <= 1 ? w[0] : w[1];
  if ([...typed].length > 1 && isUpper(typed)) return word.toUpperCase();
  return (isUpper(typed[0]) ? word[0].toUpperCase() : word[0].toLowerCase()) + word.slice(1);
}

/**
 * A quantity made for servings instead of the recipe's, written with its unit: "150 g", "1½", "1,4 kg";
 * the unit alone without a quantity. Scaled as the server scales (quantity × servings ÷ recipe
 * servings, not × (servings ÷ recipe servings)), so the page and the list round alike.
 */
export function amountText(ing, servings, recipeServings) {
  let unit = ing.unit || '';
  if (ing.quantity == null) return unit;
  let q = ing.quantity * servings / recipeServings;
  const key = unitKey(unit);
  let s;
  if (!unit.trim() || wordOf(unit)?.[2]) {
    q = Math.ceil(q * 2 - 1e-9) / 2;
    const whole = Math.trunc(q);
    s = q === whole ? fmtNumber(whole, { useGrouping: false }) : `${whole ? fmtNumber(whole, { useGrouping: false }) : ''}½`;
  } else if (LARGER[key] && Math.round(q * 100) / 100 >= 1000) { // 999.9999 g is "1 kg", not "1000 g"
    // to the gram or millilitre, up: what the server writes, where a merge so loses nothing
    q = Math.ceil(q - 1e-6) / 1000;
    unit = LARGER[key];
    s = fmtNumber(q, { maximumFractionDigits: 3, useGrouping: false });
  } else if (SMALLER[key]) {
    // kg, l, cl or dl as typed, to the gram or millilitre, up: 0.125 kg for 3 of 4 servings is "0.094 kg"
    q = Math.ceil(q * SMALLER[key] - 1e-6) / SMALLER[key];
    s = fmtNumber(q, { maximumFractionDigits: 3, useGrouping: false });
  } else {
    const r = Math.round(q * 100) / 100;
    s = fmtNumber(r || q, r ? { maximumFractionDigits: 2, useGrouping: false } : { maximumSignificantDigits: 2, useGrouping: false });
    q = r || q; // as written: 0.999 is "1 cup"
  }
  unit = unitFor(q, unit);
  return unit ? `${s} ${unit}` : s;
}
