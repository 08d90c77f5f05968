// A real OpenID Connect provider on loopback for the sign-in browser tests: panva's
// oidc-provider (OpenID Certified, npm, pinned in package-lock.json), started and stopped by
// tests/sign_in/conftest.py. Nothing here is used by the site itself.
//
// Configured by the fixture through the environment:
//   OIDC_TEST_CLIENTS   a JSON list of client metadata (client_id, client_secret, redirect_uris, ...)
//   OIDC_TEST_ACCOUNTS  a JSON file {sub: {claims..., "amr": [...]}}, read again at each sign-in,
//                       so a test can add people while the provider runs
//   OIDC_TEST_READY     a file this script writes its issuer (http://127.0.0.1:PORT) to once it
//                       listens on a free loopback port
//
// Its sign-in page is a form with the subject of one of those accounts: the provider asserts
// that account's claims (email, email_verified, name) and records its `amr` as the
// authentication methods of the sign-in, so they reach the ID token as a real provider's would.
// Consent is granted without asking: the only clients are the site under test.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const SCOPES = 'openid email profile';
const clients = JSON.parse(process.env.OIDC_TEST_CLIENTS || '[]');
const accountsFile = process.env.OIDC_TEST_ACCOUNTS;
const readyFile = process.env.OIDC_TEST_READY;
if (!clients.length || !accountsFile || !readyFile) {
  console.error('OIDC_TEST_CLIENTS, OIDC_TEST_ACCOUNTS and OIDC_TEST_READY are required.');
  process.exit(2);
}

function accounts() {
  try {
    return JSON.parse(readFileSync(accountsFile, 'utf8'));
  } catch (error) {
    if (error.code === 'ENOENT') return {};
    throw error;
  }
}

function account(sub) {
  const all = accounts();
  const found = Object.hasOwn(all, sub) ? all[sub] : undefined;
  if (!found) return undefined;
  const { amr, ...claims } = found;
  return {
    accountId: sub,
    amr: Array.isArray(amr) ? amr : undefined,
    // The provider keeps to each scope's claims (the `claims` option below).
    async claims() {
      return { ...claims, sub };
    },
  };
}

function escape(text) {
  return String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(res, status, title, body) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(title)}</title>`
    + `</head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`);
}

function loginForm(res, uid, { sub = '', problem = '' } = {}) {
  const alert = problem ? `<p role="alert">${escape(problem)}</p>` : '';
  page(res, problem ? 400 : 200, 'Sign in to the test provider', `${alert}
    <form method="post" action="/interaction/${escape(uid)}/login">
      <label for="sub">Subject</label>
      <input id="sub" name="sub" value="${escape(sub)}" autocomplete="off" required>
      <button type="submit">Authorize</button>
    </form>`);
}

async function formBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Listen first (on a port the system picks), so that the issuer can name the port.
const server = createServer();
await new Promise((resolve) => { server.listen(0, '127.0.0.1', resolve); });
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients,
  jwks: {
    keys: [{
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      kid: 'test-key',
      use: 'sig',
      alg: 'RS256',
    }],
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  claims: {
    // `amr` with `sub`: the ID token says how the person signed in whenever the sign-in did
    // (the login result's amr), as Entra and Okta do, without a `claims` request parameter.
    openid: ['sub', 'amr'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  scopes: SCOPES.split(' '),
  findAccount: (_ctx, sub) => account(sub),
  // Ten minutes is longer than any test; said here so the provider does not warn of defaults.
  ttl: Object.fromEntries(
    ['AccessToken', 'AuthorizationCode', 'Grant', 'IdToken', 'Interaction', 'Session']
      .map((model) => [model, 600]),
  ),
  features: { devInteractions: { enabled: false } },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  // The site under test is the only client: its grant is made at sign-in, without a consent page.
  async loadExistingGrant(ctx) {
    const { oidc } = ctx;
    const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
    if (grantId) return oidc.provider.Grant.find(grantId);
    if (!oidc.session.accountId) return undefined;
    const grant = new oidc.provider.Grant({
      clientId: oidc.client.clientId,
      accountId: oidc.session.accountId,
    });
    grant.addOIDCScope(SCOPES);
    await grant.save();
    return grant;
  },
});

const handle = provider.callback();
server.on('request', async (req, res) => {
  const url = new URL(req.url, issuer);
  const match = url.pathname.match(/^\/interaction\/([\w-]+)(\/login)?$/);
  if (!match) {
    handle(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1] || details.prompt.name !== 'login') {
      page(res, 400, 'Unexpected step', `<p>This provider only signs people in (${escape(details.prompt.name)}).</p>`);
    } else if (!match[2]) {
      loginForm(res, details.uid);
    } else if (req.method !== 'POST') {
      page(res, 405, 'Method not allowed', '');
    } else {
      const sub = ((await formBody(req)).get('sub') || '').trim();
      const found = sub ? account(sub) : undefined;
      if (!found) {
        loginForm(res, details.uid, { sub, problem: `Nobody has the subject "${sub}" here.` });
        return;
      }
      const login = { accountId: found.accountId, ...(found.amr ? { amr: found.amr } : {}) };
      await provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
    }
  } catch (error) {
    const status = error instanceof errors.SessionNotFound ? 400 : 500;
    page(res, status, 'Sign-in failed', `<p>${escape(error.message)}</p>`);
  }
});

// Written whole, then renamed: the fixture never reads half an address.
writeFileSync(`${readyFile}.tmp`, issuer);
renameSync(`${readyFile}.tmp`, readyFile);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => { server.close(); process.exit(0); });
}
