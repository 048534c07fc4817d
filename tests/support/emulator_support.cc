#include "tests/support/emulator_support.h"

#include <stdexcept>
#include <utility>

namespace odoo_prober::testing {

RunningEmulator::RunningEmulator(emulator::EmulatorOptions options) {
  auto pki = emulator::EnsurePki(dir_.path() + "/pki");
  if (!pki.ok()) throw std::runtime_error(pki.status().message());
  pki_ = *pki;
  emulator_ = std::make_unique<emulator::OdooEmulator>(std::move(options));
  emulator::ServerOptions o;
  o.http = true;
  o.https = true;
  o.cert_file = pki_.server_cert;
  o.key_file = pki_.server_key;
  o.certificates = {{"self-signed", {pki_.untrusted_cert, pki_.untrusted_key}},
                    {"expired", {pki_.expired_cert, pki_.expired_key}},
                    {"wrong-host", {pki_.wrong_host_cert, pki_.wrong_host_key}},
                    {"rotated", {pki_.rotated_cert, pki_.rotated_key}}};
  auto server = emulator::StartServer(o, *emulator_);
  if (!server.ok()) throw std::runtime_error(server.status().message());
  server_ = std::move(*server);
  emulator::ServerOptions rogue;
  rogue.http = false;
  rogue.https = true;
  rogue.threads = 1;
  rogue.cert_file = pki_.untrusted_cert;
  rogue.key_file = pki_.untrusted_key;
  auto untrusted = emulator::StartServer(rogue, *emulator_);
  if (!untrusted.ok()) throw std::runtime_error(untrusted.status().message());
  untrusted_ = std::move(*untrusted);
}

RunningEmulator::~RunningEmulator() {
  if (untrusted_) untrusted_->Stop();
  if (server_) server_->Stop();
}

std::string RunningEmulator::http_url() const {
  return "http://127.0.0.1:" + std::to_string(server_->http_port());
}
std::string RunningEmulator::https_url() const {
  return "https://localhost:" + std::to_string(server_->https_port());
}
std::string RunningEmulator::untrusted_https_url() const {
  return "https://localhost:" + std::to_string(untrusted_->https_port());
}

emulator::EmulatorOptions Personality(const std::string& version, const std::string& password,
                                      const std::string& database) {
  emulator::EmulatorOptions o;
  o.version = version;
  o.password = password;
  o.database = database;
  return o;
}

emulator::Faults SlowEverything(std::chrono::milliseconds delay) {
  emulator::Faults f;
  f.latency = {delay, delay};
  return f;
}

emulator::Faults SlowMethod(const std::string& key, std::chrono::milliseconds delay) {
  emulator::Faults f;
  f.method_latency[key] = {delay, delay};
  return f;
}

emulator::Faults FailMethod(const std::string& key, emulator::FaultKind kind) {
  emulator::Faults f;
  f.rules.push_back({key, kind, 1.0});
  return f;
}

nlohmann::json ExecuteKw(emulator::OdooEmulator& emu, const std::string& model,
                         const std::string& method, nlohmann::json args, nlohmann::json kwargs) {
  const auto& o = emu.options();
  const nlohmann::json request = {
      {"jsonrpc", "2.0"},
      {"method", "call"},
      {"id", 1},
      {"params",
       {{"service", "object"},
        {"method", "execute_kw"},
        {"args", {o.database, 2, o.password, model, method, std::move(args), std::move(kwargs)}}}}};
  runners::HttpRequest req;
  req.method = "POST";
  req.path = "/jsonrpc";
  req.body = request.dump();
  const auto res = emu.Handle(req);
  const auto answer = nlohmann::json::parse(res.body, nullptr, false);
  if (answer.is_discarded() || !answer.is_object() || answer.contains("error")) {
    throw std::runtime_error(model + "." + method + " failed: " + res.body.substr(0, 500));
  }
  return answer.value("result", nlohmann::json());
}

nlohmann::json StockSnapshot(emulator::OdooEmulator& emu) {
  const auto quants = ExecuteKw(
      emu, "stock.quant", "search_read",
      nlohmann::json::array(
          {nlohmann::json::array({nlohmann::json::array({"location_id.usage", "=", "internal"})})}),
      {{"fields", {"product_id", "location_id", "quantity", "reserved_quantity"}}});
  nlohmann::json out = nlohmann::json::object();
  for (const auto& q : quants) {
    out[std::to_string(q["id"].get<int>())] = {{"product", q["product_id"][1]},
                                               {"quantity", q["quantity"]},
                                               {"reserved", q["reserved_quantity"]}};
  }
  return out;
}

}  // namespace odoo_prober::testing
