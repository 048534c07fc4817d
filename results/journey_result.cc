#include "results/journey_result.h"

#include <algorithm>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "prober/text.h"
#include "results/dependency_result.h"

namespace odoo_prober::results {

using nlohmann::json;
using prober::Outcome;
using prober::RpcTimings;

bool JourneyResult::CleanedUp() const {
  for (const auto& r : records) {
    if (r.status != "ok") return false;
  }
  return true;
}

RpcTimings JourneyResult::TotalTimings() const {
  RpcTimings t;
  for (const auto& s : steps) t += s.timings;
  return t;
}

namespace {

std::string Iso8601(std::chrono::system_clock::time_point tp) {
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch()).count();
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  return prober::FormatUtc(tp, "%Y-%m-%dT%H:%M:%S") + millis;
}

std::optional<std::chrono::system_clock::time_point> ParseIso8601(const std::string& s) {
  std::tm tm{};
  int millis = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  const std::time_t secs = timegm(&tm);
  return std::chrono::system_clock::from_time_t(secs) + std::chrono::milliseconds(millis);
}

double Seconds(int64_t us) { return static_cast<double>(us) / 1e6; }
int64_t Micros(const json& j, const char* key) {
  return static_cast<int64_t>(j.at(key).get<double>() * 1e6 + 0.5);
}

json TimingsJson(const RpcTimings& t) {
  return {{"dns_seconds", Seconds(t.dns_us)},
          {"connect_seconds", Seconds(t.connect_us)},
          {"tls_seconds", Seconds(t.tls_us)},
          {"first_byte_seconds", Seconds(t.first_byte_us)},
          {"total_seconds", Seconds(t.total_us)}};
}

RpcTimings TimingsFromJson(const json& j) {
  RpcTimings t;
  t.dns_us = Micros(j, "dns_seconds");
  t.connect_us = Micros(j, "connect_seconds");
  t.tls_us = Micros(j, "tls_seconds");
  t.first_byte_us = Micros(j, "first_byte_seconds");
  t.total_us = Micros(j, "total_seconds");
  return t;
}

std::string Ms(int64_t us) {
  std::ostringstream o;
  o << std::fixed << std::setprecision(1) << static_cast<double>(us) / 1000.0 << " ms";
  return o.str();
}

}  // namespace

std::vector<prober::Connection> JourneyResult::Connections() const {
  std::vector<prober::Connection> out;
  for (const auto& s : steps) {
    const auto& c = s.connection;
    if (c.local.empty() && c.server.empty()) continue;
    const bool seen = std::any_of(out.begin(), out.end(), [&](const prober::Connection& o) {
      return o.local == c.local && o.server == c.server;
    });
    if (!seen) out.push_back(c);
  }
  return out;
}

json ToJson(const JourneyResult& r) {
  json steps = json::array();
  for (const auto& s : r.steps) {
    json step = {{"name", s.name},
                 {"outcome", prober::OutcomeName(s.outcome)},
                 {"timings", TimingsJson(s.timings)},
                 {"http_status", s.http_status}};
    if (!s.detail.empty()) step["detail"] = s.detail;
    if (!s.odoo_error.empty()) step["odoo_error"] = s.odoo_error;
    if (s.attempts != 1) step["attempts"] = s.attempts;
    if (!s.connection.local.empty() || !s.connection.server.empty()) {
      step["connection"] = {{"local", s.connection.local}, {"server", s.connection.server}};
    }
    steps.push_back(std::move(step));
  }
  json records = json::array();
  for (const auto& rc : r.records) {
    json rec = {{"model", rc.model}, {"id", rc.id}, {"cleanup", rc.status}};
    if (!rc.detail.empty()) rec["detail"] = rc.detail;
    if (!rc.state.empty()) rec["state"] = rc.state;
    records.push_back(std::move(rec));
  }
  json out = {
      {"run_id", r.run_id},
      {"journey", r.journey},
      {"definition", r.definition.empty() ? r.journey : r.definition},
      {"service", r.service},
      {"target", r.target},
      {"labels", {{"region", r.labels.region}, {"plant", r.labels.plant}, {"env", r.labels.env}}},
      {"started_at", Iso8601(r.started_at)},
      {"duration_seconds", Seconds(r.duration_us)},
      {"outcome", prober::OutcomeName(r.outcome)},
      {"protocol", r.protocol},
      {"server_major", r.server_major},
      {"timings", TimingsJson(r.TotalTimings())},
      {"steps", std::move(steps)},
      {"records", std::move(records)}};
  json egress = json::array();
  for (const auto& c : r.Connections())
    egress.push_back({{"local", c.local}, {"server", c.server}});
  out["egress"] = std::move(egress);
  if (!r.instance.empty()) out["instance"] = r.instance;
  if (!r.fields.empty()) {
    json fields = json::array();
    for (const auto& f : r.fields) {
      fields.push_back({{"model", f.model},
                        {"index", f.index},
                        {"id", f.id},
                        {"field", f.field},
                        {"value", f.value}});
    }
    out["fields"] = std::move(fields);
  }
  if (!r.failed_step.empty()) out["failed_step"] = r.failed_step;
  if (!r.detail.empty()) out["detail"] = r.detail;
  if (r.cancelled) out["cancelled"] = true;
  return out;
}

