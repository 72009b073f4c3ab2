// Node-RED for bench/automation.py: the flows of flows.json on loopback, no editor and no
// admin API, no calls out, logs at warn. Port and folders come from the command line.
module.exports = {
  uiHost: "127.0.0.1",
  flowFile: "flows.json",
  httpAdminRoot: false,
  diagnostics: { enabled: false, ui: false },
  runtimeState: { enabled: false, ui: false },
  telemetry: { enabled: false },
  logging: { console: { level: "warn", metrics: false, audit: false } },
};
