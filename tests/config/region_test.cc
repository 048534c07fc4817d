// Region files: an instance started with --region loads its region's file over the config.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config/config.h"
#include "tests/support/support.h"

namespace odoo_prober::config {
namespace {

using testing::Contains;
using testing::TempDir;

constexpr const char* kBase = R"(version: 1
targets:
  - {name: lyon-prod, url: "https://erp.example.com", database: prod, login: probe, password_env: PW, params: {warehouse_code: WH}}
  - {name: porto-prod, url: "https://erp.example.com", database: prod, login: probe, password_env: PW, company_id: 2}
  - {name: us-prod, url: "https://us.example.com", database: prod, login: probe, password_env: PW}
journeys:
  - {name: login}
  - {name: goods_receipt, targets: [us-prod]}
  - {name: sales_order_confirmation, targets: [porto-prod, us-prod], interval: 5m}
)";

struct Fixture {
  TempDir dir;
  std::string config = dir.Write("prober.yaml", kBase);
  Fixture() { std::filesystem::create_directory(dir.path() + "/regions"); }
  void Region(const std::string& name, const std::string& text) const {
    dir.Write("regions/" + name + ".yaml", text);
  }
  ParseOutcome Load(const std::string& region) const {
    LoadOptions options{[](const std::string&) { return std::optional<std::string>("pw"); },
                        {region}};
    return ParseConfig(kBase, config, options);
  }
};

std::string Errors(const ParseOutcome& out) {
  std::string s;
  for (const auto& e : out.errors) s += e.ToString() + "\n";
  return s;
}

TEST_CASE("a region narrows the targets to its plants and stamps region and plant", "[region]") {
  Fixture f;
  f.Region("eu-west", R"(version: 1
name: eu-west
labels: {cloud: ovh, zone: gra-1, country: fr}
replicas: 2
plants:
  - {name: lyon, target: lyon-prod, params: {warehouse_code: LYO}}
  - {name: porto, target: porto-prod, company_id: 5}
)");
  auto out = f.Load("eu-west");
  INFO(Errors(out));
  REQUIRE(out.config);
  const auto& cfg = *out.config;
  REQUIRE(cfg.region);
  CHECK(cfg.region->name == "eu-west");
  CHECK(cfg.region->replicas == 2);
  CHECK(cfg.region->labels.at("country") == "fr");
  REQUIRE(cfg.targets.size() == 2);  // us-prod is not this region's
  CHECK(cfg.targets[0].name == "lyon-prod");
  CHECK(cfg.targets[0].labels.region == "eu-west");
  CHECK(cfg.targets[0].labels.plant == "lyon");
  CHECK(cfg.targets[0].params["warehouse_code"] == "LYO");  // the plant's over the target's
  CHECK(cfg.targets[1].labels.plant == "porto");
  CHECK(cfg.targets[1].company_id == 5);  // the plant's over the target's 2
  CHECK(cfg.targets[0].company_id == 0);
  // The config's journeys, narrowed: goods_receipt ran only on us-prod, so it is not here.
  REQUIRE(cfg.journeys.size() == 2);
  CHECK(cfg.journeys[0].name == "login");
  CHECK(cfg.journeys[0].targets.empty());  // every target of the region
  CHECK(cfg.journeys[1].name == "sales_order_confirmation");
  CHECK(cfg.journeys[1].targets == std::vector<std::string>{"porto-prod"});
  // Without --region: every target, no region.
  auto all = f.Load("");
  REQUIRE(all.config);
  CHECK(all.config->targets.size() == 3);
  CHECK_FALSE(all.config->region);
}

TEST_CASE("a region's own journeys name its plants", "[region]") {
  Fixture f;
  f.Region("eu-west", R"(version: 1
name: eu-west
plants:
  - {name: lyon, target: lyon-prod}
  - {name: porto, target: porto-prod}
journeys:
  - {name: goods_receipt, interval: 2m, plants: [porto]}
  - {name: login, service: access}
)");
  auto out = f.Load("eu-west");
  INFO(Errors(out));
  REQUIRE(out.config);
  REQUIRE(out.config->journeys.size() == 2);
  CHECK(out.config->journeys[0].targets == std::vector<std::string>{"porto-prod"});
  CHECK(out.config->journeys[0].interval == std::chrono::minutes(2));
  CHECK(out.config->journeys[0].pos.file == f.dir.path() + "/regions/eu-west.yaml");
  CHECK(out.config->journeys[1].targets.empty());
}

TEST_CASE("region file errors name the file, line and field", "[region]") {
  Fixture f;
  auto one = [&](const std::string& text) {
    f.Region("eu-west", text);
    auto out = f.Load("eu-west");
    INFO(Errors(out));
    REQUIRE(out.errors.size() == 1);
    CHECK(out.errors[0].pos.file == f.dir.path() + "/regions/eu-west.yaml");
    return out.errors[0];
  };
  auto e = one("version: 1\nname: eu-west\nplants:\n  - {name: lyon, target: lyon-prd}\n");
  CHECK(e.pos.line == 4);
  CHECK(e.field == "plants[0].target");
  CHECK(Contains(e.message, "did you mean 'lyon-prod'?"));
  e = one("version: 1\nname: eu-wst\nplants:\n  - {name: lyon, target: lyon-prod}\n");
  CHECK(e.field == "name");
  CHECK(Contains(e.message, "named after its region (eu-west.yaml)"));
  e =
      one("version: 1\nname: eu-west\nplants:\n  - {name: lyon, target: lyon-prod}\n  - {name: "
          "porto, target: lyon-prod}\n");
  CHECK(e.field == "plants[1].target");
  CHECK(Contains(e.message, "plant 'lyon' already uses target 'lyon-prod'"));
  e =
      one("version: 1\nname: eu-west\nplants:\n  - {name: lyon, target: lyon-prod}\njourneys:\n  - "
          "{name: login, plants: [lyin]}\n");
  CHECK(e.pos.line == 6);
  CHECK(e.field == "journeys[0].plants[0]");
  CHECK(Contains(e.message, "did you mean 'lyon'?"));
  e = one("version: 1\nname: eu-west\nplants: []\n");
  CHECK(e.field == "plants");
  e = one("version: 1\nname: eu-west\nreplica: 2\nplants:\n  - {name: lyon, target: lyon-prod}\n");
  CHECK(Contains(e.message, "did you mean 'replicas'?"));

  // A region without a file: the known ones are listed.
  auto missing = f.Load("us-east");
  REQUIRE(missing.errors.size() == 1);
  CHECK(Contains(missing.errors[0].pos.file, "regions/us-east.yaml"));
  CHECK(Contains(missing.errors[0].message, "known regions: eu-west"));
  auto odd = f.Load("../etc/passwd");
  REQUIRE(odd.errors.size() == 1);
  CHECK(Contains(odd.errors[0].message, "is not a region name"));
}

TEST_CASE("the shipped example regions load over the example config", "[region]") {
  const std::string example = std::string(ODOO_PROBER_SOURCE_DIR) + "/config/examples/prober.yaml";
  std::ifstream in(example);
  std::stringstream text;
  text << in.rdbuf();
  const std::string yaml = text.str();
  for (const char* region : {"eu-west", "eu-south"}) {
    INFO(region);
    LoadOptions options{[](const std::string&) { return std::optional<std::string>("k"); },
                        {region}};
    auto out = ParseConfig(yaml, example, options);
    INFO(Errors(out));
    REQUIRE(out.config);
    REQUIRE(out.config->region);
    CHECK(out.config->region->name == region);
    REQUIRE(out.config->targets.size() == 1);
    CHECK(out.config->targets[0].labels.region == region);
    CHECK_FALSE(out.config->journeys.empty());
  }
}

}  // namespace
}  // namespace odoo_prober::config
