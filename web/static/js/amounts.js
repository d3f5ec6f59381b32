// An ingredient's amount as the app writes it, on the recipe page and (the
// server, db/amounts.go, follows the same rule) on the list it is put on:
// counted things (no unit, or clove, piece, Stück, Zehe, bottle, Glas…) rounded up to the
// next half, "2", "1½", a counted unit in the singular for at most one and
// in the plural for more ("½ clove", "1½ cloves", "2 Zehen"); 1000 g and
// more in kg, 1000 ml and more in l, "1,4 kg"; otherwise at most two
// decimals; never a thousands separator.
import { fmtNumber } from './i18n.js';

// The counted units, things bought by the piece and containers, one table per language:
// singular → plural. db/amounts.go holds the same tables (its
// TestAmountUnitTablesMatchJS reads these lines).
const ENGLISH = { clove: 'cloves', piece: 'pieces', pc: 'pcs', can: 'cans', bunch: 'bunches', bottle: 'bottles', tin: 'tins', jar: 'jars', pack: 'packs', box: 'boxes', bag: 'bags', loaf: 'loaves', carton: 'cartons', packet: 'packets', package: 'packages', tub: 'tubs', tube: 'tubes', pot: 'pots', punnet: 'punnets', bar: 'bars', roll: 'rolls', head: 'heads', slice: 'slices' };
const GERMAN = { Zehe: 'Zehen', 'Stück': 'Stück', Stk: 'Stk', 'Stk.': 'Stk.', Dose: 'Dosen', Bund: 'Bund', Flasche: 'Flaschen', Packung: 'Packungen', Glas: 'Gläser', 'Tüte': 'Tüten', Laib: 'Laibe', Kiste: 'Kisten', Kasten: 'Kästen', Schachtel: 'Schachteln', Rolle: 'Rollen', Netz: 'Netze', Beutel: 'Beutel', Scheibe: 'Scheiben' };
// Either form, lower-cased → [singular, plural]; '' (no unit: eggs, onions) is counted too.
const COUNTED = new Map([['', null]]);
for (const [one, many] of Object.entries({ ...ENGLISH, ...GERMAN })) {
  COUNTED.set(one.toLowerCase(), [one, many]);
  COUNTED.set(many.toLowerCase(), [one, many]);
}
const LARGER = { g: 'kg', ml: 'l' };

const isUpper = (s) => s === s.toUpperCase() && s !== s.toLowerCase();

/** A counted unit for the amount q, in the case it was typed in: "clove" for ½ and 1, "cloves" for more. */
function countedUnit(q, unit) {
  const typed = unit.trim();
  const forms = COUNTED.get(typed.toLowerCase());
  if (!forms) return unit;
  const word = q > 0 && q <= 1 ? forms[0] : forms[1];
  if ([...typed].length > 1 && isUpper(typed)) return word.toUpperCase();
  return (isUpper(typed[0]) ? word[0].toUpperCase() : word[0].toLowerCase()) + word.slice(1);
}

/** A quantity scaled by factor, written with its unit: "150 g", "1½", "1,4 kg"; the unit alone without a quantity. */
export function amountText(ing, factor) {
  let unit = ing.unit || '';
  if (ing.quantity == null) return unit;
  let q = ing.quantity * factor;
  const lower = unit.trim().toLowerCase();
  let s;
  if (COUNTED.has(lower)) {
    q = Math.ceil(q * 2 - 1e-9) / 2;
    unit = countedUnit(q, unit);
    const whole = Math.trunc(q);
    s = q === whole ? fmtNumber(whole, { useGrouping: false }) : `${whole ? fmtNumber(whole, { useGrouping: false }) : ''}½`;
  } else {
    if (LARGER[lower] && q >= 1000) { q /= 1000; unit = LARGER[lower]; }
    const r = Math.round(q * 100) / 100;
    s = fmtNumber(r || q, r ? { maximumFractionDigits: 2, useGrouping: false } : { maximumSignificantDigits: 2, useGrouping: false });
  }
  return unit ? `${s} ${unit}` : s;
}
