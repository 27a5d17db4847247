/**
 * Kubernetes resource quantities (`250m`, `1.5Gi`, `1e3`) → numbers in base units.
 *
 * client-node ships `quantityToScalar`, but it throws on fractional binary quantities (`1.5Gi` goes through BigInt)
 * and on exponent forms (`1e3`), both legal per the apimachinery grammar, so we parse the grammar ourselves:
 *   <quantity> ::= <signedNumber><suffix>
 *   <suffix>   ::= Ki|Mi|Gi|Ti|Pi|Ei | n|u|m|""|k|M|G|T|P|E | e<signedNumber>|E<signedNumber>
 */
const BINARY_SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

/** Powers of ten. */
const DECIMAL_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

// The exponent alternative comes before the single-letter suffixes so that `1E3` is 1000 while `1E` is one exa.
// Linear: the digits before and after the point are two runs that cannot share a character (`\d+\.?\d*` could split
// one run of digits in n ways, and backtracked quadratically over a long run of digits followed by another character).
const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|[eE]([+-]?\d+)|([numkMGTPE]?))$/;

/**
 * Longer strings are not quantities: read in no time whatever their length, and never remembered. A quantity's
 * digits beyond the 17th do not change its float value, and one longer than this is no resource amount anyone set.
 */
export const MAX_QUANTITY_LENGTH = 64;

/** Parsed quantities: the same few (`100m`, `64Mi`) recur in every pod. Emptied when full rather than evicting. */
const parsed = new Map<string, number | undefined>();
const MAX_PARSED = 10_000;

/** The quantity's value in base units, or undefined when the string is not a quantity. */
export function parseQuantity(text: string): number | undefined {
  if (text.length > MAX_QUANTITY_LENGTH) return undefined;
  if (parsed.has(text)) return parsed.get(text);
  if (parsed.size >= MAX_PARSED) parsed.clear();
  const value = parseUncached(text);
  parsed.set(text, value);
  return value;
}

function parseUncached(text: string): number | undefined {
  const match = QUANTITY.exec(text);
  if (!match) return undefined;
  const [, number, binary, exponent, decimal] = match;
  const mantissa = Number(number);
  if (binary !== undefined) return mantissa * BINARY_SUFFIXES[binary];
  return scaleByPowerOfTen(mantissa, exponent !== undefined ? Number(exponent) : DECIMAL_SUFFIXES[decimal ?? '']);
}

// Dividing for negative powers keeps `300m` at 0.3 rather than 0.30000000000000004.
function scaleByPowerOfTen(mantissa: number, power: number): number {
  // Zero stays zero at any power (`0e400` would otherwise be 0 × Infinity, NaN).
  if (mantissa === 0) return 0;
  return power >= 0 ? mantissa * 10 ** power : mantissa / 10 ** -power;
}
