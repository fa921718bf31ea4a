// The error catalogue (after fastify's lib/errors.js): every error millwatch reports to a
// client has a code and an HTTP status; the HTTP layer maps them in one place.

export class MillwatchError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
    this.name = 'MillwatchError'
  }
}

const make = (code: string, status: number) => (message: string, details?: unknown) =>
  new MillwatchError(code, status, message, details)

export const errors = {
  badRequest: make('MW_BAD_REQUEST', 400),
  notFound: make('MW_NOT_FOUND', 404),
  tooLarge: make('MW_TOO_LARGE', 413),
  unavailable: make('MW_UNAVAILABLE', 503),
  config: make('MW_CONFIG', 500),
}

/** Thrown at startup with every configuration problem at once. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}
