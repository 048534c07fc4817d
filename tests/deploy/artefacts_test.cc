// What the build ships, checked on the built artefacts themselves (label `artefacts`; scripts/test
// runs these after scripts/package and scripts/image): the Debian package's unit, user, config
// and state folder fit together; the Kubernetes overlays run the image the build made, as the
// user it has, on the mounts it supports; and the image's root filesystem, run read-only as its
// user with the results volume mounted, probes the emulator once.
//
// An artefact that was not built is a warning ("skipped, not passed"), unless the environment
// variable ODOO_PROBER_REQUIRE_ARTEFACTS names it (deb, image): then it is a failure.
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/support/emulator_support.h"

namespace odoo_prober {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using testing::Contains;
using testing::RunProcess;
using testing::TempDir;

const fs::path kRoot = ODOO_PROBER_SOURCE_DIR;
const fs::path kBuild = ODOO_PROBER_BUILD_DIR;
const std::string kVersion = ODOO_PROBER_VERSION;

std::string Slurp(const fs::path& path) { return testing::ReadText(path.string()); }

// Whether the artefact `what` (deb, image) must be there: named in ODOO_PROBER_REQUIRE_ARTEFACTS.
bool Required(const std::string& what) {
  const char* required = std::getenv("ODOO_PROBER_REQUIRE_ARTEFACTS");
  return required != nullptr && Contains(std::string(",") + required + ",", "," + what + ",");
}

// The package scripts/package built, or "" (with a warning, or a failure when required).
fs::path BuiltPackage() {
  const auto arch = RunProcess({"/usr/bin/dpkg", "--print-architecture"});
  std::string a = arch.out;
  while (!a.empty() && a.back() == '\n') a.pop_back();
  const fs::path deb = kBuild / ("odoo-prober_" + kVersion + "_" + a + ".deb");
  if (fs::exists(deb)) return deb;
  if (Required("deb")) FAIL("no " << deb << ": scripts/package builds it");
  WARN("skipped, not passed: no " << deb << " (scripts/package builds it)");
  return {};
}

// The image scripts/image built (its OCI layout and the bundle unpacked from it), or "".
fs::path BuiltImage() {
  const fs::path image = kBuild / "image";
  if (fs::exists(image / "oci/index.json") && fs::exists(image / "bundle/rootfs")) return image;
  if (Required("image")) FAIL("no image in " << image << ": scripts/image builds it");
  WARN("skipped, not passed: no image in " << image
                                           << " (scripts/image builds it; it needs "
                                              "mmdebstrap and umoci)");
  return {};
}

json Blob(const fs::path& layout, const std::string& digest) {
  REQUIRE(digest.rfind("sha256:", 0) == 0);
  return json::parse(Slurp(layout / "blobs/sha256" / digest.substr(7)));
}

// A unit file's value of `key` (the last one given).
std::string UnitValue(const std::string& unit, const std::string& key) {
  std::string value;
  std::istringstream in(unit);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind(key + "=", 0) == 0) value = line.substr(key.size() + 1);
  }
  return value;
}

