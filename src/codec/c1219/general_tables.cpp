// SPDX-License-Identifier: Apache-2.0
// Decade 0 on the standard TDL (meters/c1219/standard.xml); field names are the standard's.
#include "codec/c1219/general_tables.h"

#include <algorithm>

#include "codec/c1219/typed_value.h"

namespace meterd::codec::c1219 {

using core::Fail;
using core::Result;
using typed::B;
using typed::FieldReader;
using typed::U;

namespace {
bool Bit(const BitSet& s, size_t i) { return s.Test(i); }
void Grow(uint8_t& dim, BitSet& set, size_t bit) {
  set.Assign(bit, true);
  dim = static_cast<uint8_t>(std::max<size_t>(dim, set.octets.size()));
}

constexpr std::string_view kStatus1Names[] = {
    "UNPROGRAMMED_FLAG",      "CONFIGURATION_ERROR_FLAG", "SELF_CHK_ERROR_FLAG",     "RAM_FAILURE_FLAG",
    "ROM_FAILURE_FLAG",       "NONVOL_MEM_FAILURE_FLAG",  "CLOCK_ERROR_FLAG",        "MEASUREMENT_ERROR_FLAG",
    "LOW_BATTERY_FLAG",       "LOW_LOSS_POTENTIAL_FLAG",  "DEMAND_OVERLOAD_FLAG",    "POWER_FAILURE_FLAG",
    "TAMPER_DETECT_FLAG",     "REVERSE_ROTATION_FLAG"};

// An identifier: CHAR or BCD digits by ST0 ID_FORM.
Value Identifier(const std::string& s, const TableContext& ctx) {
  return ctx.format().id_form == 1 ? Value::Bcd(s) : Value::Chars(s);
}

Value TableIdb(ProcedureId p, uint8_t selector) {
  Value v = Value::Record({});
  v.Add("TBL_PROC_NBR", U(p.number));
  v.Add("STD_VS_MFG_FLAG", B(p.manufacturer));
  v.Add("SELECTOR", U(selector));
  return v;
}
void ReadTableIdb(FieldReader r, ProcedureId& p, uint8_t& selector) {
  p.number = r.U<uint16_t>("TBL_PROC_NBR");
  p.manufacturer = r.Bool("STD_VS_MFG_FLAG");
  selector = r.U<uint8_t>("SELECTOR");
}

std::vector<uint8_t> Padded(std::vector<uint8_t> bytes, size_t n) {
  if (bytes.size() < n) bytes.resize(n, 0);
  return bytes;
}
}  // namespace

// ---- ST0 ----

bool St0::TableUsed(TableId id) const {
  return IsMfgTable(id) ? Bit(mfg_tbls_used, id - kMfgTableBase) : Bit(std_tbls_used, id);
}
bool St0::TableWritable(TableId id) const {
  return IsMfgTable(id) ? Bit(mfg_tbls_write, id - kMfgTableBase) : Bit(std_tbls_write, id);
}
bool St0::ProcedureUsed(ProcedureId id) const {
  return id.manufacturer ? Bit(mfg_proc_used, id.number) : Bit(std_proc_used, id.number);
}
void St0::UseTable(TableId id, bool writable) {
  if (IsMfgTable(id)) {
    Grow(dim_mfg_tbls_used, mfg_tbls_used, id - kMfgTableBase);
    if (writable) mfg_tbls_write.Assign(id - kMfgTableBase, true);
  } else {
    Grow(dim_std_tbls_used, std_tbls_used, id);
    if (writable) std_tbls_write.Assign(id, true);
  }
}
void St0::UseProcedure(ProcedureId id) {
  if (id.manufacturer) {
    Grow(dim_mfg_proc_used, mfg_proc_used, id.number);
  } else {
    Grow(dim_std_proc_used, std_proc_used, id.number);
  }
}

Value ToValue(const St0& t) {
  Value v = Value::Record({});
  Value& fc1 = v.Add("FORMAT_CONTROL_1", Value::Record({}));
  fc1.Add("DATA_ORDER", U(t.format.data_order == DataOrder::kMsbFirst ? 1 : 0));
  fc1.Add("CHAR_FORMAT", U(t.format.char_format));
  fc1.Add("MODEL_SELECT", U(t.format.model_select));
  Value& fc2 = v.Add("FORMAT_CONTROL_2", Value::Record({}));
  fc2.Add("TM_FORMAT", U(t.format.tm_format));
  fc2.Add("DATA_ACCESS_METHOD", U(t.format.data_access_method));
  fc2.Add("ID_FORM", U(t.format.id_form));
  fc2.Add("INT_FORMAT", U(t.format.int_format));
  Value& fc3 = v.Add("FORMAT_CONTROL_3", Value::Record({}));
  fc3.Add("NI_FORMAT1", U(t.format.ni_format1));
  fc3.Add("NI_FORMAT2", U(t.format.ni_format2));
  v.Add("DEVICE_CLASS", Value::Binary({t.device_class.begin(), t.device_class.end()}));
  v.Add("NAMEPLATE_TYPE", U(t.nameplate_type));
  v.Add("DEFAULT_SET_USED", U(t.default_set_used));
  v.Add("MAX_PROC_PARM_LENGTH", U(t.max_proc_parm_length));
  v.Add("MAX_RESP_DATA_LEN", U(t.max_resp_data_len));
  v.Add("STD_VERSION_NO", U(t.std_version_no));
  v.Add("STD_REVISION_NO", U(t.std_revision_no));
  v.Add("DIM_STD_TBLS_USED", U(t.dim_std_tbls_used));
  v.Add("DIM_MFG_TBLS_USED", U(t.dim_mfg_tbls_used));
  v.Add("DIM_STD_PROC_USED", U(t.dim_std_proc_used));
  v.Add("DIM_MFG_PROC_USED", U(t.dim_mfg_proc_used));
  v.Add("DIM_MFG_STATUS_USED", U(t.dim_mfg_status_used));
  v.Add("NBR_PENDING", U(t.nbr_pending));
  v.Add("STD_TBLS_USED", Value::Set(typed::Sized(t.std_tbls_used, t.dim_std_tbls_used)));
  v.Add("MFG_TBLS_USED", Value::Set(typed::Sized(t.mfg_tbls_used, t.dim_mfg_tbls_used)));
  v.Add("STD_PROC_USED", Value::Set(typed::Sized(t.std_proc_used, t.dim_std_proc_used)));
  v.Add("MFG_PROC_USED", Value::Set(typed::Sized(t.mfg_proc_used, t.dim_mfg_proc_used)));
  v.Add("STD_TBLS_WRITE", Value::Set(typed::Sized(t.std_tbls_write, t.dim_std_tbls_used)));
  v.Add("MFG_TBLS_WRITE", Value::Set(typed::Sized(t.mfg_tbls_write, t.dim_mfg_tbls_used)));
  return v;
}

Result<St0> St0FromValue(const Value& value, const TableContext&) {
  FieldReader r(value, "ST0");
  St0 t;
  FieldReader fc1 = r.Sub("FORMAT_CONTROL_1");
  t.format.data_order = fc1.Uint("DATA_ORDER") ? DataOrder::kMsbFirst : DataOrder::kLsbFirst;
  t.format.char_format = fc1.U<uint8_t>("CHAR_FORMAT");
  t.format.model_select = fc1.U<uint8_t>("MODEL_SELECT");
  FieldReader fc2 = r.Sub("FORMAT_CONTROL_2");
  t.format.tm_format = fc2.U<uint8_t>("TM_FORMAT");
  t.format.data_access_method = fc2.U<uint8_t>("DATA_ACCESS_METHOD");
  t.format.id_form = fc2.U<uint8_t>("ID_FORM");
  t.format.int_format = fc2.U<uint8_t>("INT_FORMAT");
  FieldReader fc3 = r.Sub("FORMAT_CONTROL_3");
  t.format.ni_format1 = fc3.U<uint8_t>("NI_FORMAT1");
  t.format.ni_format2 = fc3.U<uint8_t>("NI_FORMAT2");
  std::vector<uint8_t> dc = r.Bytes("DEVICE_CLASS");
  if (dc.size() == 4) std::copy(dc.begin(), dc.end(), t.device_class.begin());
  t.nameplate_type = r.U<uint8_t>("NAMEPLATE_TYPE");
  t.default_set_used = r.U<uint8_t>("DEFAULT_SET_USED");
  t.max_proc_parm_length = r.U<uint8_t>("MAX_PROC_PARM_LENGTH");
  t.max_resp_data_len = r.U<uint8_t>("MAX_RESP_DATA_LEN");
  t.std_version_no = r.U<uint8_t>("STD_VERSION_NO");
  t.std_revision_no = r.U<uint8_t>("STD_REVISION_NO");
  t.dim_std_tbls_used = r.U<uint8_t>("DIM_STD_TBLS_USED");
  t.dim_mfg_tbls_used = r.U<uint8_t>("DIM_MFG_TBLS_USED");
  t.dim_std_proc_used = r.U<uint8_t>("DIM_STD_PROC_USED");
  t.dim_mfg_proc_used = r.U<uint8_t>("DIM_MFG_PROC_USED");
  t.dim_mfg_status_used = r.U<uint8_t>("DIM_MFG_STATUS_USED");
  t.nbr_pending = r.U<uint8_t>("NBR_PENDING");
  t.std_tbls_used = r.Set("STD_TBLS_USED");
  t.mfg_tbls_used = r.Set("MFG_TBLS_USED");
  t.std_proc_used = r.Set("STD_PROC_USED");
  t.mfg_proc_used = r.Set("MFG_PROC_USED");
  t.std_tbls_write = r.Set("STD_TBLS_WRITE");
  t.mfg_tbls_write = r.Set("MFG_TBLS_WRITE");
  if (!r.ok()) return Fail(r.error());
  return t;
}

Result<St0> DecodeSt0(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St0>(ctx, kSt0, bytes, St0FromValue);
}
Result<std::vector<uint8_t>> EncodeSt0(const St0& t, const TableContext& ctx) { return EncodeTable(ctx, kSt0, ToValue(t)); }

// ---- ST1 ----

Value ToValue(const St1& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("MANUFACTURER", Value::Chars(t.manufacturer));
  v.Add("ED_MODEL", Value::Chars(t.ed_model));
  v.Add("HW_VERSION_NUMBER", U(t.hw_version_number));
  v.Add("HW_REVISION_NUMBER", U(t.hw_revision_number));
  v.Add("FW_VERSION_NUMBER", U(t.fw_version_number));
  v.Add("FW_REVISION_NUMBER", U(t.fw_revision_number));
  v.Add("MFG_SERIAL_NUMBER", Identifier(t.mfg_serial_number, ctx));
  return v;
}

Result<St1> St1FromValue(const Value& value, const TableContext&) {
  FieldReader r(value, "ST1");
  St1 t;
  t.manufacturer = r.Text("MANUFACTURER");
  t.ed_model = r.Text("ED_MODEL");
  t.hw_version_number = r.U<uint8_t>("HW_VERSION_NUMBER");
  t.hw_revision_number = r.U<uint8_t>("HW_REVISION_NUMBER");
  t.fw_version_number = r.U<uint8_t>("FW_VERSION_NUMBER");
  t.fw_revision_number = r.U<uint8_t>("FW_REVISION_NUMBER");
  t.mfg_serial_number = r.Text("MFG_SERIAL_NUMBER");
  if (!r.ok()) return Fail(r.error());
  return t;
}

Result<St1> DecodeSt1(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St1>(ctx, kSt1, bytes, St1FromValue);
}
Result<std::vector<uint8_t>> EncodeSt1(const St1& t, const TableContext& ctx) {
  return EncodeTable(ctx, kSt1, ToValue(t, ctx));
}

// ---- ST3 ----

Value ToValue(const St3& t) {
  Value v = Value::Record({});
  Value& mode = v.Add("ED_MODE", Value::Record({}));
  mode.Add("METERING_FLAG", B(t.metering));
  mode.Add("TEST_MODE_FLAG", B(t.test_mode));
  mode.Add("METER_SHOP_MODE_FLAG", B(t.meter_shop_mode));
  mode.Add("FACTORY_FLAG", B(t.factory));
  Value& s1 = v.Add("ED_STD_STATUS1", Value::Record({}));
  for (size_t i = 0; i < std::size(kStatus1Names); ++i) s1.Add(std::string(kStatus1Names[i]), B((t.std_status1 >> i) & 1));
  if (uint16_t rest = t.std_status1 & 0xC000) s1.Add("_FILL", U(rest));
  v.Add("ED_STD_STATUS2", U(t.std_status2));
  v.Add("ED_MFG_STATUS", Value::Set(t.mfg_status));
  return v;
}

Result<St3> St3FromValue(const Value& value, const TableContext&) {
  FieldReader r(value, "ST3");
  St3 t;
  FieldReader mode = r.Sub("ED_MODE");
  t.metering = mode.Bool("METERING_FLAG");
  t.test_mode = mode.Bool("TEST_MODE_FLAG");
  t.meter_shop_mode = mode.Bool("METER_SHOP_MODE_FLAG");
  t.factory = mode.Bool("FACTORY_FLAG");
  FieldReader s1 = r.Sub("ED_STD_STATUS1");
  for (size_t i = 0; i < std::size(kStatus1Names); ++i) {
    if (s1.Bool(kStatus1Names[i])) t.std_status1 |= static_cast<uint16_t>(1u << i);
  }
  if (s1.Has("_FILL")) t.std_status1 |= static_cast<uint16_t>(s1.Uint("_FILL"));
  t.std_status2 = r.U<uint8_t>("ED_STD_STATUS2");
  t.mfg_status = r.Set("ED_MFG_STATUS");
  if (!r.ok()) return Fail(r.error());
  return t;
}

Result<St3> DecodeSt3(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St3>(ctx, kSt3, bytes, St3FromValue);
}
Result<std::vector<uint8_t>> EncodeSt3(const St3& t, const TableContext& ctx) { return EncodeTable(ctx, kSt3, ToValue(t)); }

// ---- ST5 ----

Value ToValue(const St5& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("IDENTIFICATION", Identifier(t.identification, ctx));
  return v;
}

Result<St5> St5FromValue(const Value& value, const TableContext&) {
  FieldReader r(value, "ST5");
  St5 t;
  t.identification = r.Text("IDENTIFICATION");
  if (!r.ok()) return Fail(r.error());
  return t;
}

Result<St5> DecodeSt5(std::span<const uint8_t> bytes, const TableContext& ctx) {
  return typed::DecodeWith<St5>(ctx, kSt5, bytes, St5FromValue);
}
Result<std::vector<uint8_t>> EncodeSt5(const St5& t, const TableContext& ctx) {
  return EncodeTable(ctx, kSt5, ToValue(t, ctx));
}

// ---- ST7 / ST8 ----

std::string_view ProcedureResultName(uint8_t code) {
  switch (code) {
    case 0: return "completed";
    case 1: return "accepted, not fully completed";
    case 2: return "invalid parameter";
    case 3: return "conflicts with device setup";
    case 4: return "timing constraint";
    case 5: return "no authorization";
    case 6: return "unrecognized procedure";
    default: return "reserved";
  }
}

namespace {
size_t St0Length(const TableContext& ctx, std::string_view name) {
  const Value* st0 = ctx.Get(kSt0);
  const Value* v = st0 ? st0->FindDeep(name) : nullptr;
  auto n = v ? v->AsInt() : std::nullopt;
  return n && *n > 0 ? static_cast<size_t>(*n) : 0;
}
}  // namespace

Result<St7> DecodeSt7(std::span<const uint8_t> bytes, const TableContext& ctx) {
  auto v = DecodeTable(ctx, kSt7, bytes);
  if (!v) return Fail(v.error());
  FieldReader r(*v, "ST7");
  St7 t;
  ReadTableIdb(r.Sub("TBL_PROC_NBR"), t.procedure, t.selector);
  t.sequence_number = r.U<uint8_t>("SEQ_NBR");
  t.params = r.Bytes("PARM");
  if (!r.ok()) return Fail(r.error());
  return t;
}

Result<std::vector<uint8_t>> EncodeSt7(const St7& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("TBL_PROC_NBR", TableIdb(t.procedure, t.selector));
  v.Add("SEQ_NBR", U(t.sequence_number));
  v.Add("PARM", Value::Binary(Padded(t.params, St0Length(ctx, "MAX_PROC_PARM_LENGTH"))));
  return EncodeTable(ctx, kSt7, v);
}

Result<St8> DecodeSt8(std::span<const uint8_t> bytes, const TableContext& ctx) {
  auto v = DecodeTable(ctx, kSt8, bytes);
  if (!v) return Fail(v.error());
  FieldReader r(*v, "ST8");
  St8 t;
  ReadTableIdb(r.Sub("TBL_PROC_NBR"), t.procedure, t.selector);
  t.sequence_number = r.U<uint8_t>("SEQ_NBR");
  t.result_code = r.U<uint8_t>("RESULT_CODE");
  t.response = r.Bytes("RESP_DATA");
  if (!r.ok()) return Fail(r.error());
  return t;
}

Result<std::vector<uint8_t>> EncodeSt8(const St8& t, const TableContext& ctx) {
  Value v = Value::Record({});
  v.Add("TBL_PROC_NBR", TableIdb(t.procedure, t.selector));
  v.Add("SEQ_NBR", U(t.sequence_number));
  v.Add("RESULT_CODE", U(t.result_code));
  v.Add("RESP_DATA", Value::Binary(Padded(t.response, St0Length(ctx, "MAX_RESP_DATA_LEN"))));
  return EncodeTable(ctx, kSt8, v);
}

}  // namespace meterd::codec::c1219
