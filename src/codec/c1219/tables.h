// SPDX-License-Identifier: Apache-2.0
#pragma once

// The typed ANSI C12.19 table API, one header per decade. Every typed table decodes and encodes
// through the TDL of the TableContext (tdl_codec.h): the built-in standard.xml
// (standard_tdl.h) or a meter type's TDL merged from it, so there is one mechanism for standard
// and manufacturer tables, and a fragment that changes a standard table changes what the typed
// API reads. docs/formats/tdl.md ("The typed API").
//
// Typical use, reading a meter:
//   TableContext ctx(StandardTdl());
//   auto st0 = DecodeTable(ctx, kSt0, st0_bytes);   ctx.Put(kSt0, *st0);   // format control
//   auto st21 = DecodeTable(ctx, kSt21, st21_bytes); ctx.Put(kSt21, *st21);
//   auto st23 = DecodeSt23(st23_bytes, ctx);         // needs ST21 (and ST22 for units)
#include "codec/c1219/general_tables.h"
#include "codec/c1219/load_profile_tables.h"
#include "codec/c1219/log_tables.h"
#include "codec/c1219/register_tables.h"
#include "codec/c1219/standard_tdl.h"
#include "codec/c1219/time_tables.h"
