// Fixed catalogues the wizard offers: anti-phishing images, challenge questions and the terms of service.

export interface SecurityImage {
  id: string;
  label: string;
}

/** Served by the web wizard as /images/security/<id>.svg (web/public/images/security). */
export const securityImages: readonly SecurityImage[] = [
  { id: 'ancla', label: 'Ancla' },
  { id: 'arbol', label: 'Árbol' },
  { id: 'barco', label: 'Barco' },
  { id: 'bicicleta', label: 'Bicicleta' },
  { id: 'colibri', label: 'Colibrí' },
  { id: 'estrella', label: 'Estrella' },
  { id: 'guitarra', label: 'Guitarra' },
  { id: 'llama', label: 'Llama' },
  { id: 'montana', label: 'Montaña' },
  { id: 'sol', label: 'Sol' },
  { id: 'tortuga', label: 'Tortuga' },
  { id: 'volcan', label: 'Volcán' },
];

export const securityImageUrl = (id: string): string => `/images/security/${id}.svg`;

/** An image as the API shows it; an id the catalogue no longer has shows as its id. */
export const catalogImage = (id: string): { id: string; url: string; label: string } => ({
  id,
  url: securityImageUrl(id),
  label: securityImages.find((image) => image.id === id)?.label ?? id,
});

export interface ChallengeQuestion {
  id: string;
  text: string;
}

/**
 * Questions whose answer only the customer knows: none asks for public data (the customer's own name or
 * surnames are on the cédula and in public registers), and there are always at least twice as many as a
 * customer answers.
 */
export const challengeQuestions: readonly ChallengeQuestion[] = [
  { id: 'q-childhood-nickname', text: '¿Cuál era tu apodo cuando eras niño o niña?' },
  { id: 'q-first-pet', text: '¿Cómo se llamaba tu primera mascota?' },
  { id: 'q-first-school', text: '¿En qué escuela estudiaste la primaria?' },
  { id: 'q-mother-birth-city', text: '¿En qué ciudad nació tu madre?' },
  { id: 'q-best-friend', text: '¿Cómo se llama tu mejor amigo de la infancia?' },
  { id: 'q-first-job', text: '¿Cuál fue tu primer trabajo?' },
  { id: 'q-first-trip', text: '¿A qué ciudad fue tu primer viaje sin tu familia?' },
];

export const REQUIRED_ANSWERS = 3;

export const terms = {
  version: '2026-11',
  text:
    'Expresamente declaro y acepto que la información que he ingresado y/o seleccionado es personal e ' +
    'intransferible, así como me responsabilizo por el buen uso y custodia de la información personal que he ' +
    'registrado, comprometiéndome a mantenerla actualizada bajo mi responsabilidad. Declaro que conozco este ' +
    'servicio y que acepto las normas previstas para su funcionamiento; así mismo, declaro que acepto y ' +
    'autorizo que, para mi mayor seguridad, el banco me solicite un segundo factor de autenticación cuando ' +
    'ingrese a Produbanco en línea y realice transacciones.',
} as const;

export const BANK_NAME = 'Produbanco';
