/** An error meant for the user: its message starts with `airlock:` and says what to do next. */
export class CliError extends Error {
  constructor(message: string) {
    super(message.startsWith('airlock:') ? message : `airlock: ${message}`);
  }
}
