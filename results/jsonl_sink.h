// JsonLinesSink: one JSON object per run (the `once --output json` shape) appended to a file,
// each line with a single write(2) on an O_APPEND descriptor, so a crash never leaves half a
// line behind another; rotated by size (file, file.1, ... file.<keep>).
//
// Thread-safety: used by one fan-out thread.
#pragma once

#include <memory>
#include <string>

#include "results/sink.h"

namespace odoo_prober::results {

struct JsonLinesOptions {
  std::string path;
  size_t max_bytes = 64u << 20;  // rotate before a line would pass this size
  int keep = 5;                  // rotated files kept
};

// Fails with InvalidArgument when the file cannot be opened for appending.
prober::Result<std::unique_ptr<ResultSink>> CreateJsonLinesSink(const JsonLinesOptions& options);

}  // namespace odoo_prober::results
