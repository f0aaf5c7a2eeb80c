/**
 * Typed errors with a stable `code` and the offending input. Tests assert the class or code,
 * never the wording; one place per boundary turns them into output.
 */
export class BatonError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad user input (manifests, scenario, CLI arguments). */
export class InvalidInputError extends BatonError {}
