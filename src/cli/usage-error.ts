/** Bad usage or bad input: printed as one line without a stack, exit code 2. */
export class UsageError extends Error {}
