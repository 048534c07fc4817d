// Test seams: a clock that only moves when told to, and an Odoo client that answers from a
// script, so the interpreter, the scheduler loop and the daemon can be tested in milliseconds,
// without a socket and without sleeping.
//
// Thread-safety: FakeClock may be read and advanced from any thread. A FakeOdooClient is used
// by one run at a time, as the real one; its Script may be inspected after the run.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "prober/clock.h"
#include "prober/mutex.h"
#include "prober/odoo_client.h"

namespace odoo_prober::testing {

class FakeClock final : public prober::Clock {
 public:
  // Starts at `wall` (and an arbitrary monotonic origin).
  explicit FakeClock(std::chrono::system_clock::time_point wall =
                         std::chrono::system_clock::time_point(std::chrono::seconds(1795003200)));
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point Monotonic() const override;
  // Advances both clocks by `d` instead of waiting.
  void Sleep(std::chrono::milliseconds d) const override;
  void Advance(std::chrono::milliseconds d) const { Sleep(d); }
  // Total time slept through Sleep() (not Advance's share: both count).
  std::chrono::milliseconds slept() const;

 private:
  mutable prober::Mutex mu_;
  mutable std::chrono::milliseconds elapsed_ GUARDED_BY(mu_){0};
  const std::chrono::system_clock::time_point wall_;
};

// The calls a FakeOdooClient received and the answers it gives.
struct Script {
  struct Call {
    std::string model, method;
    nlohmann::json args, kwargs;
  };
  // Handlers by "model.method" ("*" for any); each answers one call. Answers queued with
  // Then() are used first, in order, for their key.
  using Handler = std::function<prober::RpcResult(const Call&)>;
  void On(const std::string& key, Handler handler);
  void Then(const std::string& key, prober::RpcResult answer);
  // How long each call takes on the clock (advanced by the client), by key ("*": all).
  void Takes(const std::string& key, std::chrono::milliseconds d);

  std::vector<Call> calls;  // in order
  int logins = 0;
  int server_major = 17;
  bool refuse_login = false;

  prober::RpcResult Answer(const Call& call);
  std::chrono::milliseconds Duration(const Call& call) const;

 private:
  std::map<std::string, Handler> handlers_;
  std::map<std::string, std::deque<prober::RpcResult>> queued_;
  std::map<std::string, std::chrono::milliseconds> durations_;
};

// A successful answer with `result` (a method that returned None: nullptr).
prober::RpcResult Ok(nlohmann::json result);
// An Odoo error envelope of class `name`.
prober::RpcResult OdooFailure(const std::string& name, const std::string& message);
// A window action; `target` "new" makes it a dialog.
nlohmann::json Action(const std::string& res_model, const std::string& target = "new");

class FakeOdooClient final : public prober::OdooClient {
 public:
  FakeOdooClient(std::shared_ptr<Script> script, const FakeClock& clock)
      : script_(std::move(script)), clock_(clock) {}
  prober::RpcResult Version(prober::Deadline deadline) override;
  prober::RpcResult Authenticate(prober::Deadline deadline) override;
  prober::RpcResult CallKw(const std::string& model, const std::string& method,
                           const nlohmann::json& args, const nlohmann::json& kwargs,
                           prober::Deadline deadline) override;
  int uid() const override { return uid_; }
  int server_major() const override { return uid_ ? script_->server_major : 0; }
  prober::Protocol protocol() const override { return prober::Protocol::kJsonRpc; }

 private:
  std::shared_ptr<Script> script_;
  const FakeClock& clock_;
  int uid_ = 0;
};

}  // namespace odoo_prober::testing
