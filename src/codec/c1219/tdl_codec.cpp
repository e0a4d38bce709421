// SPDX-License-Identifier: Apache-2.0
// The public entry points; the walk over the definitions is in tdl_walker.{h,cpp}.
#include "codec/c1219/tdl_codec.h"

#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "codec/c1219/tdl_walker.h"
#include "codec/c1219/wire.h"

namespace meterd::codec::c1219 {

using core::Error;
using core::Fail;
using core::Result;

void TableContext::Put(TableId id, Value table) {
  if (id == 0) {
    auto get = [&](std::string_view name, uint8_t fallback) {
      const Value* v = table.FindDeep(name);
      auto i = v ? v->AsInt() : std::nullopt;
      return i ? static_cast<uint8_t>(*i) : fallback;
    };
    format_.data_order = get("DATA_ORDER", 0) ? DataOrder::kMsbFirst : DataOrder::kLsbFirst;
    format_.char_format = get("CHAR_FORMAT", format_.char_format);
    format_.model_select = get("MODEL_SELECT", format_.model_select);
    format_.tm_format = get("TM_FORMAT", format_.tm_format);
    format_.data_access_method = get("DATA_ACCESS_METHOD", format_.data_access_method);
    format_.id_form = get("ID_FORM", format_.id_form);
    format_.int_format = get("INT_FORMAT", format_.int_format);
    format_.ni_format1 = get("NI_FORMAT1", format_.ni_format1);
    format_.ni_format2 = get("NI_FORMAT2", format_.ni_format2);
  }
  for (auto& [k, v] : tables_) {
    if (k == id) {
      v = std::move(table);
      return;
    }
  }
  tables_.emplace_back(id, std::move(table));
}

const Value* TableContext::Get(TableId id) const {
  for (const auto& [k, v] : tables_) {
    if (k == id) return &v;
  }
  return nullptr;
}

namespace {

using detail::Mode;
using detail::Walker;

constexpr TableId kNoTable = 0xFFFF;

Result<const TableDef*> FindTable(const TableContext& ctx, TableId id) {
  const TableDef* def = ctx.tdl().Table(id);
  if (!def) return Fail(Error::NotFound(fmt::format("TDL '{}' does not define table {}", ctx.tdl().name(), TableIdName(id))));
  return def;
}

// ST0 is read under its own format control; every other table under the context's.
FormatControl FormatFor(const TableContext& ctx, TableId id, std::span<const uint8_t> bytes) {
  if (id == 0 && bytes.size() >= 3) {
    const uint8_t fc[3] = {static_cast<uint8_t>(bytes[0] & 0x7F), bytes[1], bytes[2]};
    if (auto f = FormatControl::FromBytes(fc)) return *f;
  }
  return ctx.format();
}

Result<const ProcedureDef*> FindProcedure(const TableContext& ctx, ProcedureId id) {
  const ProcedureDef* def = ctx.tdl().Procedure(id);
  if (!def) {
    return Fail(Error::NotFound(fmt::format("TDL '{}' does not define procedure {}", ctx.tdl().name(), ProcedureIdName(id))));
  }
  return def;
}

}  // namespace

Result<Value> DecodeTable(const TableContext& ctx, TableId id, std::span<const uint8_t> bytes) {
  auto def = FindTable(ctx, id);
  if (!def) return Fail(def.error());
  std::string name = TableIdName(id);
  Walker w(ctx, id, name, Mode::kDecode, bytes, FormatFor(ctx, id, bytes));
  Value rec = Value::Record({});
  if (auto r = w.Top((*def)->body, rec); !r) return Fail(w.Annotate(r.error()));
  if (w.in().remaining() != 0) {
    return Fail(w.in().ErrorAt(w.in().offset(), fmt::format("{}: expected the end of the table, but {} {} left", name,
                                                             w.in().remaining(), w.in().remaining() == 1 ? "byte is" : "bytes are")));
  }
  return rec;
}

Result<std::vector<uint8_t>> EncodeTable(const TableContext& ctx, TableId id, const Value& table) {
  auto def = FindTable(ctx, id);
  if (!def) return Fail(def.error());
  if (table.kind() != Value::Kind::kRecord) return Fail(Error::Invalid(fmt::format("{}: expected a record", TableIdName(id))));
  FormatControl f = ctx.format();
  if (id == 0) {
    // ST0 carries its own format control; the context's does not apply to it.
    TableContext own(ctx.tdl());
    own.Put(0, table);
    f = own.format();
  }
  Walker w(ctx, id, TableIdName(id), Mode::kEncode, {}, f);
  // In encode mode the walker only reads the record.
  if (auto r = w.Top((*def)->body, const_cast<Value&>(table)); !r) return Fail(w.Annotate(r.error()));
  return w.out().Release();
}

Result<Value> DefaultTable(const TableContext& ctx, TableId id) {
  auto def = FindTable(ctx, id);
  if (!def) return Fail(def.error());
  Walker w(ctx, id, TableIdName(id), Mode::kDefault, {}, ctx.format());
  Value rec = Value::Record({});
  if (auto r = w.Top((*def)->body, rec); !r) return Fail(w.Annotate(r.error()));
  return rec;
}

Result<Value> DecodeProcedureData(const TableContext& ctx, ProcedureId id, bool response, std::span<const uint8_t> bytes) {
  auto def = FindProcedure(ctx, id);
  if (!def) return Fail(def.error());
  Walker w(ctx, kNoTable, fmt::format("{} {}", ProcedureIdName(id), response ? "response" : "parameters"),
           Mode::kDecode, bytes, ctx.format());
  Value rec = Value::Record({});
  if (auto r = w.Top(response ? (*def)->response : (*def)->params, rec); !r) return Fail(w.Annotate(r.error()));
  return rec;
}

Result<std::vector<uint8_t>> EncodeProcedureData(const TableContext& ctx, ProcedureId id, bool response, const Value& data) {
  auto def = FindProcedure(ctx, id);
  if (!def) return Fail(def.error());
  Walker w(ctx, kNoTable, fmt::format("{} {}", ProcedureIdName(id), response ? "response" : "parameters"),
           Mode::kEncode, {}, ctx.format());
  auto r = w.Top(response ? (*def)->response : (*def)->params, const_cast<Value&>(data));
  if (!r) return Fail(w.Annotate(r.error()));
  return w.out().Release();
}

}  // namespace meterd::codec::c1219

