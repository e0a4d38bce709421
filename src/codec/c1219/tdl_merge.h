// SPDX-License-Identifier: Apache-2.0
#pragma once

#include "codec/c1219/tdl_document.h"
#include "core/error.h"

// Applying a TDL fragment (<tdl-fragment>) to a base TDL (<tdl>): the fragment adds, removes or
// modifies tables, types, procedures, sources, fields and attributes; the result is a complete
// <tdl> that can be compiled or written out. Operations apply in document order, each to the
// result of the ones before. docs/formats/tdl.md ("Fragments").
namespace meterd::codec::c1219 {

// Fails, naming the fragment's file and line, when an operation refers to a table, type,
// procedure, source or field the (partly merged) base does not have, adds one that exists, or is
// malformed. The base is not modified.
core::Result<TdlDocument> ApplyFragment(const TdlDocument& base, const TdlDocument& fragment);

}  // namespace meterd::codec::c1219
