// Unbiased random choices from the platform CSPRNG, for the digit order of the virtual keyboard.

export type RandomSource = (values: Uint32Array<ArrayBuffer>) => Uint32Array<ArrayBuffer>;

const platform: RandomSource = (values) => crypto.getRandomValues(values);

/** A uniform integer in [0, n): rejection sampling, because `x % n` favours small numbers. */
export function randomBelow(n: number, random: RandomSource = platform): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buf = new Uint32Array(1);
  for (;;) {
    const x = random(buf)[0] ?? 0;
    if (x < limit) return x % n;
  }
}

/** The digits 0-9 in a fresh Fisher-Yates order. */
export function shuffledDigits(random: RandomSource = platform): string[] {
  const digits = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  for (let i = digits.length - 1; i > 0; i--) {
    const j = randomBelow(i + 1, random);
    [digits[i], digits[j]] = [digits[j] as string, digits[i] as string];
  }
  return digits;
}
