// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <vector>

#include "api/api.h"

// What the billing routes (billing_routes.cpp) share with the bill CSV exports (billing_csv.cpp).
namespace meterd::api {

// The `{id}` of a route as a positive integer, or a 400 naming it.
core::Result<int64_t> IdParam(const RouteParams& params);
// The bill `{id}`, or why not (400, 404).
core::Result<store::BillRecord> FindBill(Api& api, const RouteParams& params);
// GET /api/v1/bills/{id}/csv and GET /api/v1/bill-runs/{id}/bills.csv.
void AddBillingCsvRoutes(std::vector<Route>& routes);

}  // namespace meterd::api
