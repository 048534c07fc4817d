// OdooEmulator: the in-memory stand-in for an Odoo server that every test and the demo use.
//
// It answers like the recordings in tests/data/odoo-transcripts do, errors included: the JSON-RPC
// envelope, error codes and data.name values, the session cookie, "Invalid JSON data" for a
// malformed body and an HTML 404 for unknown routes. This is the request handler only: a pure
// function from an HTTP request to a response plus a delay, so it is testable without a socket.
// EmulatorServer (server.h) puts it on HTTP and HTTPS listeners.
//
// It knows what the journeys and their cleanups use: common.version/login/authenticate,
// object.execute_kw, the web session routes and /web/dataset/call_kw, 19's JSON-2 with its real
// statuses, /web/webclient/version_info, /web/version and /web/health; the business models are
// in OdooDatabase (odoo_db.h), each version's wording in its Dialect (dialect.h).
//
// Thread-safety: Handle() and the setters may be called from any thread; state is guarded by
// mu_.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "prober/mutex.h"
#include "runners/http/http_server.h"
#include "tests/emulator/dialect.h"
#include "tests/emulator/faults.h"

namespace odoo_prober::emulator {

using nlohmann::json;
class OdooDatabase;

struct EmulatorOptions {
  // Odoo personality: "16.0", "17.0", "18.0" or "19.0".
  std::string version = "17.0";
  std::string database = "probe";
  std::string login = "admin";
  std::string password = "admin";
  // An API key that works instead of the password on /jsonrpc and as the bearer token of
  // JSON-2 (19.0); empty: none.
  std::string api_key;
  // stock_sms's confirmation wizard when an outgoing transfer is validated without skip_sms;
  // on, as in a standard install.
  bool sms_confirmation = true;
  // The Manufacturing "Work Orders" setting; unset: as in the version's demo database (off on
  // 16.0, on from 17.0).
  std::optional<bool> work_orders;
  // Rate of the sales tax in percent (the demo's 15 %).
  double sale_tax_percent = 15.0;
  // Modules of the standard install that this database does not have.
  std::vector<std::string> without_modules;
  // The probe master data `odoo-prober provision` creates (PROBE-CUSTOMER, PROBE-VENDOR, the
  // consumables PROBE-ITEM, PROBE-COMPONENT and PROBE-MANUFACTURED with its bill of materials
  // when Work Orders is on), as a target prepared for probing has it: the built-in journeys'
  // defaults. Off: the version's demo database alone, as the recordings found it.
  bool probe_data = true;
};

using runners::HttpRequest;
using runners::HttpResponse;

// How the server delivers one answer: the delivery faults (a slow, hung, reset or cut-off
// answer) are the emulator's, applied by its server (server.h), never by the prober's.
struct Delivery {
  HttpResponse response;
  std::chrono::milliseconds delay{0};  // wait this long before answering
  enum class Action {
    kRespond,   // send it
    kHang,      // send nothing, keep the connection open until the server stops
    kReset,     // reset the connection (TCP RST) instead of answering
    kTruncate,  // send the headers and half the body, then close
  } action = Action::kRespond;
};

// One call, as recorded for tests. Secrets (passwords, API keys) are replaced by "<redacted>".
struct LoggedCall {
  std::string endpoint;  // "/jsonrpc", "/web/dataset/call_kw/res.users/read"
  std::string service;   // "common", "object" or empty
  std::string model;
  std::string method;
  nlohmann::json args;
};

// The versions the emulator can impersonate.
const std::vector<std::string>& SupportedVersions();

class OdooEmulator {
 public:
  explicit OdooEmulator(EmulatorOptions options);
  ~OdooEmulator();

  // Probe-tagged records not in a final state (see OdooDatabase::OpenRecordsTagged).
  json OpenRecordsTagged(const std::string& tag) const;
  // The related model of model.field ("" for a non-relational or unknown field); for tests that
  // translate ids between a recording and the emulator.
  std::string FieldComodel(const std::string& model, const std::string& field) const;

  // The answer to one request and how to deliver it, faults included.
  Delivery Serve(const HttpRequest& request);
  // The answer alone (Serve(request).response).
  HttpResponse Handle(const HttpRequest& request) { return Serve(request).response; }

