#include "results/jsonl_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "prober/text.h"

namespace odoo_prober::results {
namespace {

class JsonLinesSink final : public ResultSink {
 public:
  JsonLinesSink(JsonLinesOptions options, int fd, size_t size)
      : options_(std::move(options)), fd_(fd), size_(size) {}
  ~JsonLinesSink() override {
    if (fd_ >= 0) ::close(fd_);
  }

  prober::Status Write(const JourneyResult& result) override {
    return Append(prober::DumpJson(ToJson(result)) + "\n");
  }
  prober::Status WriteTls(const TlsReport& report) override {
    return Append(prober::DumpJson(ToJson(report)) + "\n");
  }
  prober::Status WriteDependency(const DependencyResult& result) override {
    return Append(prober::DumpJson(ToJson(result)) + "\n");
  }
  prober::Status WriteChange(const ChangeEvent& event) override {
    return Append(prober::DumpJson(ToJson(event)) + "\n");
  }

  prober::Status Append(const std::string& line) {
    if (size_ > 0 && size_ + line.size() > options_.max_bytes) {
      if (auto st = Rotate(); !st.ok()) return st;
    }
    size_t done = 0;
    while (done < line.size()) {
      const ssize_t n = ::write(fd_, line.data() + done, line.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int error = errno;
        // No half line stays behind (a full disk may take part of one): cut back to the last
        // whole line, so readers never see a broken record and the next line starts clean.
        if (done > 0 && ::ftruncate(fd_, static_cast<off_t>(size_)) != 0) {
          return prober::Status::Unavailable(
              options_.path + ": write failed (" + std::strerror(error) +
              ") and the partial line could not be cut: " + std::strerror(errno));
        }
        return prober::Status::Unavailable(options_.path +
                                           ": write failed: " + std::strerror(error));
      }
      done += static_cast<size_t>(n);
    }
    size_ += line.size();
    return prober::Status::Ok();
  }

  prober::Status Flush() override {
    if (::fdatasync(fd_) != 0) return prober::Status::Unavailable(options_.path + ": fsync failed");
    return prober::Status::Ok();
  }

  std::string name() const override { return "jsonl"; }

 private:
  prober::Status Rotate() {
    namespace fs = std::filesystem;
    std::error_code ec;
    ::close(fd_);
    fd_ = -1;
    for (int k = options_.keep - 1; k >= 1; --k) {
      const std::string from = options_.path + "." + std::to_string(k);
      if (fs::exists(from)) fs::rename(from, options_.path + "." + std::to_string(k + 1), ec);
    }
    if (options_.keep > 0) {
      fs::rename(options_.path, options_.path + ".1", ec);
    } else {
      fs::remove(options_.path, ec);
    }
    fd_ = ::open(options_.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd_ < 0)
      return prober::Status::Unavailable(options_.path +
                                         ": cannot reopen after rotation: " + std::strerror(errno));
    size_ = 0;
    return prober::Status::Ok();
  }

  const JsonLinesOptions options_;
  int fd_;
  size_t size_;
};

}  // namespace

prober::Result<std::unique_ptr<ResultSink>> CreateJsonLinesSink(const JsonLinesOptions& options) {
  const int fd = ::open(options.path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    return prober::Status::InvalidArgument(options.path +
                                           ": cannot open for appending: " + std::strerror(errno));
  }
  struct stat st {};
  ::fstat(fd, &st);
  return std::unique_ptr<ResultSink>(
      new JsonLinesSink(options, fd, static_cast<size_t>(st.st_size)));
}

}  // namespace odoo_prober::results
