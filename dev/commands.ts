// What the shipped `warden` command loads from the dev stack, lazily and only for the two commands that need
// it: `warden start` (the local stack) and `warden token` (a token from the stack's development issuer). The
// import rules allow cli/cli.ts this one module, by dynamic import only, so the product never loads the dev
// stack or the stand-ins unless asked to.

export { mintToken, personClaims, readIssuerKey } from '../standins/oidc/dev-issuer.ts';
export { startStack } from './stack.ts';
