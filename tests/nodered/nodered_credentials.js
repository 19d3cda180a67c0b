// Encrypt credentials with Node-RED's own runtime code (@node-red/runtime's credentials module),
// as Node-RED does when it writes flows_cred.json.
// usage: node nodered_credentials.js NODE_RED_DIR SECRET CREDENTIALS_JSON  -> prints the file
const path = require("path");
const [, , home, secret, json] = process.argv;
const credentials = require(path.join(home, "node_modules/@node-red/runtime/lib/nodes/credentials"));
const store = { credentialSecret: secret };
const quiet = () => {};
credentials.init({
  log: { warn: quiet, info: quiet, trace: quiet, debug: quiet, error: quiet, _: (k) => k },
  settings: {
    get: (k) => store[k],
    set: async (k, v) => { store[k] = v; },
    delete: async (k) => { delete store[k]; },
  },
  storage: { projects: null },
});
(async () => {
  await credentials.load({});
  const creds = JSON.parse(json);
  for (const id of Object.keys(creds)) {
    await credentials.add(id, creds[id]);
  }
  process.stdout.write(JSON.stringify(await credentials.export()));
})().catch((err) => { console.error(err); process.exit(1); });
