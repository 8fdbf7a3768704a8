// A real, certified OpenID Provider (panva/oidc-provider) for the sign-in tests, on loopback.
// Usage: node provider.mjs PORT REDIRECT_URI ACCOUNTS_JSON
// ACCOUNTS_JSON maps a login name to its claims, e.g. {"ani": {"email": "ani@dinsos.go.id"}}.
// Its development login screen takes any password: the test is of our side of the flow.
import Provider from "oidc-provider";

const [port, redirectUri, accountsJson] = process.argv.slice(2);
const accounts = JSON.parse(accountsJson);

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: "command-center",
      client_secret: "command-center-test-secret",
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [redirectUri], // Streamlit returns there after sign-out
      grant_types: ["authorization_code"],
      response_types: ["code"],
    },
  ],
  scopes: ["openid", "email", "profile", "command_center"],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    command_center: ["cc_role", "cc_scope"],
  },
  conformIdTokenClaims: false, // the claims go into the ID token, where Streamlit reads them
  findAccount: async (ctx, id) => ({
    accountId: id,
    claims: async () => ({ sub: id, email_verified: true, name: id, ...(accounts[id] ?? {}) }),
  }),
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  cookies: { keys: ["command-center-test-cookie-key"] },
});
provider.listen(Number(port), "127.0.0.1", () => console.log(`oidc provider on ${port}`));
