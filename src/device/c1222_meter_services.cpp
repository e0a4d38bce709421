// SPDX-License-Identifier: Apache-2.0
#include "device/c1222_meter_services.h"

#include <algorithm>

#include "codec/c1218/table_data.h"
#include "codec/c1222/ap_title.h"
#include "codec/c1222/service.h"
#include "device/c1222_table_values.h"

namespace meterd::device {

namespace c1218 = codec::c1218;
namespace c1219 = codec::c1219;
namespace c1222 = codec::c1222;
using c1218::ResponseCode;

namespace {

constexpr int kDefaultIdleS = 60;
constexpr int kMaxIdleS = 600;

std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

c1222::ServiceResponse Error(ResponseCode code) { return c1218::Response{c1218::ErrorResponse{code, {}}}; }
c1222::ServiceResponse Ok() { return c1218::Response{c1218::OkResponse{}}; }

// What a table-layer error means on the wire.
ResponseCode CodeFor(const core::Error& e) {
  switch (e.code) {
    case core::ErrorCode::kNotFound: return ResponseCode::kIar;
    case core::ErrorCode::kPermissionDenied:
    case core::ErrorCode::kOutOfRange: return ResponseCode::kOnp;
    default: return ResponseCode::kErr;
  }
}

class Services {
 public:
  explicit Services(C1222ServiceContext& ctx) : ctx_(ctx), model_(ctx.meter.model) {
    access_ = ctx_.session.logged_on ? ctx_.session.access : C1222Access::kPublic;
    user_id_ = ctx_.session.logged_on ? ctx_.session.user_id : 0;
  }

  c1222::ServiceResponse Handle(std::span<const uint8_t> bytes) {
    if (bytes.empty()) return Error(ResponseCode::kErr);
    auto request = c1222::DecodeServiceRequest(bytes);
    if (!request) return Error(c1218::IsRequestCode(bytes[0]) ? ResponseCode::kErr : ResponseCode::kSns);
    const auto* q = std::get_if<c1218::Request>(&*request);
    if (!q) return Error(ResponseCode::kSns);  // register, deregister, resolve, trace: not an end device's
    return std::visit([this](const auto& r) { return On(r); }, *q);
  }

 private:
  c1222::ServiceResponse On(const c1218::IdentifyRequest&) {
    c1218::IdentifyResponse r{3, 1, 0, {}};
    if (ctx_.eax_key) {
      c1218::IdentifyFeature f{c1218::FeatureCode::kSecurityMechanism, {}, 0, 0, {}};
      (void)c1222::PutUniversalId(f.id_element, c1222::C1222SecurityMechanism());
      r.features.push_back(std::move(f));
    }
    r.features.push_back({c1218::FeatureCode::kSessionControl, {}, 0x81, 0, {}});  // sessionless, 1 session
    const std::string& serial = ctx_.meter.serial;
    r.features.push_back({c1218::FeatureCode::kDeviceIdentity, {}, 0, 0, {serial.begin(), serial.end()}});
    return c1218::Response{std::move(r)};
  }
  c1222::ServiceResponse On(const c1218::LogonRequest& q) {
    C1222Session& s = ctx_.session;
    s = C1222Session{};
    s.logged_on = true;
    s.user_id = q.user_id;
    s.last_activity = model_.now();
    if (q.session_idle_timeout_s) {
      s.idle_timeout_s = *q.session_idle_timeout_s == 0 ? kDefaultIdleS : std::min<int>(*q.session_idle_timeout_s, kMaxIdleS);
    }
    access_ = C1222Access::kPublic;
    user_id_ = q.user_id;
    c1218::LogonResponse r;
    if (q.session_idle_timeout_s) r.session_idle_timeout_s = static_cast<uint16_t>(s.idle_timeout_s);
    return c1218::Response{r};
  }
  c1222::ServiceResponse On(const c1218::SecurityRequest& q) {
    const std::string_view given(reinterpret_cast<const char*>(q.password.data()), q.password.size());
    std::optional<uint16_t> id = q.user_id;
    if (!id && ctx_.session.logged_on) id = ctx_.session.user_id;
    const C1222User* match = nullptr;
    for (const C1222User& u : ctx_.users) {
      if ((!id || u.id == *id) && Trimmed(u.password) == Trimmed(given)) {
        match = &u;
        break;
      }
    }
    if (!match) return Error(ResponseCode::kErr);
    access_ = match->access;
    user_id_ = match->id;
    if (ctx_.session.logged_on) {
      ctx_.session.access = access_;
      ctx_.session.user_id = match->id;
    }
    return Ok();
  }
  c1222::ServiceResponse On(const c1218::LogoffRequest&) { return EndSession(); }
  c1222::ServiceResponse On(const c1218::TerminateRequest&) { return EndSession(); }
  c1222::ServiceResponse On(const c1218::DisconnectRequest&) { return EndSession(); }
  c1222::ServiceResponse On(const c1218::WaitRequest&) { return Ok(); }

