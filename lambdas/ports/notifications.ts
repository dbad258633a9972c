// Outbound messages: the SMS that carries the code, and the completion email.

export interface SmsSender {
  /** Sends one SMS to an E.164 number. Throws DependencyError when the provider fails. */
  send(to: string, message: string): Promise<void>;
}

export interface Email {
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface EmailSender {
  send(email: Email): Promise<void>;
}
