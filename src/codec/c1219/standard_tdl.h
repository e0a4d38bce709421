// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>

#include "codec/c1219/tdl.h"

// The standard tables (meters/c1219/standard.xml), compiled into the library so that the typed
// table API (tables.h) needs no file: one mechanism, the TDL, decodes every table.
namespace meterd::codec::c1219 {

// The XML text of meters/c1219/standard.xml as built in.
std::string_view StandardTdlXml();

// The compiled standard TDL, built on first use (thread-safe) and kept for the process. The
// shipped file is checked by the tests; if it ever failed to compile this aborts.
const Tdl& StandardTdl();

}  // namespace meterd::codec::c1219
