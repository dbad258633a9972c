// The fixed catalogues: a question id is part of the public API, so it must say what the question asks.
import { describe, expect, it } from 'vitest';
import { challengeQuestions } from '../../lambdas/rules/catalog.ts';

describe('challenge questions', () => {
  it('each id names what its text asks', () => {
    expect(Object.fromEntries(challengeQuestions.map((q) => [q.id, q.text]))).toEqual({
      'q-first-name': '¿Cuál es tu nombre?',
      'q-mother-surname': '¿Cuál es tu apellido materno?',
      'q-father-surname': '¿Cuál es tu apellido paterno?',
      'q-first-pet': '¿Cómo se llamaba tu primera mascota?',
      'q-first-school': '¿En qué escuela estudiaste la primaria?',
      'q-mother-birth-city': '¿En qué ciudad nació tu madre?',
      'q-best-friend': '¿Cómo se llama tu mejor amigo de la infancia?',
      'q-first-job': '¿Cuál fue tu primer trabajo?',
    });
  });
});
