// The bank's record of customers and their credentials. The reference adapter is a DynamoDB table loaded
// from a JSON file; a bank plugs its core system (and its HSM for the PIN check) in behind this port.

export type Credential =
  | { type: 'card'; cardNumber: string; expiryMonth: number; expiryYear: number; pin: string }
  | { type: 'company'; ruc: string; cedula?: string; pin: string }
  | { type: 'virtual-key'; cedula: string; pin: string };

export interface Customer {
  customerId: string;
  /** The customer's name as the bank holds it (staff greet the customer by it). */
  name?: string;
  /** The customer's cédula (for the company credential, the user's), used by the password policy. */
  cedula?: string;
  /** Identifiers that a username or password must not contain (cédula, RUC). */
  identityNumbers: string[];
  phone: string;
  email: string;
  /** Already has an online user in the bank's systems. */
  registered: boolean;
}

export interface CustomerDirectory {
  /**
   * Proves the credential with its PIN. Every failure (unknown, expiry mismatch, wrong PIN, blocked) is the
   * same `undefined` and costs the same work: an unknown credential runs a dummy PIN verification.
   */
  authenticate(credential: Credential): Promise<Customer | undefined>;
  getCustomer(customerId: string): Promise<Customer | undefined>;
  /**
   * The keyed digests (Keyed 'credential') of the identifiers of every credential of the customer: the keys
   * PIN tries and locks are kept on, so that all of them can be locked at once (rule 40).
   */
  credentialKeys(customerId: string): Promise<string[]>;
  /** The customer's credentials as the customer knows them, in `credentialKeys` order: never a number. */
  credentials(customerId: string): Promise<CredentialSummary[]>;
  /** The customers whose cédula or RUC is `identityNumber` (a RUC may have several users). */
  findByIdentityNumber(identityNumber: string): Promise<string[]>;
}

/** A credential without its identifier: its type, and a card's last four digits. */
export interface CredentialSummary {
  /** The keyed digest its PIN counter is kept on (`credentialKeys`). */
  digest: string;
  type: Credential['type'];
  last4?: string;
}

/** The identifier a PIN-try counter is kept on: the card number; RUC (and cédula); cédula. */
export function credentialIdentifier(credential: Credential): string {
  switch (credential.type) {
    case 'card':
      return `card:${credential.cardNumber}`;
    case 'company':
      return credential.cedula
        ? `company:${credential.ruc}:${credential.cedula}`
        : `company:${credential.ruc}`;
    case 'virtual-key':
      return `virtual-key:${credential.cedula}`;
  }
}
