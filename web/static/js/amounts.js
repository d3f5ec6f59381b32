// An ingredient's amount as the app writes it, on the recipe page and (the
// server, db/amounts.go, follows the same rule) on the list it is put on:
// counted things (no unit, or clove, piece, Stück, Zehe…) rounded up to the
// next half, "2", "1½"; 1000 g and more in kg, 1000 ml and more in l,
// "1,4 kg"; otherwise at most two decimals; never a thousands separator.
import { fmtNumber } from './i18n.js';

const COUNTED = new Set(['', 'clove', 'cloves', 'piece', 'pieces', 'pc', 'pcs', 'can', 'cans', 'bunch', 'bunches',
  'stück', 'stk', 'stk.', 'zehe', 'zehen', 'dose', 'dosen', 'bund']);
const LARGER = { g: 'kg', ml: 'l' };

/** A quantity scaled by factor, written with its unit: "150 g", "1½", "1,4 kg"; the unit alone without a quantity. */
export function amountText(ing, factor) {
  let unit = ing.unit || '';
  if (ing.quantity == null) return unit;
  let q = ing.quantity * factor;
  const lower = unit.trim().toLowerCase();
  let s;
  if (COUNTED.has(lower)) {
    q = Math.ceil(q * 2 - 1e-9) / 2;
    const whole = Math.trunc(q);
    s = q === whole ? fmtNumber(whole, { useGrouping: false }) : `${whole ? fmtNumber(whole, { useGrouping: false }) : ''}½`;
  } else {
    if (LARGER[lower] && q >= 1000) { q /= 1000; unit = LARGER[lower]; }
    const r = Math.round(q * 100) / 100;
    s = fmtNumber(r || q, r ? { maximumFractionDigits: 2, useGrouping: false } : { maximumSignificantDigits: 2, useGrouping: false });
  }
  return unit ? `${s} ${unit}` : s;
}
