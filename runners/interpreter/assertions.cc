// The expectations of a step (expect:, retry_until:, check steps): what an answer or a variable
// is held to.
#include <optional>
#include <string>

#include "prober/text.h"
#include "runners/interpreter/internal/steps.h"

namespace odoo_prober::runners::internal {

using nlohmann::json;
using prober::Outcome;
using scenarios::Expectation;
using scenarios::Scope;
using scenarios::Step;

namespace {

bool Empty(const json& v) {
  return v.is_null() || v == false ||
         ((v.is_array() || v.is_object() || v.is_string()) && v.empty());
}

bool NumEq(const json& a, const json& b) {
  if (a.is_number() && b.is_number()) return a.get<double>() == b.get<double>();
  return a == b;
}

// What an expectation looks at: the answer, or a variable, at its path; `what` names it.
json Subject(const Expectation& e, const json& result, const Scope& scope, std::string& what) {
  json subject = result;
  what = "the answer";
  if (!e.var.empty()) {
    auto v = scenarios::Expand(json("${var." + e.var + "}"), scope);
    subject = v.ok() ? *v : json(nullptr);
    what = "var." + e.var;
  }
  if (e.path) {
    const json* found = e.path->Find(subject);
    subject = found ? *found : json(nullptr);
    what = e.path->text();
  }
  return subject;
}

// An ordering expectation (>, >=, <, <=) on numbers; why it does not hold.
std::optional<std::string> CheckOrder(Expectation::Op op, const json& subject, const json& want,
                                      const std::string& what,
                                      const std::function<std::string()>& got) {
  using Op = Expectation::Op;
  if (!subject.is_number() || !want.is_number())
    return "expected a number at " + what + ", got " + got();
  const double x = subject.get<double>(), y = want.get<double>();
  const bool ok = op == Op::kGt ? x > y : op == Op::kGe ? x >= y : op == Op::kLt ? x < y : x <= y;
  if (ok) return std::nullopt;
  const char* sign = op == Op::kGt ? ">" : op == Op::kGe ? ">=" : op == Op::kLt ? "<" : "<=";
  return "expected " + what + " " + sign + " " + prober::DumpJson(want) + ", got " + got();
}

}  // namespace

std::optional<std::string> Check(const Expectation& e, const json& result, const Scope& scope) {
  std::string what;
  const json subject = Subject(e, result, scope, what);
  auto expected = scenarios::Expand(e.value, scope);
  if (!expected.ok())
    return "cannot expand " + prober::DumpJson(e.value) + ": " + expected.status().message();
  const json& want = *expected;
  // Written only for a failure: an answer may be large.
  const std::function<std::string()> got = [&] { return prober::DumpJson(subject).substr(0, 200); };
  using Op = Expectation::Op;
  switch (e.op) {
    case Op::kEquals:
      if (!NumEq(subject, want))
        return "expected " + what + " == " + prober::DumpJson(want) + ", got " + got();
      break;
    case Op::kNotEquals:
      if (NumEq(subject, want)) return "expected " + what + " != " + prober::DumpJson(want);
      break;
    case Op::kIn: {
      bool found = false;
      for (const auto& w : want) found = found || NumEq(subject, w);
      if (!found) return "expected " + what + " in " + prober::DumpJson(want) + ", got " + got();
      break;
    }
    case Op::kGt:
    case Op::kGe:
    case Op::kLt:
    case Op::kLe:
      return CheckOrder(e.op, subject, want, what, got);
    case Op::kCount: {
      const size_t n =
          subject.is_array() || subject.is_object() ? subject.size() : (subject.is_null() ? 0 : 1);
      if (!want.is_number() || n != want.get<size_t>())
        return "expected " + std::to_string(want.get<long>()) + " item(s) in " + what + ", got " +
               std::to_string(n);
      break;
    }
    case Op::kNotEmpty:
      if (Empty(subject) == (want == true))
        return "expected " + what + (want == true ? " not empty" : " empty") + ", got " + got();
      break;
  }
  return std::nullopt;
}

}  // namespace odoo_prober::runners::internal
