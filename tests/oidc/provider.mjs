// A real OpenID Connect provider for the single sign-on tests (docs/authentication.md "Single
// sign-on"): oidc-provider (a certified implementation) on 127.0.0.1, with the clients and the
// accounts of a JSON configuration, its own login and consent pages (plain HTML forms a test can
// fill in, in Chromium or with an HTTP client), and test controls that a real provider does not
// have:
//   POST /test/rotate          the provider starts signing with a new key (kid) and publishes
//                              only that one — a key rotation
//   POST /test/next-token?mode=M
//                              the next token response's ID token is replaced (once) by a
//                              forgery of kind M: tamper (payload changed, signature kept),
//                              wrong-aud, expired, wrong-nonce (re-signed with the provider's own
//                              key), foreign-key (signed by a key of another issuer)
//   GET  /test/stats           {"jwks_requests": N, "kid": current key id}
//
// Usage: node provider.mjs CONFIG.json, where CONFIG is
//   {"host": "127.0.0.1" or "localhost", "port": 0,
//    "clients": [{"client_id", "client_secret", "redirect_uris": [...]}],
//    "accounts": {"<login>": {"password", "email", "email_verified", "name", "groups": [...]}}}
// Prints "oidc-provider listening on <issuer>" once it serves; stops on SIGTERM.
import fs from 'node:fs';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, importJWK } from 'jose';

const config = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const accounts = config.accounts;
const stats = { jwks_requests: 0, kid: '' };
let nextTokenMode = '';
let keyCount = 0;
let current = null;  // { provider, handler, privateJwk }
let issuer = '';

async function newSigningKey(prefix) {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  keyCount += 1;
  return { ...jwk, kid: `${prefix}-${keyCount}-${randomBytes(4).toString('hex')}`, alg: 'RS256', use: 'sig' };
}

function escapeHtml(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function page(res, status, title, body) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>` +
          `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`);
}

async function readForm(req) {
  let data = '';
  for await (const chunk of req) data += chunk;
  return Object.fromEntries(new URLSearchParams(data));
}

// A new ID token in place of `idToken`, forged as `mode` says.
async function forge(mode, idToken) {
  const claims = decodeJwt(idToken);
  const header = decodeProtectedHeader(idToken);
  const now = Math.floor(Date.now() / 1000);
  if (mode === 'tamper') {
    const [h, , s] = idToken.split('.');
    const changed = { ...claims, email: 'mallory@example.test', name: 'Mallory' };
    return `${h}.${Buffer.from(JSON.stringify(changed)).toString('base64url')}.${s}`;
  }
  let key = await importJWK(current.privateJwk, 'RS256');
  let kid = header.kid;
  if (mode === 'wrong-aud') claims.aud = 'another-client';
  else if (mode === 'expired') { claims.iat = now - 900; claims.exp = now - 300; }
  else if (mode === 'wrong-nonce') claims.nonce = randomBytes(16).toString('hex');
  else if (mode === 'foreign-key') {
    const foreign = await newSigningKey('foreign');
    key = await importJWK(foreign, 'RS256');
    kid = foreign.kid;
    claims.iss = 'http://other-issuer.test';
  } else throw new Error(`unknown mode ${mode}`);
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: header.typ }).sign(key);
}

async function buildProvider() {
  const privateJwk = await newSigningKey('k');
  stats.kid = privateJwk.kid;
  const provider = new Provider(issuer, {
    clients: config.clients.map((c) => ({
      client_id: c.client_id, client_secret: c.client_secret, redirect_uris: c.redirect_uris,
      grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    })),
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'email', 'profile', 'groups'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    // The scopes' claims in the ID token itself (as Keycloak, Authentik and Google do).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: false } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    jwks: { keys: [privateJwk] },
    async findAccount(ctx, id) {
      const a = accounts[id];
      if (!a) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: a.email, email_verified: a.email_verified !== false, name: a.name, groups: a.groups || [] };
        },
      };
    },
  });
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/jwks') stats.jwks_requests += 1;
    await next();
    if (ctx.path === '/token' && ctx.status === 200 && nextTokenMode && ctx.body && ctx.body.id_token) {
      const mode = nextTokenMode;
      nextTokenMode = '';
      ctx.body = { ...ctx.body, id_token: await forge(mode, ctx.body.id_token) };
    }
  });
  return { provider, handler: provider.callback(), privateJwk };
}

async function interaction(req, res, uid, action) {
  const { provider } = current;
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return page(res, 400, 'Wrong interaction', '');
  const { prompt, params } = details;
  if (req.method === 'GET') {
    if (prompt.name === 'login') {
      return page(res, 200, 'Sign in to the test provider',
        `<form method="post" action="/interaction/${uid}/login">` +
        '<label>Login <input name="login" autocomplete="username"></label>' +
        '<label>Password <input name="password" type="password"></label>' +
        '<button type="submit">Sign in</button></form>');
    }
    return page(res, 200, 'Allow access',
      `<p>${escapeHtml(params.client_id)} asks for: ${escapeHtml(params.scope)}</p>` +
      `<form method="post" action="/interaction/${uid}/confirm"><button type="submit">Allow</button></form>`);
  }
  if (action === 'login') {
    const form = await readForm(req);
    const account = accounts[form.login];
    if (!account || account.password !== form.password) {
      return page(res, 200, 'Sign in to the test provider',
        '<p class="error">Wrong login or password</p>' +
        `<form method="post" action="/interaction/${uid}/login">` +
        '<label>Login <input name="login"></label><label>Password <input name="password" type="password"></label>' +
        '<button type="submit">Sign in</button></form>');
    }
    return provider.interactionFinished(req, res, { login: { accountId: form.login } },
                                        { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    await readForm(req);
    const { accountId } = details.session;
    let grant = details.grantId ? await provider.Grant.find(details.grantId)
                                : new provider.Grant({ accountId, clientId: params.client_id });
    if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
    if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return page(res, 404, 'Not found', '');
}

const server = http.createServer(async (req, res) => {
  try {
    const url = new URL(req.url, issuer);
    const m = url.pathname.match(/^\/interaction\/([^/]+)(?:\/(login|confirm))?$/);
    if (m) return await interaction(req, res, m[1], m[2]);
    if (req.method === 'POST' && url.pathname === '/test/rotate') {
      current = await buildProvider();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ kid: stats.kid }));
    }
    if (req.method === 'POST' && url.pathname === '/test/next-token') {
      nextTokenMode = url.searchParams.get('mode') || '';
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify({ mode: nextTokenMode }));
    }
    if (req.method === 'GET' && url.pathname === '/test/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return res.end(JSON.stringify(stats));
    }
    return current.handler(req, res);
  } catch (e) {
    console.error(e);
    if (!res.headersSent) page(res, 500, 'Provider error', `<pre>${escapeHtml(e.message)}</pre>`);
  }
});

server.listen(config.port || 0, '127.0.0.1', async () => {
  issuer = `http://${config.host || '127.0.0.1'}:${server.address().port}`;
  current = await buildProvider();
  console.log(`oidc-provider listening on ${issuer}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
