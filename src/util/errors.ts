/** A mistake in the command line, the environment or a file it names: reported in one line, exit code 2. */
export class UsageError extends Error {}