TEST_CASE("the package's unit runs its binary as the user postinst makes, on its conffile",
          "[artefacts]") {
  const fs::path deb = BuiltPackage();
  if (deb.empty()) return;
  TempDir root;
  TempDir control;
  REQUIRE(RunProcess({"/usr/bin/dpkg-deb", "-x", deb.string(), root.path()}).exit_code == 0);
  REQUIRE(RunProcess({"/usr/bin/dpkg-deb", "-e", deb.string(), control.path() + "/c"}).exit_code ==
          0);
  const fs::path r = root.path();
  const std::string unit = Slurp(r / "lib/systemd/system/odoo-prober.service");
  REQUIRE_FALSE(unit.empty());

  // ExecStart: the packaged binary, `run` on a conffile of the package.
  std::istringstream exec(UnitValue(unit, "ExecStart"));
  std::string binary, command, config;
  exec >> binary >> command >> config;
  CHECK(binary == "/usr/bin/odoo-prober");
  CHECK(command == "run");
  struct stat st {};
  REQUIRE(::stat((r.string() + binary).c_str(), &st) == 0);
  CHECK((st.st_mode & S_IXOTH) != 0);
  CHECK(Contains(Slurp(control.path() + "/c/conffiles"), config + "\n"));
  CHECK(fs::exists(r.string() + config));

  // User: the system user and group postinst creates, not a dynamic one.
  const std::string user = UnitValue(unit, "User");
  CHECK(user == "odoo-prober");
  CHECK(UnitValue(unit, "Group") == user);
  CHECK(UnitValue(unit, "DynamicUser").empty());
  std::string postinst = Slurp(control.path() + "/c/postinst");
  postinst = std::regex_replace(postinst, std::regex("\\\\\n *"), "");
  CHECK(std::regex_search(postinst, std::regex("adduser --system --group [^\n]* " + user + "\n")));
  CHECK(Contains(postinst, "chown " + user + ":" + user + " /var/lib/odoo-prober"));

  // State: the unit's StateDirectory is the package's /var/lib/odoo-prober, and the packaged
  // config writes its results there, the only place ProtectSystem=strict leaves writable.
  const std::string state = "/var/lib/" + UnitValue(unit, "StateDirectory");
  CHECK(state == "/var/lib/odoo-prober");
  CHECK(fs::is_directory(r.string() + state));
  CHECK(UnitValue(unit, "ProtectSystem") == "strict");
  const YAML::Node results = YAML::LoadFile(r.string() + config)["results"];
  REQUIRE(results);
  for (const auto& kv : results) {
    CHECK(kv.second.as<std::string>().rfind(state + "/", 0) == 0);
  }

  // systemd-analyze accepts the packaged unit, its binary at the unpacked path.
  if (!fs::exists("/usr/bin/systemd-analyze")) {
    WARN("systemd-analyze is not installed: the packaged unit is not verified");
    return;
  }
  std::string text = unit;
  text.replace(text.find(binary), binary.size(), r.string() + binary);
  TempDir dir;
  // Documentation=man:odoo-prober(1) is looked up in the package's man pages.
  auto v =
      RunProcess({"/usr/bin/systemd-analyze", "verify", dir.Write("odoo-prober.service", text)},
                 {{"MANPATH", r.string() + "/usr/share/man"}});
  INFO(v.err);
  CHECK(v.exit_code == 0);
  // A user that does not exist here is said; any other word from verify is a mistake.
  std::string err = v.err;
  err = std::regex_replace(err, std::regex("[^\n]*User=odoo-prober[^\n]*\n"), "");
  CHECK(err.empty());
}

TEST_CASE("cmake --install writes the unit with its prefix's binary, the config to /etc",
          "[artefacts]") {
  TempDir dest;
  const std::string prefix = "/opt/odoo-prober-test";
  auto r = RunProcess({CMAKE_COMMAND, "--install", kBuild.string(), "--prefix", prefix},
                      {{"DESTDIR", dest.path()}});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const fs::path root = dest.path();
  CHECK(fs::exists(root / ("." + prefix) / "bin/odoo-prober"));
  const std::string unit = Slurp(root / ("." + prefix) / "lib/systemd/system/odoo-prober.service");
  CHECK(Contains(unit,
                 "\nExecStart=" + prefix + "/bin/odoo-prober run /etc/odoo-prober/prober.yaml"));
  CHECK(Contains(Slurp(root / "etc/odoo-prober/prober.yaml"), "api_key_env: ODOO_API_KEY"));
  CHECK(fs::is_directory(root / "var/lib/odoo-prober"));
  const fs::path share = root / ("." + prefix) / "share/odoo-prober";
  for (const char* shared :
       {"journeys/login.yaml", "prometheus/odoo-prober-rules.yml", "alertmanager/alertmanager.yml",
        "grafana/odoo-prober-dashboard.json", "examples/prober.yaml"}) {
    INFO(shared);
    CHECK(fs::exists(share / shared));
  }
  size_t runbooks = 0;
  for (const auto& runbook : fs::directory_iterator(kRoot / "docs/runbooks")) {
    INFO(runbook.path());
    CHECK(fs::exists(share / "runbooks" / runbook.path().filename()));
    ++runbooks;
  }
  CHECK(runbooks >= 10);
}