prober::Result<JourneyResult> FromJson(const json& j) {
  try {
    JourneyResult r;
    r.run_id = j.at("run_id").get<std::string>();
    r.journey = j.at("journey").get<std::string>();
    r.definition = j.value("definition", "");
    if (r.definition == r.journey) r.definition.clear();
    r.service = j.value("service", "");
    r.target = j.at("target").get<std::string>();
    r.instance = j.value("instance", "");
    const json& labels = j.at("labels");
    r.labels = {labels.at("region").get<std::string>(), labels.at("plant").get<std::string>(),
                labels.at("env").get<std::string>()};
    auto started = ParseIso8601(j.at("started_at").get<std::string>());
    if (!started) return prober::Status::InvalidArgument("started_at is not an ISO 8601 time");
    r.started_at = *started;
    r.duration_us = Micros(j, "duration_seconds");
    auto outcome = prober::ParseOutcome(j.at("outcome").get<std::string>());
    if (!outcome) return prober::Status::InvalidArgument("unknown outcome");
    r.outcome = *outcome;
    r.protocol = j.at("protocol").get<std::string>();
    r.server_major = j.at("server_major").get<int>();
    r.failed_step = j.value("failed_step", "");
    r.detail = j.value("detail", "");
    r.cancelled = j.value("cancelled", false);
    for (const auto& s : j.at("steps")) {
      StepResult step;
      step.name = s.at("name").get<std::string>();
      auto so = prober::ParseOutcome(s.at("outcome").get<std::string>());
      if (!so) return prober::Status::InvalidArgument("unknown step outcome");
      step.outcome = *so;
      step.timings = TimingsFromJson(s.at("timings"));
      step.http_status = s.at("http_status").get<long>();
      step.detail = s.value("detail", "");
      step.odoo_error = s.value("odoo_error", "");
      step.attempts = s.value("attempts", 1);
      if (s.contains("connection")) {
        step.connection = {s["connection"].value("local", ""), s["connection"].value("server", "")};
      }
      r.steps.push_back(std::move(step));
    }
    for (const auto& rec : j.value("records", json::array())) {
      r.records.push_back({rec.at("model").get<std::string>(), rec.at("id").get<int64_t>(),
                           rec.at("cleanup").get<std::string>(), rec.value("detail", ""),
                           rec.value("state", "")});
    }
    for (const auto& f : j.value("fields", json::array())) {
      r.fields.push_back({f.at("model").get<std::string>(), f.at("index").get<int>(),
                          f.at("id").get<int64_t>(), f.at("field").get<std::string>(),
                          f.at("value")});
    }
    return r;
  } catch (const json::exception& e) {
    return prober::Status::InvalidArgument(std::string("malformed journey result: ") + e.what());
  }
}

