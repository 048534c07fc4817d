// AdminAuth: HTTP basic authentication for the admin endpoints, against the users and password
// hashes of `admin.basic_auth_file` (the shape of Prometheus's web config: basic_auth_users,
// bcrypt "$2y$..." or SHA-256 crypt "$5$..." hashes, checked by the system's libcrypt).
//
// A hash costs tens of milliseconds by design, too much for every scrape: a successful check
// is remembered (keyed by the user and a SHA-256 of the password, never the password), up to a
// bound. An unknown user costs the same as a wrong password, so names cannot be probed.
//
// Thread-safety: Check may be called from several threads at once.
#pragma once

#include <map>
#include <set>
#include <string>

#include "prober/mutex.h"

namespace odoo_prober::runners {

class AdminAuth {
 public:
  // users: name -> crypt(3) hash.
  explicit AdminAuth(std::map<std::string, std::string> users);

  // Whether `authorization` (the Authorization header) is "Basic base64(user:password)" of a
  // user whose hash the password matches.
  bool Check(const std::string& authorization) const;

 private:
  const std::map<std::string, std::string> users_;
  mutable prober::Mutex mu_;
  mutable std::set<std::string> verified_ GUARDED_BY(mu_);  // user + '\0' + SHA-256(password)
};

}  // namespace odoo_prober::runners
