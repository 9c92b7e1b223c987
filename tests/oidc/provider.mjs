// A real OpenID Connect provider for the login tests (node-oidc-provider,
// an OpenID Certified implementation), started by tests/test_oidc.py on
// loopback. Its own login page stands for EU Login's: the accounts below,
// password "provider-secret", and an optional one-time code "246810" that
// makes the login a two-factor one (acr ".../loa/medium", amr pwd+otp).
//
//   node provider.mjs PORT CLIENT_ID CLIENT_SECRET REDIRECT_URI
import Provider from 'oidc-provider';

const [port, clientId, clientSecret, redirectUri] = process.argv.slice(2);
const ISSUER = `http://127.0.0.1:${port}`;
const PASSWORD = 'provider-secret';
const CODE = '246810';
const ACR_BASIC = 'https://ecas.ec.europa.eu/loa/basic';
const ACR_MEDIUM = 'https://ecas.ec.europa.eu/loa/medium';

const ACCOUNTS = {
  'eu-7f3a91': { given_name: 'Anna', family_name: 'Visser', email: 'anna.visser@example.org' },
  'eu-2b8c44': { given_name: 'Mateo', family_name: 'García', email: 'mateo.garcia@example.org' },
};

const configuration = {
  clients: [{
    client_id: clientId,
    client_secret: clientSecret,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [redirectUri.split('/acl_users/')[0]],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  claims: {
    acr: null,
    amr: null,
    auth_time: null,
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'given_name', 'family_name'],
  },
  acrValues: [ACR_BASIC, ACR_MEDIUM],
  features: { devInteractions: { enabled: false } },
  pkce: { methods: ['S256'], required: () => true },
  cookies: { keys: ['ern-cpms-tests-only'] },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, sub) {
    if (!(sub in ACCOUNTS)) return undefined;
    return {
      accountId: sub,
      async claims() {
        return { sub, email_verified: true, ...ACCOUNTS[sub] };
      },
    };
  },
};

const provider = new Provider(ISSUER, configuration);

function page(uid, error = '') {
  return `<!doctype html><html lang="en"><head><title>Test provider login</title></head><body>
<h1>Test provider login</h1>${error ? `<p id="error">${error}</p>` : ''}
<form method="post" action="/interaction/${uid}/login">
<label>Login <input name="login" id="login"></label>
<label>Password <input name="password" id="password" type="password"></label>
<label>One-time code (optional) <input name="otp" id="otp"></label>
<button type="submit" id="submit">Log in</button></form></body></html>`;
}

async function formOf(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

provider.use(async (ctx, next) => {
  const match = ctx.path.match(/^\/interaction\/([^/]+)(\/login)?$/);
  if (!match) return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  if (ctx.method === 'GET') {
    ctx.type = 'html';
    ctx.body = page(details.uid);
    return undefined;
  }
  const form = await formOf(ctx.req);
  const login = form.get('login');
  if (!(login in ACCOUNTS) || form.get('password') !== PASSWORD) {
    ctx.status = 400;
    ctx.type = 'html';
    ctx.body = page(details.uid, 'Wrong login or password');
    return undefined;
  }
  const twoFactors = form.get('otp') === CODE;
  const grant = new provider.Grant({ accountId: login, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  const result = {
    login: {
      accountId: login,
      acr: twoFactors ? ACR_MEDIUM : ACR_BASIC,
      amr: twoFactors ? ['pwd', 'otp'] : ['pwd'],
    },
    consent: { grantId },
  };
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result, {
    mergeWithLastSubmission: false,
  });
  ctx.redirect(returnTo);
  return undefined;
});

provider.listen(Number(port), '127.0.0.1', () => {
  console.log(`ready ${ISSUER}`);
});