std::string FormatTable(const std::vector<JourneyResult>& results) {
  struct Row {
    std::vector<std::string> cells;
  };
  std::vector<Row> rows;
  rows.push_back(
      {{"JOURNEY", "TARGET", "OUTCOME", "TOTAL", "DNS", "CONNECT", "TLS", "FIRST BYTE", "DETAIL"}});
  for (const auto& r : results) {
    const RpcTimings t = r.TotalTimings();
    std::string detail = r.failed_step.empty() ? "" : "step " + r.failed_step + ": " + r.detail;
    if (detail.empty() && r.server_major > 0) {
      detail = "Odoo " + std::to_string(r.server_major) + " via " + r.protocol;
    }
    rows.push_back(
        {{r.journey, r.target, std::string(prober::OutcomeName(r.outcome)), Ms(r.duration_us),
          Ms(t.dns_us), Ms(t.connect_us), Ms(t.tls_us), Ms(t.first_byte_us), detail}});
    for (const auto& s : r.steps) {
      rows.push_back({{"  " + s.name, "", std::string(prober::OutcomeName(s.outcome)),
                       Ms(s.timings.total_us), Ms(s.timings.dns_us), Ms(s.timings.connect_us),
                       Ms(s.timings.tls_us), Ms(s.timings.first_byte_us), s.detail}});
    }
    for (const auto& rc : r.records) {
      std::string what = rc.state.empty() ? "" : "now " + rc.state;
      if (!rc.detail.empty()) what += (what.empty() ? "" : "; ") + rc.detail;
      rows.push_back({{"  cleanup " + rc.model + " " + std::to_string(rc.id), "", rc.status, "", "",
                       "", "", "", what}});
    }
  }
  std::vector<size_t> width(rows[0].cells.size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i + 1 < row.cells.size(); ++i)
      width[i] = std::max(width[i], row.cells[i].size());
  }
  std::ostringstream out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.cells.size(); ++i) {
      line += row.cells[i];
      if (i + 1 < row.cells.size()) line += std::string(width[i] - row.cells[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << "\n";
  }
  return out.str();
}

// dependency_result.h, beside the journeys' JSON and table (same times, same phases).
json ToJson(const DependencyResult& r) {
  const auto& o = r.outcome;
  json j = {{"type", "dependency"},
            {"dependency", r.dependency},
            {"kind", std::string(prober::DependencyKindName(r.kind))},
            {"used_by", r.used_by},
            {"region", r.labels.region},
            {"plant", r.labels.plant},
            {"env", r.labels.env},
            {"instance", r.instance},
            {"started_at", Iso8601(r.started_at)},
            {"duration_seconds", Seconds(o.timings.total_us)},
            {"outcome", std::string(prober::OutcomeName(o.outcome))},
            {"detail", o.detail},
            {"http_status", o.http_status},
            {"phases", TimingsJson(o.timings)},
            {"server_address", o.connection.server}};
  if (!o.addresses.empty()) j["addresses"] = o.addresses;
  if (r.cancelled) j["cancelled"] = true;
  return j;
}

std::string FormatDependencyTable(const std::vector<DependencyResult>& results) {
  if (results.empty()) return "";
  std::vector<std::vector<std::string>> rows = {
      {"DEPENDENCY", "KIND", "OUTCOME", "TOTAL", "USED BY", "DETAIL"}};
  for (const auto& r : results) {
    std::string detail = r.outcome.detail;
    if (detail.empty() && r.outcome.http_status)
      detail = "HTTP " + std::to_string(r.outcome.http_status);
    if (detail.empty() && !r.outcome.addresses.empty()) detail = prober::Join(r.outcome.addresses);
    rows.push_back({r.dependency, std::string(prober::DependencyKindName(r.kind)),
                    std::string(prober::OutcomeName(r.outcome.outcome)),
                    Ms(r.outcome.timings.total_us), prober::Join(r.used_by), detail});
  }
  std::vector<size_t> width(rows[0].size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i + 1 < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

}  // namespace odoo_prober::results
