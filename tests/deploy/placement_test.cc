// Where probers run: the Kubernetes overlays render, and what they render fits the program (the
// config and region files it loads, the ports it listens on, the paths it serves, the
// environment its secrets come from); the systemd unit passes systemd-analyze; the Prometheus
// scrape and federation examples pass promtool.
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "config/config.h"
#include "prober/clock.h"
#include "results/metrics.h"
#include "results/status_board.h"
#include "runners/admin/admin.h"
#include "tests/support/support.h"

namespace odoo_prober {
namespace {

namespace fs = std::filesystem;
using testing::Contains;

const fs::path kRoot = ODOO_PROBER_SOURCE_DIR;

std::vector<YAML::Node> Rendered(const fs::path& overlay) {
  auto r = testing::RunProcess({"/usr/bin/kubectl", "kustomize", overlay.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return YAML::LoadAll(r.out);
}

YAML::Node Find(const std::vector<YAML::Node>& docs, const std::string& kind,
                const std::string& name_part = "") {
  for (const auto& d : docs) {
    if (d["kind"].as<std::string>() == kind &&
        Contains(d["metadata"]["name"].as<std::string>(), name_part))
      return d;
  }
  FAIL("no " << kind << " " << name_part << " rendered");
  return {};
}

// The mount path of the volume `volume` in the container.
std::string MountOf(const YAML::Node& container, const std::string& volume) {
  for (const auto& m : container["volumeMounts"]) {
    if (m["name"].as<std::string>() == volume) return m["mountPath"].as<std::string>();
  }
  return "";
}

// The name of the ConfigMap behind the volume `volume` of the pod.
std::string ConfigMapOf(const YAML::Node& pod, const std::string& volume) {
  for (const auto& v : pod["volumes"]) {
    if (v["name"].as<std::string>() == volume && v["configMap"])
      return v["configMap"]["name"].as<std::string>();
  }
  return "";
}

bool IsEmptyDir(const YAML::Node& pod, const std::string& volume) {
  for (const auto& v : pod["volumes"]) {
    if (v["name"].as<std::string>() == volume) return static_cast<bool>(v["emptyDir"]);
  }
  return false;
}

// The volume mounted at the longest prefix of `path`, and whether the pod may write there.
bool Writable(const YAML::Node& pod, const YAML::Node& container, const std::string& path) {
  std::string best_volume;
  size_t best = 0;
  for (const auto& m : container["volumeMounts"]) {
    const std::string at = m["mountPath"].as<std::string>();
    if (path.rfind(at + "/", 0) == 0 && at.size() > best) {
      best = at.size();
      best_volume = m["name"].as<std::string>();
    }
  }
  return !best_volume.empty() && IsEmptyDir(pod, best_volume);
}

TEST_CASE("every Kubernetes overlay renders and fits the program", "[deploy]") {
  if (!fs::exists("/usr/bin/kubectl")) {
    WARN("kubectl is not installed (scripts/setup installs kubernetes-client): skipped");
    return;
  }
  size_t overlays = 0;
  for (const auto& entry : fs::directory_iterator(kRoot / "deploy/kubernetes/overlays")) {
    const std::string region = entry.path().filename().string();
    INFO("overlay " << region);
    ++overlays;
    const auto docs = Rendered(entry.path());
    const YAML::Node sts = Find(docs, "StatefulSet");
    const YAML::Node pod = sts["spec"]["template"]["spec"];
    REQUIRE(pod["containers"].size() == 1);
    const YAML::Node c = pod["containers"][0];

    // The command line: `run CONFIG`, CONFIG in the mounted config ConfigMap.
    const auto args = c["args"].as<std::vector<std::string>>();
    REQUIRE(args.size() >= 2);
    CHECK(args[0] == "run");
    const fs::path config_path = args[1];
    CHECK(config_path.parent_path().string() == MountOf(c, "config"));
    const YAML::Node config_map = Find(docs, "ConfigMap", ConfigMapOf(pod, "config"));
    const std::string config_key = config_path.filename().string();
    REQUIRE(config_map["data"][config_key]);

    // The environment: the region, the instance from the pod name, the secrets the config names.
    std::map<std::string, std::string> env;
    for (const auto& e : c["env"]) {
      env[e["name"].as<std::string>()] = e["value"] ? e["value"].as<std::string>() : "(from ref)";
    }
    CHECK(env["ODOO_PROBER_REGION"] == region);
    CHECK(env.count("ODOO_PROBER_INSTANCE") == 1);

    // The config loads with the region's file, the secrets resolved only from that environment.
    testing::TempDir dir;
    fs::create_directory(dir.path() + "/regions");
    const YAML::Node regions = Find(docs, "ConfigMap", ConfigMapOf(pod, "regions"));
    for (const auto& kv : regions["data"])
      dir.Write("regions/" + kv.first.as<std::string>(), kv.second.as<std::string>());
    std::string text = config_map["data"][config_key].as<std::string>();
    const std::string regions_mount = MountOf(c, "regions");
    REQUIRE_FALSE(regions_mount.empty());
    REQUIRE(Contains(text, "regions_dir: " + regions_mount));
    text.replace(text.find(regions_mount), regions_mount.size(), dir.path() + "/regions");
    // Results go to a writable volume: the root filesystem is read-only.
    const YAML::Node results = YAML::Load(text)["results"];
    CHECK(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
    CHECK(pod["securityContext"]["runAsNonRoot"].as<bool>());
    CHECK(Writable(pod, c, results["sqlite"].as<std::string>()));
    CHECK(Writable(pod, c, results["jsonl"].as<std::string>()));
    const std::string state = MountOf(c, "results");
    for (auto at = text.find(state + "/"); at != std::string::npos; at = text.find(state + "/"))
      text.replace(at, state.size(), dir.path());
    config::LoadOptions options{[&](const std::string& name) -> std::optional<std::string> {
                                  return env.count(name) ? std::optional<std::string>("set")
                                                         : std::nullopt;
                                },
                                {region}};
    auto loaded = config::ParseConfig(text, dir.path() + "/prober.yaml", options);
    std::string errors;
    for (const auto& e : loaded.errors) errors += e.ToString() + "\n";
    INFO(errors);
    REQUIRE(loaded.config);
    const auto& cfg = *loaded.config;
    REQUIRE(cfg.region);
    CHECK(cfg.region->replicas == sts["spec"]["replicas"].as<int>());

    // The admin port: the config's listen port is the container's, the Service's and the
    // ServiceMonitor's; the probes ask paths the admin server answers.
    const std::string port = cfg.admin_listen.substr(cfg.admin_listen.rfind(':') + 1);
    CHECK(cfg.admin_listen.rfind("0.0.0.0:", 0) == 0);  // reachable from the kubelet
    REQUIRE(c["ports"].size() == 1);
    const std::string port_name = c["ports"][0]["name"].as<std::string>();
    CHECK(c["ports"][0]["containerPort"].as<std::string>() == port);
    const YAML::Node svc = Find(docs, "Service");
    CHECK(svc["spec"]["ports"][0]["targetPort"].as<std::string>() == port_name);
    const YAML::Node monitor = Find(docs, "ServiceMonitor");
    CHECK(monitor["spec"]["endpoints"][0]["port"].as<std::string>() ==
          svc["spec"]["ports"][0]["name"].as<std::string>());
    CHECK(pod["containers"][0]["resources"]["limits"]["memory"]);
    CHECK(pod["containers"][0]["resources"]["requests"]["cpu"]);
    CHECK(sts["spec"]["template"]["metadata"]["annotations"]["prometheus.io/port"]
              .as<std::string>() == port);
    results::Metrics metrics("i", "1");
    results::StatusBoard board;
    const prober::Clock& clock = prober::RealClock();
    runners::AdminHandler admin(metrics, board, clock, "i", [] { return runners::Readiness{}; });
    std::set<std::string> paths = {
        monitor["spec"]["endpoints"][0]["path"].as<std::string>(),
        sts["spec"]["template"]["metadata"]["annotations"]["prometheus.io/path"].as<std::string>()};
    for (const char* probe : {"livenessProbe", "readinessProbe"}) {
      CHECK(c[probe]["httpGet"]["port"].as<std::string>() == port_name);
      paths.insert(c[probe]["httpGet"]["path"].as<std::string>());
    }
    for (const auto& path : paths) {
      INFO(path);
      runners::HttpRequest get;
      get.method = "GET";
      get.path = path;
      CHECK(admin(get).status != 404);
    }
    // The disruption budget and the anti-affinity select these pods.
    const YAML::Node pdb = Find(docs, "PodDisruptionBudget");
    const YAML::Node labels = sts["spec"]["template"]["metadata"]["labels"];
    for (const auto& kv : pdb["spec"]["selector"]["matchLabels"]) {
      CHECK(labels[kv.first.as<std::string>()].as<std::string>() == kv.second.as<std::string>());
    }
  }
  CHECK(overlays >= 2);
}

TEST_CASE("systemd-analyze accepts the systemd unit", "[deploy]") {
  if (!fs::exists("/usr/bin/systemd-analyze")) {
    WARN("systemd-analyze is not installed (no systemd here): the unit check is skipped");
    return;
  }
  std::ifstream in(kRoot / "deploy/systemd/odoo-prober.service");
  std::stringstream unit;
  unit << in.rdbuf();
  // verify wants ExecStart's program to exist: point it at the one the tests run.
  std::string text = unit.str();
  const std::string installed = "/usr/bin/odoo-prober";  // the package's (artefacts_test)
  REQUIRE(Contains(text, "ExecStart=" + installed));
  text.replace(text.find(installed), installed.size(), ODOO_PROBER_BIN);
  testing::TempDir dir;
  const std::string path = dir.Write("odoo-prober.service", text);
  // The man page it names is the package's (artefacts_test looks it up there).
  auto r = testing::RunProcess({"/usr/bin/systemd-analyze", "verify", "--man=no", path});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.empty());  // an unknown or misspelt directive is only a warning: none
  for (const char* hardening : {"User=odoo-prober", "ProtectSystem=strict", "NoNewPrivileges=yes",
                                "CapabilityBoundingSet=\n", "ExecReload=/bin/kill -HUP"}) {
    CHECK(Contains(text, hardening));
  }
}

// What bash completes after `words` (the last one being completed), with the shipped completion.
std::vector<std::string> Completions(const std::vector<std::string>& words) {
  std::string script =
      "source " + (kRoot / "packaging/bash-completion/odoo-prober").string() + "\nCOMP_WORDS=(";
  for (const auto& w : words) script += "'" + w + "' ";
  script += ")\nCOMP_CWORD=" + std::to_string(words.size() - 1) +
            "\n_odoo_prober\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n";
  auto r = testing::RunProcess({"/bin/bash", "--norc", "-c", script});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> out;
  std::istringstream in(r.out);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

TEST_CASE("bash completes every command --help lists, and each command's options", "[deploy]") {
  const std::string bin = ODOO_PROBER_BIN;
  auto help = testing::RunProcess({bin, "--help"});
  REQUIRE(help.exit_code == 0);
  std::set<std::string> listed;
  {
    std::istringstream in(help.out);
    bool in_commands = false;
    for (std::string line; std::getline(in, line);) {
      if (line == "Subcommands:")
        in_commands = true;
      else if (line.empty())
        in_commands = false;
      else if (in_commands && line.rfind("  ", 0) == 0)
        listed.insert(line.substr(2, line.find(' ', 2) - 2));
    }
  }
  REQUIRE(listed.size() >= 10);
  const auto commands = Completions({bin, ""});
  CHECK(std::set<std::string>(commands.begin(), commands.end()) == listed);
  CHECK(Completions({bin, "ver"}) == std::vector<std::string>{"version"});
  // Options: the global ones, and each command's own after it (also after a global option).
  const auto global = Completions({bin, "--"});
  CHECK(std::count(global.begin(), global.end(), "--log-level") == 1);
  const auto run = Completions({bin, "--log-level", "debug", "run", "--g"});
  CHECK(run == std::vector<std::string>{"--grace"});
  const auto levels = Completions({bin, "--log-level", "w"});
  CHECK(levels == std::vector<std::string>{"warn"});
  for (const auto& command : listed) {
    INFO(command);
    const auto options = Completions({bin, command, "--"});
    CHECK(std::count(options.begin(), options.end(), "--help") == 1);
  }
}

TEST_CASE("promtool accepts the federation example, and the Kubernetes job keeps job odoo-prober",
          "[deploy]") {
  auto central = testing::RunProcess(
      {"/usr/bin/promtool", "check", "config", (kRoot / "deploy/prometheus/central.yml").string()});
  INFO(central.out << central.err);
  CHECK(central.exit_code == 0);
  // Debian's Prometheus has no Kubernetes discovery to check it with: its relabelling is read.
  const YAML::Node k8s =
      YAML::LoadFile((kRoot / "deploy/prometheus/prometheus-kubernetes.yml").string());
  const YAML::Node job = k8s["scrape_configs"][0];
  CHECK(job["honor_labels"].as<bool>());
  bool job_label = false, instance_from_pod = false;
  for (const auto& r : job["relabel_configs"]) {
    if (r["target_label"] && r["target_label"].as<std::string>() == "job")
      job_label = r["replacement"].as<std::string>() == "odoo-prober";
    if (r["target_label"] && r["target_label"].as<std::string>() == "instance")
      instance_from_pod = r["source_labels"][0].as<std::string>() == "__meta_kubernetes_pod_name";
  }
  CHECK(job_label);          // the rules' up{job="odoo-prober"}
  CHECK(instance_from_pod);  // = ODOO_PROBER_INSTANCE, the pod's name
}

}  // namespace
}  // namespace odoo_prober
