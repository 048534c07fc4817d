#include "tests/support/fakes.h"

namespace odoo_prober::testing {

using nlohmann::json;

FakeClock::FakeClock(std::chrono::system_clock::time_point wall) : wall_(wall) {}

std::chrono::system_clock::time_point FakeClock::Now() const {
  prober::MutexLock lock(mu_);
  return wall_ + elapsed_;
}

std::chrono::steady_clock::time_point FakeClock::Monotonic() const {
  prober::MutexLock lock(mu_);
  return std::chrono::steady_clock::time_point(std::chrono::hours(1)) + elapsed_;
}

void FakeClock::Sleep(std::chrono::milliseconds d) const {
  prober::MutexLock lock(mu_);
  elapsed_ += d;
}

std::chrono::milliseconds FakeClock::slept() const {
  prober::MutexLock lock(mu_);
  return elapsed_;
}

void Script::On(const std::string& key, Handler handler) { handlers_[key] = std::move(handler); }

void Script::Then(const std::string& key, prober::RpcResult answer) {
  queued_[key].push_back(std::move(answer));
}

void Script::Takes(const std::string& key, std::chrono::milliseconds d) { durations_[key] = d; }

prober::RpcResult Script::Answer(const Call& call) {
  const std::string key = call.model + "." + call.method;
  for (const std::string& k : {key, std::string("*")}) {
    if (auto q = queued_.find(k); q != queued_.end() && !q->second.empty()) {
      prober::RpcResult r = std::move(q->second.front());
      q->second.pop_front();
      return r;
    }
    if (auto h = handlers_.find(k); h != handlers_.end()) return h->second(call);
  }
  return OdooFailure("builtins.AttributeError", "the script has no answer for " + key);
}

std::chrono::milliseconds Script::Duration(const Call& call) const {
  if (auto d = durations_.find(call.model + "." + call.method); d != durations_.end())
    return d->second;
  if (auto d = durations_.find("*"); d != durations_.end()) return d->second;
  return std::chrono::milliseconds(0);
}

prober::RpcResult Ok(json result) {
  prober::RpcResult r;
  r.result = std::move(result);
  r.http_status = 200;
  return r;
}

prober::RpcResult OdooFailure(const std::string& name, const std::string& message) {
  prober::RpcResult r;
  r.outcome = prober::Outcome::kOdooError;
  r.http_status = 200;
  r.error = prober::OdooError{200, "Odoo Server Error", name, message, ""};
  r.detail = name + ": " + message;
  return r;
}

json Action(const std::string& res_model, const std::string& target) {
  return {{"type", "ir.actions.act_window"},
          {"res_model", res_model},
          {"target", target},
          {"context", {{"button_validate_picking_ids", {1}}}}};
}

prober::RpcResult FakeOdooClient::Version(prober::Deadline) {
  return Ok({{"server_version_info", {script_->server_major, 0, 0, "final", 0, ""}}});
}

prober::RpcResult FakeOdooClient::Authenticate(prober::Deadline) {
  ++script_->logins;
  if (script_->refuse_login) {
    prober::RpcResult r;
    r.outcome = prober::Outcome::kAuth;
    r.detail = "Access Denied";
    return r;
  }
  uid_ = 2;
  return Ok(2);
}

prober::RpcResult FakeOdooClient::CallKw(const std::string& model, const std::string& method,
                                         const json& args, const json& kwargs,
                                         prober::Deadline deadline) {
  const Script::Call call{model, method, args, kwargs};
  script_->calls.push_back(call);
  const auto took = script_->Duration(call);
  if (clock_.Monotonic() + took > deadline) {
    // The deadline falls within the call: it times out there, as the real client does.
    clock_.Advance(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_.Monotonic()));
    prober::RpcResult r;
    r.outcome = prober::Outcome::kTimeout;
    r.detail = "no complete answer before the deadline";
    return r;
  }
  clock_.Advance(took);
  prober::RpcResult r = script_->Answer(call);
  r.timings.total_us = std::chrono::duration_cast<std::chrono::microseconds>(took).count();
  return r;
}

}  // namespace odoo_prober::testing
