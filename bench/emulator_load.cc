// Load benchmark of the Odoo emulator: N keep-alive connections on loopback, each sending
// JSON-RPC common.version (or another small call) as fast as the answers come back, for a fixed
// time. Prints requests per second and latency percentiles.
//
//   emulator_load [--connections 64] [--seconds 5] [--threads 2] [--path /jsonrpc]
//
// Goal (issue 3): 64 concurrent connections and at least 5,000 requests per second, so the
// emulator is never the bottleneck when the prober is measured. Results go to bench/README.md.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "tests/emulator/emulator.h"
#include "tests/emulator/server.h"

namespace {

using Clock = std::chrono::steady_clock;

// One client connection: sends the request, reads one full answer (Content-Length framed).
bool RoundTrip(int fd, const std::string& request, std::string& buf) {
  for (size_t sent = 0; sent < request.size();) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  buf.clear();
  size_t header_end = std::string::npos, length = 0;
  char chunk[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    if (header_end == std::string::npos) {
      header_end = buf.find("\r\n\r\n");
      if (header_end == std::string::npos) continue;
      std::string head = buf.substr(0, header_end);
      std::transform(head.begin(), head.end(), head.begin(), ::tolower);
      const auto cl = head.find("content-length:");
      if (cl == std::string::npos) return false;
      length = std::stoul(head.substr(cl + 15));
    }
    if (buf.size() >= header_end + 4 + length) return buf.compare(9, 3, "200") == 0;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using namespace odoo_prober::emulator;
  CLI::App app{"emulator_load: requests per second the Odoo emulator sustains on loopback"};
  int connections = 64, seconds = 5, threads = 2;
  std::string version = "17.0";
  app.add_option("--connections", connections, "Concurrent keep-alive connections")
      ->capture_default_str();
  app.add_option("--seconds", seconds, "Duration of the measurement")->capture_default_str();
  app.add_option("--threads", threads, "Emulator I/O threads")->capture_default_str();
  app.add_option("--version", version, "Odoo personality")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  EmulatorOptions options;
  options.version = version;
  OdooEmulator emulator(options);
  ServerOptions server_options;
  server_options.threads = threads;
  auto server = StartServer(server_options, emulator);
  if (!server.ok()) {
    std::cerr << server.status().message() << "\n";
    return 1;
  }
  const uint16_t port = (*server)->http_port();
  const std::string body =
      R"({"jsonrpc":"2.0","method":"call","id":1,"params":{"service":"common","method":"version","args":[]}})";
  const std::string request =
      "POST /jsonrpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;

  std::atomic<bool> stop{false};
  std::atomic<int64_t> errors{0};
  std::vector<std::vector<int64_t>> latencies(connections);
  std::vector<std::thread> clients;
  const auto start = Clock::now();
  for (int i = 0; i < connections; ++i) {
    clients.emplace_back([&, i] {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      timeval tv{5, 0};
      ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(port);
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ++errors;
        ::close(fd);
        return;
      }
      std::string buf;
      auto& mine = latencies[i];
      mine.reserve(100000);
      while (!stop.load(std::memory_order_relaxed)) {
        const auto t0 = Clock::now();
        if (!RoundTrip(fd, request, buf)) {
          ++errors;
          break;
        }
        mine.push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
      }
      ::close(fd);
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(seconds));  // the measurement window
  stop = true;
  for (auto& t : clients) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  (*server)->Stop();

  std::vector<int64_t> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))];
  };
  std::printf("connections=%d seconds=%.1f emulator_threads=%d requests=%zu errors=%lld\n",
              connections, elapsed, threads, all.size(), static_cast<long long>(errors.load()));
  std::printf("requests_per_second=%.0f p50_us=%lld p99_us=%lld max_us=%lld\n",
              all.size() / elapsed, static_cast<long long>(pct(0.5)),
              static_cast<long long>(pct(0.99)),
              static_cast<long long>(all.empty() ? 0 : all.back()));
  return errors.load() == 0 && all.size() / elapsed >= 5000 ? 0 : 1;
}