std::vector<YAML::Node> RenderedOverlays() {
  std::vector<YAML::Node> statefulsets;
  for (const auto& entry : fs::directory_iterator(kRoot / "deploy/kubernetes/overlays")) {
    auto r = RunProcess({"/usr/bin/kubectl", "kustomize", entry.path().string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    for (const auto& doc : YAML::LoadAll(r.out)) {
      if (doc["kind"].as<std::string>() == "StatefulSet") statefulsets.push_back(doc);
    }
  }
  return statefulsets;
}

TEST_CASE("every overlay runs the image the build made, as its user, on mounts it has",
          "[artefacts]") {
  if (!fs::exists("/usr/bin/kubectl")) {
    WARN("skipped, not passed: kubectl is not installed (scripts/setup installs it)");
    return;
  }
  const fs::path image = BuiltImage();
  if (image.empty()) return;
  const fs::path layout = image / "oci";
  const json index = json::parse(Slurp(layout / "index.json"));
  REQUIRE(index["manifests"].size() == 1);
  const std::string tag = index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"];
  CHECK(tag == kVersion);
  const json manifest = Blob(layout, index["manifests"][0]["digest"]);
  const json config = Blob(layout, manifest["config"]["digest"])["config"];
  CHECK(config["Labels"]["org.opencontainers.image.version"] == kVersion);
  CHECK_FALSE(config["Labels"]["org.opencontainers.image.revision"].get<std::string>().empty());
  CHECK_FALSE(config["Labels"]["org.opencontainers.image.source"].get<std::string>().empty());
  const std::string image_user = config["User"];
  const fs::path rootfs = image / "bundle/rootfs";
  // What it holds: dpkg's status lists every package (for image scanners), this build's among
  // them; no shell.
  const std::string status = Slurp(rootfs / "var/lib/dpkg/status");
  CHECK(Contains(status, "Package: odoo-prober\nVersion: " + kVersion + "\n"));
  CHECK(Contains(status, "Package: libcurl4\n"));
  CHECK_FALSE(fs::exists(rootfs / "bin/sh"));
  CHECK_FALSE(fs::exists(rootfs / "usr/bin/sh"));

  const auto statefulsets = RenderedOverlays();
  CHECK(statefulsets.size() >= 2);
  for (const auto& sts : statefulsets) {
    INFO(sts["metadata"]["name"].as<std::string>());
    const YAML::Node pod = sts["spec"]["template"]["spec"];
    const YAML::Node c = pod["containers"][0];
    // The image: this build's tag; no command of its own, so the image's entry point runs.
    const std::string ref = c["image"].as<std::string>();
    CHECK(ref.substr(ref.rfind(':') + 1) == tag);
    CHECK(ref.substr(0, ref.rfind(':')).ends_with("/odoo-prober"));
    CHECK_FALSE(c["command"]);
    CHECK(config["Entrypoint"] == json::array({"/usr/bin/odoo-prober"}));
    CHECK(fs::exists(rootfs / "usr/bin/odoo-prober"));
    // The user: the image's; it owns the image's results volume.
    const std::string uid = pod["securityContext"]["runAsUser"].as<std::string>();
    const std::string gid = pod["securityContext"]["runAsGroup"].as<std::string>();
    CHECK(image_user == uid + ":" + gid);
    CHECK(Contains(Slurp(rootfs / "etc/passwd"), ":x:" + uid + ":" + gid + ":"));
    // The port: one the image exposes.
    CHECK(
        config["ExposedPorts"].contains(c["ports"][0]["containerPort"].as<std::string>() + "/tcp"));
    // The mounts: folders of the image; the results volume is the image's volume, where it
    // writes with the root filesystem read-only.
    CHECK(c["securityContext"]["readOnlyRootFilesystem"].as<bool>());
    for (const auto& m : c["volumeMounts"]) {
      const std::string path = m["mountPath"].as<std::string>();
      INFO(path);
      const bool config_map = path.rfind("/etc/", 0) == 0;
      CHECK((fs::is_directory(rootfs / path.substr(1)) || config_map));
      if (m["name"].as<std::string>() == "results") {
        CHECK(config["Volumes"].contains(path));
        struct stat st {};
        REQUIRE(::stat((rootfs / path.substr(1)).c_str(), &st) == 0);
        CHECK(std::to_string(st.st_uid) == uid);
      }
    }
    // The config the pod runs is where the image's command expects it.
    const auto args = c["args"].as<std::vector<std::string>>();
    const auto cmd = config["Cmd"].get<std::vector<std::string>>();
    REQUIRE(cmd.size() >= 2);
    CHECK(args[0] == cmd[0]);
    CHECK(args[1] == cmd[1]);
  }
}

// The command line that runs the bundle's rootfs as the image runs: in a mount namespace of its
// own, the root read-only, the config folder and the results volume mounted, /tmp a tmpfs, as the
// image's user, with its environment and entry point, then `args`. Every step execs the next:
// a signal to the process reaches odoo-prober.
std::vector<std::string> ImageCommand(const fs::path& bundle, const std::string& config_dir,
                                      const std::string& results_dir,
                                      const std::vector<std::string>& args) {
  const json spec = json::parse(Slurp(bundle / "config.json"));
  const std::string user = std::to_string(spec["process"]["user"]["uid"].get<int>()) + ":" +
                           std::to_string(spec["process"]["user"]["gid"].get<int>());
  const std::string rootfs = (bundle / "rootfs").string();
  std::vector<std::string> argv = {"/usr/bin/unshare",
                                   "--mount",
                                   "--propagation",
                                   "private",
                                   "--",
                                   "/bin/sh",
                                   "-ec",
                                   "r=$1; mount --bind \"$r\" \"$r\"\n"
                                   "mount --bind -o ro \"$2\" \"$r/etc/odoo-prober\"\n"
                                   "mount --bind \"$3\" \"$r/var/lib/odoo-prober\"\n"
                                   "mount -t tmpfs -o mode=1777,size=16m tmp \"$r/tmp\"\n"
                                   "mount -o remount,bind,ro \"$r\"\n"
                                   "shift 3; exec env -i \"$@\"",
                                   "sh",
                                   rootfs,
                                   config_dir,
                                   results_dir};
  for (const auto& e : spec["process"]["env"]) argv.push_back(e.get<std::string>());
  argv.insert(argv.end(), {"/usr/sbin/chroot", "--userspec=" + user, rootfs,
                           spec["process"]["args"][0].get<std::string>()});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

// The image's bundle, when it was built and this process may run it (root: mount, chroot).
fs::path RunnableBundle() {
  const fs::path image = BuiltImage();
  if (image.empty()) return {};
  if (::geteuid() != 0) {
    WARN("skipped, not passed: running the image's root filesystem needs root (mount, chroot)");
    return {};
  }
  return image / "bundle";
}

// A config folder and a results volume for the image, readable and writable by its user: one
// target, the emulator over HTTPS (its CA and the password beside the config), the login journey,
// and `more` YAML.
struct ImageFiles {
  TempDir config;
  TempDir results;
  int uid = 0;
  ImageFiles(const fs::path& bundle, testing::RunningEmulator& emu, const std::string& more) {
    const json spec = json::parse(Slurp(bundle / "config.json"));
    uid = spec["process"]["user"]["uid"];
    const int gid = spec["process"]["user"]["gid"];
    REQUIRE(uid != 0);
    REQUIRE(::chmod(config.path().c_str(), 0755) == 0);
    REQUIRE(::chown(results.path().c_str(), uid, gid) == 0);
    fs::copy_file(emu.pki().ca_cert, config.path() + "/ca.pem");
    const std::string secret = config.Write("odoo.password", "pw-image-smoke\n", 0600);
    REQUIRE(::chown(secret.c_str(), uid, gid) == 0);
    config.Write("prober.yaml",
                 "version: 1\n"
                 "targets:\n"
                 "  - name: emulator\n"
                 "    url: " +
                     emu.https_url() +
                     "\n"
                     "    database: probe\n"
                     "    protocol: jsonrpc\n"
                     "    login: admin\n"
                     "    password_file: /etc/odoo-prober/odoo.password\n"
                     "    tls: {ca_file: /etc/odoo-prober/ca.pem}\n"
                     "    labels: {region: eu-west, plant: lyon}\n" +
                     more,
                 0644);
  }
};

TEST_CASE("the image, read-only and as its user, probes the emulator once and exits 0",
          "[artefacts]") {
  const fs::path bundle = RunnableBundle();
  if (bundle.empty()) return;
  testing::RunningEmulator emu(testing::Personality("17.0", "pw-image-smoke"));
  ImageFiles files(bundle, emu, "journeys:\n  - name: login\n");

  auto r = RunProcess(ImageCommand(bundle, files.config.path(), files.results.path(),
                                   {"once", "/etc/odoo-prober/prober.yaml", "--json",
                                    "/var/lib/odoo-prober/results.json"}),
                      {}, std::chrono::seconds(30));
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(Contains(r.out, "login"));
  CHECK_FALSE(Contains(r.out + r.err, "pw-image-smoke"));
  // The result went to the volume, written by the image's user.
  struct stat st {};
  REQUIRE(::stat((files.results.path() + "/results.json").c_str(), &st) == 0);
  CHECK(static_cast<int>(st.st_uid) == files.uid);
  const json written = json::parse(Slurp(files.results.path() + "/results.json"));
  REQUIRE(written.size() == 1);
  CHECK(written[0]["outcome"] == "ok");

  // Its entry point says the version it was built as.
  auto v =
      RunProcess(ImageCommand(bundle, files.config.path(), files.results.path(), {"--version"}), {},
                 std::chrono::seconds(30));
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK(v.out == "odoo-prober " + kVersion + "\n");
}

TEST_CASE("the image runs the daemon read-only: its results on the volume, a clean SIGTERM",
          "[artefacts]") {
  const fs::path bundle = RunnableBundle();
  if (bundle.empty()) return;
  testing::RunningEmulator emu(testing::Personality("17.0", "pw-image-smoke"));
  ImageFiles files(bundle, emu,
                   "journeys:\n  - {name: login, interval: 1s, timeout: 1s}\n"
                   "results: {sqlite: /var/lib/odoo-prober/history.db, "
                   "jsonl: /var/lib/odoo-prober/results.jsonl}\n"
                   "admin: {listen: \"127.0.0.1:" +
                       std::to_string(testing::UnusedPort()) + "\"}\n");
  testing::BackgroundProcess daemon(ImageCommand(bundle, files.config.path(), files.results.path(),
                                                 {"run", "/etc/odoo-prober/prober.yaml"}));
  const std::string jsonl = files.results.path() + "/results.jsonl";
  REQUIRE(testing::Eventually([&] {
    const auto results = testing::JourneyResultLines(testing::ReadText(jsonl));
    return results.size() >= 2 && results.back()["outcome"] == "ok";
  }));
  CHECK(daemon.Stop() == 0);
  for (const char* written : {"/history.db", "/results.jsonl"}) {
    struct stat st {};
    REQUIRE(::stat((files.results.path() + written).c_str(), &st) == 0);
    CHECK(static_cast<int>(st.st_uid) == files.uid);
  }
}

}  // namespace
}  // namespace odoo_prober