  c1222::ServiceResponse On(const c1218::FullReadRequest& q) { return Read(q.table_id, 0, std::nullopt); }
  c1222::ServiceResponse On(const c1218::PartialReadOffsetRequest& q) { return Read(q.table_id, q.offset, q.count); }
  c1222::ServiceResponse On(const c1218::FullWriteRequest& q) { return Write(q.table_id, std::nullopt, q.data); }
  c1222::ServiceResponse On(const c1218::PartialWriteOffsetRequest& q) { return Write(q.table_id, q.offset, q.data); }
  template <class Other>
  c1222::ServiceResponse On(const Other&) {
    return Error(ResponseCode::kSns);
  }

  c1222::ServiceResponse EndSession() {
    ctx_.session = C1222Session{};
    access_ = C1222Access::kPublic;
    return Ok();
  }

  // The table id of the wire (bit 11 manufacturer, as c1219 numbers them); a pending table is onp.
  static std::optional<c1219::TableId> TableOf(uint16_t wire) {
    if (c1218::IsPendingTable(wire) || (wire & 0xE000) != 0) return std::nullopt;
    return static_cast<c1219::TableId>(wire & 0x0FFF);
  }

  c1222::ServiceResponse Read(uint16_t wire_id, uint32_t offset, std::optional<uint16_t> count) {
    auto id = TableOf(wire_id);
    if (!id) return Error(ResponseCode::kOnp);
    if (!ctx_.tables.Used(*id)) return Error(ResponseCode::kIar);
    if (access_ < C1222MeterTables::ReadAccess(*id)) return Error(ResponseCode::kIsc);
    auto bytes = count ? ctx_.tables.ReadRange(ctx_.meter, *id, offset, *count) : ctx_.tables.Read(ctx_.meter, *id);
    if (!bytes) return Error(CodeFor(bytes.error()));
    return c1218::Response{c1218::ReadResponse{std::move(*bytes)}};
  }

  c1222::ServiceResponse Write(uint16_t wire_id, std::optional<uint32_t> offset, const std::vector<uint8_t>& data) {
    auto id = TableOf(wire_id);
    if (!id) return Error(ResponseCode::kOnp);
    if (!ctx_.tables.Used(*id)) return Error(ResponseCode::kIar);
    if (!ctx_.tables.Writable(*id)) return Error(ResponseCode::kOnp);
    if (access_ < C1222MeterTables::WriteAccess(*id)) return Error(ResponseCode::kIsc);
    std::vector<uint8_t> table = data;
    if (offset) {  // overlay on the table as it is
      auto current = *id == c1219::kSt7 ? c1219::EncodeSt7(ctx_.meter.last_call, Ctx()) : ctx_.tables.Read(ctx_.meter, *id);
      if (!current) return Error(CodeFor(current.error()));
      if (*offset > current->size() || data.size() > current->size() - *offset) return Error(ResponseCode::kOnp);
      table = std::move(*current);
      std::copy(data.begin(), data.end(), table.begin() + static_cast<std::ptrdiff_t>(*offset));
    }
    if (*id == c1219::kSt7) return Call(table);
    if (auto r = ctx_.tables.Write(ctx_.meter, *id, table); !r) return Error(CodeFor(r.error()));
    model_.LogHistory(kEventTableWritten, user_id_, {static_cast<uint8_t>(*id & 0xFF), static_cast<uint8_t>(*id >> 8)});
    return Ok();
  }

  const c1219::TableContext& Ctx() const { return ctx_.tables.context(model_.phases()); }

  // A write of ST7: run the procedure, answer in ST8 as its selector asks.
  c1222::ServiceResponse Call(std::span<const uint8_t> bytes) {
    auto call = ctx_.tables.DecodeCall(model_.phases(), bytes);
    if (!call) return Error(ResponseCode::kErr);
    ctx_.meter.last_call = *call;
    std::vector<uint8_t> response;
    const auto result = Run(*call, response);
    const uint16_t number = static_cast<uint16_t>(call->procedure.number | (call->procedure.manufacturer ? 0x0800 : 0));
    model_.LogHistory(kEventProcedureInvoked, user_id_, {static_cast<uint8_t>(number & 0xFF), static_cast<uint8_t>(number >> 8)});
    const auto selector = static_cast<c1219::ResponseSelector>(call->selector);
    const bool post = selector == c1219::ResponseSelector::kOnCompletion ||
                      selector == c1219::ResponseSelector::kImmediateAndOnCompletion ||
                      (selector == c1219::ResponseSelector::kOnException && result != c1219::ProcedureResult::kCompleted);
    if (post) {
      response.resize(std::min<size_t>(response.size(), ctx_.tables.st0().max_resp_data_len));
      ctx_.meter.last_response = c1219::St8{call->procedure, call->selector, call->sequence_number,
                                            static_cast<uint8_t>(result), std::move(response)};
    }
    return Ok();
  }

