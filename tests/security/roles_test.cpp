// SPDX-License-Identifier: Apache-2.0
// The role table in code against the one in docs/security.md, and the permission names.
#include "security/roles.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "security/password_policy.h"

namespace meterd::security {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && s.front() == ' ') s.erase(s.begin());
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

// Rows "| role | perm, perm | yes/no |" of the table under "## Users, roles and credentials".
std::map<std::string, std::pair<std::string, std::string>> DocumentedRoles() {
  std::ifstream in(METERD_SOURCE_DIR "/docs/security.md");
  EXPECT_TRUE(in) << "cannot read docs/security.md";
  std::map<std::string, std::pair<std::string, std::string>> out;
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## ")) in_section = line == "## Users, roles and credentials";
    if (!in_section || !line.starts_with("| ") || line.starts_with("| role") || line.starts_with("|---")) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) cells.push_back(Trim(cell));
    if (cells.size() >= 3) out[cells[0]] = {cells[1], cells[2]};
  }
  return out;
}

TEST(Roles, DocumentedTableMatchesTheCode) {
  auto documented = DocumentedRoles();
  ASSERT_EQ(documented.size(), Roles().size());
  for (const auto& role : Roles()) {
    auto it = documented.find(std::string(role.name));
    ASSERT_NE(it, documented.end()) << role.name << " is not in docs/security.md";
    std::string names;
    for (const auto& n : role.permissions.Names()) names += (names.empty() ? "" : ", ") + n;
    EXPECT_EQ(it->second.first, names) << role.name;
    EXPECT_EQ(it->second.second, role.scoped ? "yes" : "no") << role.name;
  }
}

TEST(Roles, PermissionNamesRoundTripAndEveryRoleMaySeeItself) {
  for (auto p : kAllPermissions) EXPECT_EQ(ParsePermission(PermissionName(p)), p);
  EXPECT_FALSE(ParsePermission("root"));
  EXPECT_FALSE(ParsePermission(""));
  for (const auto& role : Roles()) EXPECT_TRUE(role.permissions.Has(Permission::kSelf)) << role.name;
  // Only admin manages users; scoped roles never read the audit log.
  for (const auto& role : Roles()) {
    EXPECT_EQ(role.permissions.Has(Permission::kUsersManage), role.name == "admin") << role.name;
    if (role.scoped) EXPECT_FALSE(role.permissions.Has(Permission::kAuditRead)) << role.name;
  }
  EXPECT_EQ(FindRole("nobody"), nullptr);
}

TEST(PasswordPolicy, RefusesShortAndNameAndGeneratesStrongOnes) {
  EXPECT_FALSE(CheckNewPassword("ann", "short", "password"));
  EXPECT_EQ(CheckNewPassword("ann", "short", "password").error().field, "password");
  EXPECT_FALSE(CheckNewPassword("annabelle-x", "annabelle-x", "password"));
  EXPECT_TRUE(CheckNewPassword("ann", "ten chars!", "password"));
  EXPECT_FALSE(CheckUserName("a b"));
  EXPECT_FALSE(CheckUserName(""));
  EXPECT_TRUE(CheckUserName("ann.smith@example-1"));
  std::string a = GeneratePassword(), b = GeneratePassword();
  EXPECT_EQ(a.size(), 16u);
  EXPECT_NE(a, b);
  EXPECT_TRUE(CheckNewPassword("ann", a, "password"));
}

}  // namespace
}  // namespace meterd::security
