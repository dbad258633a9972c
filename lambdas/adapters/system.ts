// Temporary re-export for tests written against the former module layout; production code imports
// primitives.ts (no native code) and argon2.ts (only where hashing happens) directly.
export { argon2Hasher } from './argon2.ts';
export { cryptoRandom, hmacKeyed, systemClock } from './primitives.ts';
