// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace meterd::security {

// What a caller may do. Every API route names exactly one; the API's single authorisation
// point checks it against the caller's role (and, for API tokens, the token's scopes).
enum class Permission {
  kSelf,           // own session, password and tokens: every signed-in user
  kFleetRead,      // devices, meters, commands, events
  kReadingsRead,   // interval readings and registers
  kCommandsSend,   // queue commands to meters (relay switching)
  kAuditRead,      // the audit log and its verification
  kUsersManage,    // users, roles, device assignments, password resets
  kMetricsRead,    // Prometheus metrics and the service's internals
  kBillingRead,    // tariffs, bills, bill runs
  kBillingRun,     // start bill runs, edit tariffs
  kBillingReview,  // approve or reject bills before release
};

inline constexpr Permission kAllPermissions[] = {
    Permission::kSelf,        Permission::kFleetRead,   Permission::kReadingsRead, Permission::kCommandsSend,
    Permission::kAuditRead,   Permission::kUsersManage, Permission::kMetricsRead,  Permission::kBillingRead,
    Permission::kBillingRun,  Permission::kBillingReview,
};

// "fleet:read", ...: the names in the API, the OpenAPI document and token scopes.
std::string_view PermissionName(Permission p);
std::string_view PermissionDescription(Permission p);
std::optional<Permission> ParsePermission(std::string_view name);

// A set of permissions as a bit mask.
class PermissionSet {
 public:
  PermissionSet() = default;
  PermissionSet(std::initializer_list<Permission> ps) {
    for (auto p : ps) Add(p);
  }
  void Add(Permission p) { bits_ |= Bit(p); }
  bool Has(Permission p) const { return (bits_ & Bit(p)) != 0; }
  PermissionSet Intersect(PermissionSet o) const { return PermissionSet(bits_ & o.bits_); }
  bool Covers(PermissionSet o) const { return (o.bits_ & ~bits_) == 0; }
  std::vector<std::string> Names() const;
  bool operator==(const PermissionSet&) const = default;

 private:
  explicit PermissionSet(unsigned bits) : bits_(bits) {}
  static unsigned Bit(Permission p) { return 1u << static_cast<unsigned>(p); }
  unsigned bits_ = 0;
};

struct Role {
  std::string_view name;         // "admin", "operator", ...
  std::string_view description;
  PermissionSet permissions;
  // A scoped role sees only the devices assigned to the user (and their meters): customers
  // their own, field technicians those of their tasks.
  bool scoped;
};

// The fixed role table; docs/security.md shows the same table and a test keeps them equal.
std::span<const Role> Roles();
const Role* FindRole(std::string_view name);

}  // namespace meterd::security
