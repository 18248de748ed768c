// TokenSources on google-auth-library: application default credentials, and a service account impersonated
// through the IAM Credentials API (generateIdToken).

import type { AuthClient, GoogleAuth, IdTokenProvider, Impersonated } from 'google-auth-library';
import { BridgeError, errorMessage, RPC_CODE } from './errors.ts';
import type { TokenSource } from './token-source.ts';

const CLOUD_PLATFORM = 'https://www.googleapis.com/auth/cloud-platform';
const README = 'see cli/bridge/README.md';

/**
 * ID tokens from application default credentials (`GoogleAuth().getIdTokenClient(audience)`): a service
 * account key file, the metadata server, or user credentials (whose tokens carry the OAuth client as their
 * audience, not `audience`: the bridge warns when that happens).
 */
export class ApplicationDefaultTokenSource implements TokenSource {
  readonly description = 'application default credentials';
  readonly audience: string;
  readonly #auth: Pick<GoogleAuth, 'getIdTokenClient'> | undefined;
  #provider: IdTokenProvider | undefined;

  /** `auth` defaults to `new GoogleAuth()` (tests pass a fake). */
  constructor(audience: string, options: { auth?: Pick<GoogleAuth, 'getIdTokenClient'> } = {}) {
    this.audience = audience;
    this.#auth = options.auth;
  }

  async mint(): Promise<string> {
    try {
      this.#provider ??= (
        await (this.#auth ?? (await defaultAuth())).getIdTokenClient(this.audience)
      ).idTokenProvider;
      return nonEmpty(await this.#provider.fetchIdToken(this.audience));
    } catch (err) {
      throw new BridgeError(
        RPC_CODE.unauthenticated,
        `warden bridge could not obtain an ID token from application default credentials: ${errorMessage(err)}. ` +
          `With user credentials, use --impersonate or --token-command (${README}).`,
        { cause: err },
      );
    }
  }
}

/** ID tokens for a service account, minted by the IAM Credentials API as the caller's ADC (`includeEmail`). */
export class ImpersonatedTokenSource implements TokenSource {
  readonly description: string;
  readonly audience: string;
  readonly #serviceAccount: string;
  readonly #sourceClient: AuthClient | undefined;
  readonly #endpoint: string | undefined;
  #client: Promise<Impersonated> | undefined;

  /** `sourceClient` defaults to application default credentials; `endpoint` to Google's (tests use loopback). */
  constructor(
    audience: string,
    serviceAccount: string,
    options: { sourceClient?: AuthClient; endpoint?: string } = {},
  ) {
    this.audience = audience;
    this.#serviceAccount = serviceAccount;
    this.#sourceClient = options.sourceClient;
    this.#endpoint = options.endpoint;
    this.description = `service account ${serviceAccount} (impersonated)`;
  }

  async mint(): Promise<string> {
    try {
      this.#client ??= this.#impersonated();
      const client = await this.#client;
      return nonEmpty(await client.fetchIdToken(this.audience, { includeEmail: true }));
    } catch (err) {
      this.#client = undefined;
      throw new BridgeError(
        RPC_CODE.unauthenticated,
        `warden bridge could not obtain an ID token for ${this.#serviceAccount} from the IAM Credentials API: ` +
          `${errorMessage(err)}. Your application default credentials need ` +
          `roles/iam.serviceAccountOpenIdTokenCreator on that service account (${README}).`,
        { cause: err },
      );
    }
  }

  async #impersonated(): Promise<Impersonated> {
    const { GoogleAuth, Impersonated } = await import('google-auth-library');
    const sourceClient =
      this.#sourceClient ?? (await new GoogleAuth({ scopes: [CLOUD_PLATFORM] }).getClient());
    return new Impersonated({
      sourceClient,
      targetPrincipal: this.#serviceAccount,
      targetScopes: [CLOUD_PLATFORM],
      ...(this.#endpoint ? { endpoint: this.#endpoint } : {}),
    });
  }
}

async function defaultAuth(): Promise<GoogleAuth> {
  const { GoogleAuth } = await import('google-auth-library');
  return new GoogleAuth();
}

function nonEmpty(token: string | undefined): string {
  if (!token) throw new Error('the response carried no token');
  return token;
}
