// The Catch2 main of every test executable: libcurl is initialised once, as in odoo-prober.
#define CATCH_CONFIG_RUNNER
#include <curl/curl.h>

#include <catch2/catch.hpp>

int main(int argc, char** argv) {
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const int rc = Catch::Session().run(argc, argv);
  curl_global_cleanup();
  return rc;
}
