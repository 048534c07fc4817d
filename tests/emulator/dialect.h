// Dialect: how one Odoo version words what the emulator answers, where the recordings show the
// versions differ. Built once per personality and shared by the ORM and the business layer, so
// a version's texts live in one place instead of `major >= N` tests at each use.
//
// Thread-safety: an immutable value.
#pragma once

#include <string>

namespace odoo_prober::emulator {

struct Dialect {
  explicit Dialect(int major) : major(major) {}

  int major;

  // read() of a field the model does not have.
  std::string InvalidReadField(const std::string& field, const std::string& model) const {
    return major >= 19 ? "Invalid field '" + field + "' on '" + model + "'"
                       : "Invalid field '" + field + "' on model '" + model + "'";
  }
  // A domain leaf on a field the model does not have; `leaf` as Python prints the tuple.
  std::string InvalidDomainField(const std::string& path, const std::string& leaf) const {
    return "Invalid field " + path + (major >= 19 ? " in condition " : " in leaf ") + leaf;
  }
  // A required field left empty on create.
  std::string MissingRequired(const std::string& model_label, const std::string& model,
                              const std::string& field_label, const std::string& field) const {
    if (major >= 19) {
      return "The operation cannot be completed: Missing required value for the field '" +
             field_label + "' (" + field + ").\nModel: '" + model_label + "' (" + model +
             ")\n- create/update: a mandatory field is not set\n- delete: another model "
             "requires the record being deleted, you can archive it instead\n";
    }
    return "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n"
           "- Delete: another model requires the record being deleted. If possible, archive it "
           "instead.\n\nModel: " +
           model_label + " (" + model + ")\nField: " + field_label + " (" + field + ")\n";
  }
  // A public method the model does not have.
  std::string NoSuchMethod(const std::string& model, const std::string& method) const {
    return major <= 17 ? "The method '" + method + "' does not exist on the model '" + model + "'"
                       : "The method '" + model + "." + method + "' does not exist";
  }
  std::string PrivateMethod(const std::string& model, const std::string& method) const {
    return major <= 17 ? "Private methods (such as " + method + ") cannot be called remotely."
                       : "Private methods (such as '" + model + "." + method +
                             "') cannot be called remotely.";
  }
  // 19 refuses every private name as AccessError; 18 says AttributeError for one that does not
  // exist.
  bool unknown_private_is_access_error() const { return major >= 19 || major <= 17; }
  // Posting an invoice without lines.
  std::string PostWithoutLines() const {
    return major >= 19 ? "Even magicians can't post nothing!"
                       : "You need to add a line before posting.";
  }
};

}  // namespace odoo_prober::emulator
