// The fixed catalogues: a question id is part of the public API, so it must say what the question asks.
import { describe, expect, it } from 'vitest';
import { challengeQuestions, REQUIRED_ANSWERS } from '../../lambdas/rules/catalog.ts';

describe('challenge questions', () => {
  it('each id names what its text asks', () => {
    expect(Object.fromEntries(challengeQuestions.map((q) => [q.id, q.text]))).toEqual({
      'q-childhood-nickname': '¿Cuál era tu apodo cuando eras niño o niña?',
      'q-first-pet': '¿Cómo se llamaba tu primera mascota?',
      'q-first-school': '¿En qué escuela estudiaste la primaria?',
      'q-mother-birth-city': '¿En qué ciudad nació tu madre?',
      'q-best-friend': '¿Cómo se llama tu mejor amigo de la infancia?',
      'q-first-job': '¿Cuál fue tu primer trabajo?',
      'q-first-trip': '¿A qué ciudad fue tu primer viaje sin tu familia?',
    });
  });

  it('asks nothing that is public data (the own name or surnames of the customer) and keeps at least six', () => {
    for (const q of challengeQuestions) {
      expect(q.text, q.id).not.toMatch(/tu (nombre|apellido)\b/i);
      expect(q.id, q.text).not.toMatch(/-(name|surname)$/);
    }
    expect(challengeQuestions.length).toBeGreaterThanOrEqual(Math.max(6, 2 * REQUIRED_ANSWERS));
  });
});
