import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { OAuth2Client } from 'google-auth-library';
import { listen } from '../../standins/net.ts';
import { BridgeError } from './errors.ts';
import { ApplicationDefaultTokenSource, ImpersonatedTokenSource } from './google-token-sources.ts';

const AUDIENCE = 'https://gateway.example';
const SA = 'bridge@demo-warden.iam.gserviceaccount.com';

describe('bridge application default credentials source', () => {
  it('asks getIdTokenClient and its provider for the audience, creating the client once', async () => {
    const asked: string[] = [];
    let clients = 0;
    const source = new ApplicationDefaultTokenSource(AUDIENCE, {
      auth: {
        async getIdTokenClient(aud: string) {
          clients++;
          asked.push(`client:${aud}`);
          return {
            idTokenProvider: {
              fetchIdToken: async (a: string) => {
                asked.push(`token:${a}`);
                return `id-token-for-${a}`;
              },
            },
          } as never;
        },
      },
    });
    assert.equal(await source.mint(), `id-token-for-${AUDIENCE}`);
    await source.mint();
    assert.equal(clients, 1);
    assert.deepEqual(asked, [`client:${AUDIENCE}`, `token:${AUDIENCE}`, `token:${AUDIENCE}`]);
    assert.equal(source.audience, AUDIENCE);
  });

  it('explains a failure and points at --impersonate and --token-command', async () => {
    const source = new ApplicationDefaultTokenSource(AUDIENCE, {
      auth: {
        getIdTokenClient: async () => {
          throw new Error('Cannot fetch ID token in this environment');
        },
      },
    });
    await assert.rejects(source.mint(), (err: unknown) => {
      assert.ok(err instanceof BridgeError);
      assert.equal(err.code, -32001);
      assert.match(err.message, /application default credentials: Cannot fetch ID token in this environment/);
      assert.match(err.message, /use --impersonate or --token-command/);
      return true;
    });
  });
});

describe('bridge impersonated service account source', () => {
  /** A loopback IAM Credentials API that records generateIdToken calls. */
  async function fakeIam(status: number) {
    const calls: { path: string; authorization: string | undefined; body: unknown }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString('utf8');
      });
      req.on('end', () => {
        calls.push({ path: req.url ?? '', authorization: req.headers.authorization, body: JSON.parse(body) });
        const answer =
          status === 200
            ? { token: 'impersonated-id-token' }
            : { error: { code: status, message: 'Permission denied' } };
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      });
    });
    const port = await listen(server, 0, '127.0.0.1', 'fake IAM');
    return { endpoint: `http://127.0.0.1:${port}`, calls, close: () => new Promise((r) => server.close(r)) };
  }

  /** An ADC stand-in holding a valid access token, so nothing is refreshed. */
  function sourceClient(): OAuth2Client {
    const client = new OAuth2Client();
    client.setCredentials({ access_token: 'source-access-token', expiry_date: Date.now() + 3_600_000 });
    return client;
  }

  /** Runs `fn` with the library's construction warning for Impersonated (it goes to stderr) silenced. */
  async function quietly<T>(fn: () => Promise<T>): Promise<T> {
    const warn = console.warn;
    console.warn = () => {};
    try {
      return await fn();
    } finally {
      console.warn = warn;
    }
  }

  it('calls generateIdToken for the service account with the audience and includeEmail', async () => {
    const iam = await fakeIam(200);
    try {
      const source = new ImpersonatedTokenSource(AUDIENCE, SA, {
        sourceClient: sourceClient(),
        endpoint: iam.endpoint,
      });
      assert.equal(await quietly(() => source.mint()), 'impersonated-id-token');
      assert.deepEqual(iam.calls, [
        {
          path: `/v1/projects/-/serviceAccounts/${SA}:generateIdToken`,
          authorization: 'Bearer source-access-token',
          body: { delegates: [], audience: AUDIENCE, includeEmail: true, useEmailAzp: true },
        },
      ]);
      assert.equal(source.description, `service account ${SA} (impersonated)`);
    } finally {
      await iam.close();
    }
  });

  it('explains a refusal and names the role the caller needs', async () => {
    const iam = await fakeIam(403);
    try {
      const source = new ImpersonatedTokenSource(AUDIENCE, SA, {
        sourceClient: sourceClient(),
        endpoint: iam.endpoint,
      });
      await assert.rejects(
        quietly(() => source.mint()),
        (err: unknown) => {
          assert.ok(err instanceof BridgeError);
          assert.equal(err.code, -32001);
          assert.match(
            err.message,
            new RegExp(`for ${SA} from the IAM Credentials API: .*Permission denied`),
          );
          assert.match(err.message, /roles\/iam\.serviceAccountOpenIdTokenCreator/);
          return true;
        },
      );
    } finally {
      await iam.close();
    }
  });
});