  c1219::ProcedureResult Run(const c1219::St7& call, std::vector<uint8_t>& response) {
    using R = c1219::ProcedureResult;
    const c1219::ProcedureId id = call.procedure;
    const bool known = ctx_.tables.st0().ProcedureUsed(id);
    if (!known) return R::kUnrecognizedProcedure;
    if (access_ < C1222Access::kOperator) return R::kNoAuthorization;
    if (id == c1219::ProcedureId{9, false}) {  // remote reset: ACTION_FLAG bit 0 demand reset
      const uint8_t action = call.params.empty() ? 0 : call.params[0];
      if (action & ~uint8_t{0x01}) return R::kInvalidParameter;
      if (action & 0x01) model_.DemandReset(user_id_);
      return R::kCompleted;
    }
    if (id == c1219::ProcedureId{10, false}) return SetClock(call);
    if (id == c1219::ProcedureId{1, true}) {  // MP1 relay control
      auto p = c1219::DecodeProcedureData(Ctx(), id, false, call.params);
      if (!p) return R::kInvalidParameter;
      const c1219::Value* mask = p->Find("RELAY_MASK");
      const c1219::Value* action = p->Find("ACTION");
      if (!mask || !action || !model_.ControlRelays(static_cast<uint8_t>(mask->AsUint()), static_cast<uint8_t>(action->AsUint()), user_id_)) {
        return R::kInvalidParameter;
      }
      auto r = EncodeRelayResponse(model_, Ctx());
      if (r) response = std::move(*r);
      return R::kCompleted;
    }
    return R::kUnrecognizedProcedure;
  }

  // SP10: SET_MASK says which of the date and the time to take from DATE_TIME.
  c1219::ProcedureResult SetClock(const c1219::St7& call) {
    using R = c1219::ProcedureResult;
    auto p = c1219::DecodeProcedureData(Ctx(), {10, false}, false, call.params);
    if (!p) return R::kInvalidParameter;
    const c1219::Value* mask = p->Find("SET_MASK");
    const c1219::Value* when = p->Find("DATE_TIME");
    if (!mask || !when || !when->AsTime()) return R::kInvalidParameter;
    const bool set_time = mask->Find("SET_TIME_FLAG") && mask->Find("SET_TIME_FLAG")->AsBool();
    const bool set_date = mask->Find("SET_DATE_FLAG") && mask->Find("SET_DATE_FLAG")->AsBool();
    // DATE_TIME is on the clock the meter shows: local time on a local-time meter.
    const core::Seconds offset{model_.UtcOffsetSeconds()};
    c1219::TimeDate now = ToTimeDate(model_.MeterClock() + offset);
    const c1219::TimeDate& given = *when->AsTime();
    if (set_date) {
      now.year = given.year;
      now.month = given.month;
      now.day = given.day;
    }
    if (set_time) {
      now.hour = given.hour;
      now.minute = given.minute;
      now.second = given.second;
    }
    auto t = FromTimeDate(now);
    if (!t) return R::kInvalidParameter;
    if (set_date || set_time) model_.SetClock(*t - offset, user_id_);
    return R::kCompleted;
  }

  C1222ServiceContext& ctx_;
  C1222MeterModel& model_;
  C1222Access access_ = C1222Access::kPublic;
  uint16_t user_id_ = 0;
};

std::vector<uint8_t> Encoded(const c1222::ServiceResponse& r) {
  auto bytes = c1222::EncodeServiceResponse(r);
  if (bytes) return std::move(*bytes);
  return {static_cast<uint8_t>(ResponseCode::kErr)};  // a response we cannot encode is a bug: say err
}

}  // namespace

std::vector<C1222User> DefaultC1222Users() {
  return {{1, "reader", "reader", C1222Access::kReader},
          {2, "operator", "operator", C1222Access::kOperator},
          {3, "master", "master", C1222Access::kMaster}};
}

std::vector<std::vector<uint8_t>> HandleServices(C1222ServiceContext& ctx,
                                                 const std::vector<std::vector<uint8_t>>& services, bool* any_error) {
  Services s(ctx);
  std::vector<std::vector<uint8_t>> out;
  out.reserve(services.size());
  for (const auto& bytes : services) {
    out.push_back(Encoded(s.Handle(bytes)));
    if (any_error && !out.back().empty() && out.back()[0] != 0) *any_error = true;
  }
  if (ctx.session.logged_on) ctx.session.last_activity = ctx.meter.model.now();
  return out;
}

std::vector<std::vector<uint8_t>> ErrorServices(size_t count, ResponseCode code) {
  return std::vector<std::vector<uint8_t>>(std::max<size_t>(count, 1), {static_cast<uint8_t>(code)});
}

}  // namespace meterd::device
