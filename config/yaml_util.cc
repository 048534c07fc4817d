#include "config/yaml_util.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "prober/text.h"

namespace odoo_prober::config {

namespace {
std::string NotUtf8Message(unsigned char byte) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", byte);
  return std::string("the file is not UTF-8 here (byte ") + hex +
         "): YAML files are UTF-8; save it as UTF-8, e.g. iconv -f latin1 -t utf-8";
}

}  // namespace

NotUtf8::NotUtf8(const YAML::Mark& at, unsigned char byte)
    : YAML::Exception(at, NotUtf8Message(byte)) {}

YAML::Node LoadUtf8(const std::string& text) {
  const size_t bad = prober::FirstNotUtf8(text);
  if (bad != std::string::npos) {
    YAML::Mark at;
    at.pos = static_cast<int>(bad);
    at.line = static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
    const size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
    const size_t from = line_start == std::string::npos || bad == 0 ? 0 : line_start + 1;
    // Columns count characters, as an editor shows them: UTF-8 continuation bytes are not one.
    at.column = static_cast<int>(std::count_if(text.begin() + from, text.begin() + bad, [](char c) {
      return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
    throw NotUtf8(at, static_cast<unsigned char>(text[bad]));
  }
  return YAML::Load(text);
}

nlohmann::json YamlToJson(const YAML::Node& node) {
  using nlohmann::json;
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (auto it = node.begin(); it != node.end(); ++it)
        out[it->first.Scalar()] = YamlToJson(it->second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(YamlToJson(item));
      return out;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted: always text
      if (s == "true" || s == "True") return true;
      if (s == "false" || s == "False") return false;
      if (s == "null" || s == "~") return nullptr;
      if (!s.empty()) {
        char* end = nullptr;
        const long long i = std::strtoll(s.c_str(), &end, 10);
        if (*end == '\0' && (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-'))
          return i;
        const double d = std::strtod(s.c_str(), &end);
        if (*end == '\0' &&
            (std::isdigit(static_cast<unsigned char>(s[0])) || s[0] == '-' || s[0] == '.'))
          return d;
      }
      return s;
    }
    default:
      return nullptr;
  }
}

SourcePos PosOf(const YAML::Node& node, const std::string& file) {
  const YAML::Mark m = node.Mark();
  return {file, m.line >= 0 ? m.line + 1 : 1, m.column >= 0 ? m.column + 1 : 1};
}

namespace {
size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}
}  // namespace

std::optional<std::string> Closest(const std::string& word, const std::vector<std::string>& known) {
  // The same word in another case ("Lyon" for "lyon") is the likeliest slip of all.
  auto lower = [](std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
  };
  for (const auto& k : known) {
    if (lower(k) == lower(word)) return k;
  }
  std::optional<std::string> best;
  size_t best_d = std::max<size_t>(2, word.size() / 3) + 1;
  for (const auto& k : known) {
    // A word that is the start of a known one ("partner" for "partner_id") is a likely slip.
    if (word.size() >= 3 && k.size() > word.size() && k.compare(0, word.size(), word) == 0)
      return k;
    const size_t d = EditDistance(word, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

}  // namespace odoo_prober::config