  void SetFaults(Faults faults);
  Faults faults() const;
  // The certificate the HTTPS listeners serve to new connections (Faults::certificate).
  std::string certificate() const;
  // What an administrator changes on a running Odoo, for the change-watching tests (also POST
  // /__emulator/admin with the same JSON): {"server_version": "17.0+e"} (what version() answers
  // from now on), {"modules": {"sale": "17.0.1.3", "mrp_plm": "17.0.1.0", "purchase": null}}
  // (upgrades an installed module to that latest_version, installs one that is not, uninstalls
  // one given null) and {"certificate": "rotated"} (the certificate new HTTPS connections get,
  // as Faults::certificate). Fails on a malformed document.
  prober::Status Administer(const json& change);
  // Forgets every web session, as a server restart or max inactivity would.
  void ExpireAllSessions();
  std::vector<LoggedCall> RequestLog() const;
  // Every web session id issued so far (the secrets a prober must never print).
  std::vector<std::string> SessionIds() const;
  const EmulatorOptions& options() const { return options_; }

 private:
  struct RpcAnswer {
    json result;             // used when error is null
    json error;              // the "error" member, or null
    bool has_result = true;  // false: Odoo returned None, no "result" member
    bool null_id = false;    // session errors answer with "id": null, as recorded
  };

  HttpResponse HandleOdoo(const HttpRequest& request);
  HttpResponse HandleJsonRpc(const HttpRequest& request, const json& body);
  HttpResponse HandleJson2(const HttpRequest& request);
  HttpResponse HandleControl(const HttpRequest& request);
  // "model.method", "service.method" or the route path: what faults are matched against.
  static std::string CallKey(const HttpRequest& request);
  std::optional<FaultRule> DrawFault(const std::string& key);
  std::chrono::milliseconds DrawDelay(const std::string& key, const std::string& path,
                                      const std::string& client);
  Delivery FaultResponse(const FaultRule& rule, const HttpRequest& request);
  RpcAnswer Dispatch(const std::string& path, const json& params, const std::string& cookie,
                     std::vector<std::pair<std::string, std::string>>& headers);
  RpcAnswer DispatchJsonRpc(const json& params);
  RpcAnswer DispatchAuthenticate(const json& params,
                                 std::vector<std::pair<std::string, std::string>>& headers);
  RpcAnswer DispatchSession(const std::string& path, const json& params, const std::string& cookie,
                            std::vector<std::pair<std::string, std::string>>& headers);
  static RpcAnswer SessionExpired();
  RpcAnswer ExecuteKw(const json& args);
  RpcAnswer CallModel(const std::string& model, const std::string& method, const json& args,
                      const json& kwargs, bool via_call_kw);
  json VersionInfo() const;
  json SessionInfo(int uid) const;
  static json NotFound();
  std::optional<int> SessionUid(const std::string& cookie);
  static json Error(int code, const std::string& message, const std::string& name,
                    const std::string& text, const std::string& frames);
  // 2 (the uid) when the credentials are right, 0 when wrong, -1 for an unknown database.
  int CheckLogin(const std::string& db, const std::string& login, const std::string& password,
                 bool allow_api_key) const;
  std::string NewSessionId();

  const EmulatorOptions options_;
  mutable prober::Mutex mu_;
  Faults faults_ GUARDED_BY(mu_);
  std::string server_version_ GUARDED_BY(mu_);  // Administer's; "" the personality's
  std::vector<int> rule_matches_ GUARDED_BY(mu_);  // by rule: requests seen (for `after`)
  struct Session {
    int uid = 0;
    int calls = 0;
  };
  std::map<std::string, Session> sessions_ GUARDED_BY(mu_);
  std::vector<std::string> issued_ GUARDED_BY(mu_);  // every session id ever issued
  std::mt19937_64 rng_ GUARDED_BY(mu_){1};
  std::vector<LoggedCall> log_ GUARDED_BY(mu_);
  mutable prober::Mutex db_mu_;  // held across one RPC call
  std::unique_ptr<OdooDatabase> db_ PT_GUARDED_BY(db_mu_);
  const Dialect& dialect_;  // the database's, fixed for its life: read without db_mu_
};

}  // namespace odoo_prober::emulator
