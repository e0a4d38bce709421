// SPDX-License-Identifier: Apache-2.0
#include "headend/c1222_meter.h"

#include <fmt/format.h>

#include "headend/c1222_readings.h"

namespace meterd::headend {

namespace c19 = codec::c1219;
using core::Fail;
using core::Result;

namespace {

core::Error Named(const C1222Client& client, c19::TableId id, const core::Error& e) {
  core::Error out = e;
  if (out.message.find(client.Name()) == std::string::npos) {
    out.message = fmt::format("{}: {}: {}", client.Name(), c19::TableIdName(id), e.message);
  }
  return out;
}

// A clock that cannot be placed: the message names its table and field already.
core::Error ClockError(const C1222Client& client, const core::Error& e) {
  core::Error out = e;
  out.message = fmt::format("{}: {}", client.Name(), e.message);
  return out;
}

// Reads a configuration table, keeps its value in the context for the tables that refer to it,
// and decodes it typed.
template <class T, class Decode>
Result<T> ReadConfigTable(C1222Client& client, C1222MeterConfig& config, c19::TableId id, Decode decode) {
  auto bytes = client.Read(id);
  if (!bytes) return Fail(bytes.error());
  auto value = c19::DecodeTable(config.context, id, *bytes);
  if (!value) return Fail(Named(client, id, value.error()));
  config.context.Put(id, std::move(*value));
  auto typed = decode(std::span<const uint8_t>(*bytes), config.context);
  if (!typed) return Fail(Named(client, id, typed.error()));
  return std::move(*typed);
}

// The context that decodes one block of set 1 as if ST64 had one block.
c19::TableContext OneBlockContext(const C1222MeterConfig& config) {
  c19::TableContext ctx = config.context;
  c19::St61 one = *config.st61;
  one.sets[0]->nbr_blks = 1;
  ctx.Put(c19::kSt61, c19::ToValue(one));
  return ctx;
}

}  // namespace

Result<C1222MeterConfig> ReadMeterConfig(C1222Client& client, std::shared_ptr<const c19::Tdl> tdl) {
  C1222MeterConfig config{tdl, c19::TableContext(*tdl), {}, {}, {}, {}, {}, {}, {}, 0, {}, {}, {}};
  auto st0 = ReadConfigTable<c19::St0>(client, config, c19::kSt0, c19::DecodeSt0);
  if (!st0) return Fail(st0.error());
  config.st0 = std::move(*st0);
  if (config.Has(c19::kSt21)) {
    auto t = ReadConfigTable<c19::St21>(client, config, c19::kSt21, c19::DecodeSt21);
    if (!t) return Fail(t.error());
    config.st21 = std::move(*t);
  }
  if (config.Has(c19::kSt22)) {
    auto t = ReadConfigTable<c19::St22>(client, config, c19::kSt22, c19::DecodeSt22);
    if (!t) return Fail(t.error());
    config.st22 = std::move(*t);
  }
  if (config.Has(c19::kSt27) && config.Has(c19::kSt28)) {
    auto t = ReadConfigTable<c19::St27>(client, config, c19::kSt27, c19::DecodeSt27);
    if (!t) return Fail(t.error());
    config.st27 = std::move(*t);
  }
  if (config.Has(c19::kSt61) && config.Has(c19::kSt64)) {
    auto t = ReadConfigTable<c19::St61>(client, config, c19::kSt61, c19::DecodeSt61);
    if (!t) return Fail(t.error());
    config.st61 = std::move(*t);
    if (config.Has(c19::kSt62)) {
      auto c = ReadConfigTable<c19::St62>(client, config, c19::kSt62, c19::DecodeSt62);
      if (!c) return Fail(c.error());
      config.st62 = std::move(*c);
    }
    if (config.st61->sets[0] && config.st62 && config.st62->sets[0] && config.st61->sets[0]->nbr_blks > 0) {
      c19::TableContext one = OneBlockContext(config);
      auto empty = c19::DefaultTable(one, c19::kSt64);
      if (!empty) return Fail(Named(client, c19::kSt64, empty.error()));
      auto bytes = c19::EncodeTable(one, c19::kSt64, *empty);
      if (!bytes) return Fail(Named(client, c19::kSt64, bytes.error()));
      config.lp_block_size = bytes->size();
    }
  }
  if (config.Has(c19::kSt71) && config.Has(c19::kSt76)) {
    auto t = ReadConfigTable<c19::St71>(client, config, c19::kSt71, c19::DecodeSt71);
    if (!t) return Fail(t.error());
    config.st71 = std::move(*t);
  }
  if (config.Has(c19::kSt52)) {
    auto t = ReadConfigTable<c19::St52>(client, config, c19::kSt52, c19::DecodeSt52);
    if (!t) return Fail(t.error());
    config.st52 = std::move(*t);
    // A meter on local time: its offsets, which decode with ST51. Without them the clock fails
    // when times are needed (ConfiguredClock), not the configuration.
    if (!config.st52->qual.gmt && config.Has(c19::kSt51) && config.Has(c19::kSt53)) {
      auto st51 = ReadConfigTable<c19::St51>(client, config, c19::kSt51, c19::DecodeSt51);
      if (!st51) return Fail(st51.error());
      config.st51 = std::move(*st51);
      auto st53 = ReadConfigTable<c19::St53>(client, config, c19::kSt53, c19::DecodeSt53);
      if (!st53) return Fail(st53.error());
      config.st53 = std::move(*st53);
    }
  }
  return config;
}

Result<C1219Clock> ConfiguredClock(const C1222Client& client, const C1222MeterConfig& config) {
  auto clock = ClockOf(config.st52 ? &*config.st52 : nullptr, config.st53 ? &*config.st53 : nullptr);
  if (!clock) return Fail(ClockError(client, clock.error()));
  return *clock;
}

Result<C1219Clock> ReadClock(C1222Client& client, const C1222MeterConfig& config) {
  if (!config.st52 || config.st52->qual.gmt) return ConfiguredClock(client, config);
  auto b52 = client.Read(c19::kSt52);
  if (!b52) return Fail(b52.error());
  auto st52 = c19::DecodeSt52(*b52, config.context);
  if (!st52) return Fail(Named(client, c19::kSt52, st52.error()));
  std::optional<c19::St53> st53;
  if (!st52->qual.gmt && config.st51 && config.Has(c19::kSt53)) {
    auto b53 = client.Read(c19::kSt53);
    if (!b53) return Fail(b53.error());
    auto t = c19::DecodeSt53(*b53, config.context);
    if (!t) return Fail(Named(client, c19::kSt53, t.error()));
    st53 = std::move(*t);
  }
  auto clock = ClockOf(&*st52, st53 ? &*st53 : nullptr);
  if (!clock) return Fail(ClockError(client, clock.error()));
  return *clock;
}

Result<C1222RegisterRead> ReadRegisters(C1222Client& client, const C1222MeterConfig& config) {
  if (!config.st21 || !config.Has(c19::kSt23)) {
    return Fail(core::Error::Invalid(fmt::format("{}: has no ST21/ST23 registers", client.Name())));
  }
  C1222RegisterRead out;
  auto bytes = client.Read(c19::kSt23);
  if (!bytes) return Fail(bytes.error());
  auto st23 = c19::DecodeSt23(*bytes, config.context);
  if (!st23) return Fail(Named(client, c19::kSt23, st23.error()));
  out.st23 = std::move(*st23);
  if (config.st27) {
    auto b28 = client.Read(c19::kSt28);
    if (!b28) return Fail(b28.error());
    auto st28 = c19::DecodeSt28(*b28, config.context);
    if (!st28) return Fail(Named(client, c19::kSt28, st28.error()));
    out.st28 = std::move(*st28);
  }
  return out;
}

Result<C1222LoadProfile> ReadLoadProfile(C1222Client& client, const C1222MeterConfig& config,
                                         std::optional<core::Instant> since, const C1219Clock& clock) {
  if (config.lp_block_size == 0 || !config.Has(c19::kSt63)) {
    return Fail(core::Error::Invalid(fmt::format("{}: has no load profile set 1 (ST61-ST64)", client.Name())));
  }
  if (config.lp_block_size > 0xFFFF) {
    return Fail(core::Error::Invalid(fmt::format("{}: an ST64 block of {} bytes is too large to read in one piece",
                                                 client.Name(), config.lp_block_size)));
  }
  const c19::LpSetDims& dims = *config.st61->sets[0];
  C1222LoadProfile out;
  out.interval_minutes = dims.max_int_time_minutes;
  auto b63 = client.Read(c19::kSt63);
  if (!b63) return Fail(b63.error());
  auto st63 = c19::DecodeSt63(*b63, config.context);
  if (!st63) return Fail(Named(client, c19::kSt63, st63.error()));
  if (!st63->sets[0]) return Fail(core::Error::Invalid(fmt::format("{}: ST63 has no status of set 1", client.Name())));
  out.status = *st63->sets[0];
  const uint16_t valid = std::min(out.status.nbr_valid_blocks, dims.nbr_blks);
  if (valid == 0) return out;
  if (out.status.last_block_element >= dims.nbr_blks) {
    return Fail(core::Error::Invalid(fmt::format("{}: ST63 last block {} of {}", client.Name(),
                                                 out.status.last_block_element, dims.nbr_blks)));
  }
  const c19::TableContext one = OneBlockContext(config);
  auto read_block = [&](uint16_t element) -> Result<c19::LpBlock> {
    ++out.reads;
    auto bytes = client.ReadOffset(c19::kSt64, static_cast<uint32_t>(element * config.lp_block_size),
                                   static_cast<uint16_t>(config.lp_block_size));
    if (!bytes) return Fail(bytes.error());
    auto block = c19::DecodeSt64(*bytes, one);
    if (!block) return Fail(Named(client, c19::kSt64, block.error()));
    if (block->blocks.size() != 1) return Fail(core::Error::Internal("one ST64 block decoded as several"));
    return std::move(block->blocks.front());
  };
  auto newest = read_block(out.status.last_block_element);
  if (!newest) return Fail(newest.error());
  // How many older blocks reach back to `since`: each holds NBR_BLK_INTS intervals.
  size_t older = valid - 1u;
  if (since) {
    auto end = BlockEndInstant(*newest, out.status.nbr_valid_int, out.status.interval_descending, clock);
    if (!end) return Fail(core::Error::Invalid(fmt::format("{}: ST64 newest block: {}", client.Name(), end.error().message)));
    const int64_t len_s = int64_t{dims.max_int_time_minutes} * 60;
    const int64_t newest_start = core::ToUnixSeconds(*end) - int64_t{out.status.nbr_valid_int} * len_s;
    const int64_t block_s = int64_t{dims.nbr_blk_ints} * len_s;
    const int64_t missing = newest_start - core::ToUnixSeconds(*since);
    older = missing <= 0 || block_s <= 0 ? 0 : std::min<size_t>(older, static_cast<size_t>((missing + block_s - 1) / block_s));
  }
  // Blocks follow each other in a circle: ascending lists put the next older block before the
  // newest, descending ones after it.
  const int step = out.status.descending ? 1 : -1;
  std::vector<c19::LpBlock> blocks(older + 1);
  blocks.back() = std::move(*newest);
  for (size_t k = 1; k <= older; ++k) {
    const int64_t element = (int64_t{out.status.last_block_element} + step * static_cast<int64_t>(k)) % dims.nbr_blks;
    auto block = read_block(static_cast<uint16_t>((element + dims.nbr_blks) % dims.nbr_blks));
    if (!block) return Fail(block.error());
    blocks[older - k] = std::move(*block);
  }
  out.blocks = std::move(blocks);
  return out;
}

Result<c19::St76> ReadEventLog(C1222Client& client, const C1222MeterConfig& config) {
  if (!config.st71) return Fail(core::Error::Invalid(fmt::format("{}: has no event log (ST71/ST76)", client.Name())));
  auto bytes = client.Read(c19::kSt76);
  if (!bytes) return Fail(bytes.error());
  auto log = c19::DecodeSt76(*bytes, config.context);
  if (!log) return Fail(Named(client, c19::kSt76, log.error()));
  return std::move(*log);
}

}  // namespace meterd::headend
