// An error the user caused (bad flag, invalid manifest): printed as one line, exit code 1, no stack.
export class UsageError extends Error {}
