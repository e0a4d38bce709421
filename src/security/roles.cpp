// SPDX-License-Identifier: Apache-2.0
#include "security/roles.h"

#include <array>

namespace meterd::security {
namespace {

struct PermissionInfo {
  Permission permission;
  std::string_view name;
  std::string_view description;
};

constexpr PermissionInfo kPermissionInfo[] = {
    {Permission::kSelf, "self", "Own session, password and API tokens"},
    {Permission::kFleetRead, "fleet:read", "Devices, meters, commands and events"},
    {Permission::kReadingsRead, "readings:read", "Interval readings and registers"},
    {Permission::kCommandsSend, "commands:send", "Queue commands to meters (relay on/off)"},
    {Permission::kAuditRead, "audit:read", "Read and verify the audit log"},
    {Permission::kUsersManage, "users:manage", "Create users, set roles and devices, reset passwords"},
    {Permission::kMetricsRead, "metrics:read", "Prometheus metrics"},
    {Permission::kBillingRead, "billing:read", "Tariffs, bills and bill runs"},
    {Permission::kBillingRun, "billing:run", "Start bill runs and edit tariffs"},
    {Permission::kBillingReview, "billing:review", "Approve or reject bills before release"},
};

using P = Permission;
const std::array<Role, 7> kRoles = {{
    {"admin", "Everything, including users and roles",
     {P::kSelf, P::kFleetRead, P::kReadingsRead, P::kCommandsSend, P::kAuditRead, P::kUsersManage, P::kMetricsRead,
      P::kBillingRead, P::kBillingRun, P::kBillingReview},
     false},
    {"operator", "Runs the fleet: reads everything operational, switches relays, watches metrics",
     {P::kSelf, P::kFleetRead, P::kReadingsRead, P::kCommandsSend, P::kMetricsRead},
     false},
    {"billing_clerk", "Prepares bills: reads consumption, runs billing, edits tariffs",
     {P::kSelf, P::kFleetRead, P::kReadingsRead, P::kBillingRead, P::kBillingRun},
     false},
    {"reviewer", "Checks bills and the audit log before release; changes nothing else",
     {P::kSelf, P::kFleetRead, P::kReadingsRead, P::kAuditRead, P::kBillingRead, P::kBillingReview},
     false},
    {"field_technician", "Works on the devices of assigned tasks only: reads them and switches their relays",
     {P::kSelf, P::kFleetRead, P::kReadingsRead, P::kCommandsSend},
     true},
    {"viewer", "Reads devices, meters and readings; changes nothing",
     {P::kSelf, P::kFleetRead, P::kReadingsRead},
     false},
    {"customer", "Sees only their own meters and readings",
     {P::kSelf, P::kFleetRead, P::kReadingsRead},
     true},
}};

}  // namespace

std::string_view PermissionName(Permission p) {
  for (const auto& info : kPermissionInfo) {
    if (info.permission == p) return info.name;
  }
  return "?";
}

std::string_view PermissionDescription(Permission p) {
  for (const auto& info : kPermissionInfo) {
    if (info.permission == p) return info.description;
  }
  return "";
}

std::optional<Permission> ParsePermission(std::string_view name) {
  for (const auto& info : kPermissionInfo) {
    if (info.name == name) return info.permission;
  }
  return std::nullopt;
}

std::vector<std::string> PermissionSet::Names() const {
  std::vector<std::string> out;
  for (auto p : kAllPermissions) {
    if (Has(p)) out.emplace_back(PermissionName(p));
  }
  return out;
}

std::span<const Role> Roles() { return kRoles; }

const Role* FindRole(std::string_view name) {
  for (const auto& role : kRoles) {
    if (role.name == name) return &role;
  }
  return nullptr;
}

}  // namespace meterd::security
