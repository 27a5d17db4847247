/**
 * CRC-32 (the gzip one) of two byte strings laid end to end, from their CRCs and the second's length, without the
 * bytes: zlib's crc32_combine, which Node does not expose. The CRC of the concatenation is the first CRC multiplied
 * by x^(8·length) modulo the CRC polynomial, plus the second CRC, all in GF(2) with bits reflected as CRC-32 keeps them.
 */

/** The CRC-32 polynomial, reflected. */
const POLY = 0xedb88320;
/** x^0, reflected: the multiplicative identity. */
const ONE = 0x80000000;

/** a(x)·b(x) modulo the polynomial. */
function multiplyModP(a: number, b: number): number {
  let product = 0;
  let multiplier = b;
  for (let bit = ONE; bit !== 0; bit >>>= 1) {
    if (a & bit) product ^= multiplier;
    multiplier = multiplier & 1 ? (multiplier >>> 1) ^ POLY : multiplier >>> 1;
  }
  return product >>> 0;
}

/** x^(2^k) modulo the polynomial, k = 0..31 (the powers repeat with period 32 beyond, as zlib relies on). */
const X_TO_2_TO_THE: readonly number[] = (() => {
  const powers = [ONE >>> 1];
  for (let k = 1; k < 32; k++) powers.push(multiplyModP(powers[k - 1], powers[k - 1]));
  return powers;
})();

/**
 * x^(8·bytes) modulo the polynomial: the factor that shifts a CRC past `bytes` zero bytes. It depends on the length
 * alone: a part combined into many bodies computes it once (crc32CombineShifted).
 */
export function crc32Shift(bytes: number): number {
  let power = ONE;
  let k = 3; // 8 = 2^3 bits per byte
  for (let rest = bytes; rest > 0; rest = Math.floor(rest / 2), k++) {
    if (rest % 2 === 1) power = multiplyModP(X_TO_2_TO_THE[k % 32], power);
  }
  return power;
}

/** CRC-32 of A followed by B, from crc(A), crc(B) and crc32Shift of B's length. */
export function crc32CombineShifted(crcA: number, crcB: number, shiftB: number): number {
  return (multiplyModP(shiftB, crcA) ^ crcB) >>> 0;
}
