// SPDX-License-Identifier: Apache-2.0
// Replies are libmodbus's (modbus_reply on the meter's modbus_mapping_t, modbus_reply_exception).
// Requests are framed here, and checked in the order of the server state diagram of Modbus
// Application Protocol v1.1b3 §6.3/§6.4 (function, then quantity, then address), so no request
// ever reaches modbus_reply's own exception path, which sleeps for the response timeout and
// flushes the socket.
#include "device/modbus_meter_sim.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <modbus.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <mutex>
#include <span>
#include <thread>
#include <unordered_map>

#include "codec/modbus/adu.h"
#include "device/load_profile.h"

namespace meterd::device {

namespace modbus = codec::modbus;
using core::Error;
using core::Fail;
using core::Quantity;
using core::Result;
using modbus::EnergyChannel;
using modbus::Phase;

namespace {

uint64_t Mix(uint64_t x) {  // splitmix64
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
double Unit01(uint64_t a, uint64_t b, uint64_t c) {  // in [0, 1), a pure function of its inputs
  return static_cast<double>(Mix(Mix(Mix(a) ^ b) ^ c) >> 11) * 0x1.0p-53;
}

// A quantity from a measured double, at micro-unit precision (the register rounds it further).
Quantity Measured(double x, core::Unit unit) { return Quantity{std::llround(x * 1e6), -6, unit}; }

// The electrical state of one meter.
struct MeterModel {
  ModbusSimMeter spec;
  int phases = 3;
  std::vector<LoadProfile> profiles;  // one per phase
  std::array<int64_t, 3> import_mwh{}, export_mwh{}, import_mvarh{}, export_mvarh{};
  std::array<double, 3> reactive_carry{};
  std::array<double, 3> v{}, i{}, p{}, q{}, s{}, pf{};
  double frequency = 50;
  modbus_mapping_t* mapping = nullptr;
  int listener = 0;

  MeterModel(ModbusSimMeter meter) : spec(std::move(meter)) {
    bool three = std::any_of(spec.map->registers.begin(), spec.map->registers.end(),
                             [](const auto& r) { return r.phase == Phase::kL2 || r.phase == Phase::kL3; });
    phases = three ? 3 : 1;
    for (int ph = 0; ph < phases; ++ph) profiles.emplace_back(core::Medium::kElectricity, spec.seed * 4 + ph);
    // A meter that has been in service a while: 1,000..20,000 kWh imported, a little exported.
    for (int ph = 0; ph < phases; ++ph) {
      import_mwh[ph] = static_cast<int64_t>(1e9 * (1 + 19 * Unit01(spec.seed, ph, 1))) / phases;
      export_mwh[ph] = static_cast<int64_t>(5e7 * Unit01(spec.seed, ph, 2));
      import_mvarh[ph] = import_mwh[ph] / 5;
      export_mvarh[ph] = export_mwh[ph] / 10;
    }
  }
  ~MeterModel() {
    if (mapping) modbus_mapping_free(mapping);
  }
  MeterModel(MeterModel&&) = delete;

  // Integrates [from, to) and sets the instantaneous values at `to`.
  void Advance(core::Instant from, core::Instant to) {
    const int64_t now = core::ToUnixSeconds(to);
    for (int ph = 0; ph < phases; ++ph) {
      pf[ph] = 0.90 + 0.10 * Unit01(spec.seed, ph, static_cast<uint64_t>(now / 900) * 8 + 3);
      if (to > from) {
        int64_t mwh = static_cast<int64_t>(profiles[ph].Pulses(from, to, Quantity{1, -3, core::Unit::kWh}));
        import_mwh[ph] += mwh;
        double varh = static_cast<double>(mwh) * std::sqrt(1 / (pf[ph] * pf[ph]) - 1) + reactive_carry[ph];
        double whole = std::floor(varh);
        reactive_carry[ph] = varh - whole;
        import_mvarh[ph] += static_cast<int64_t>(whole);
      }
      p[ph] = profiles[ph].Consumption(to, to + core::Seconds{1}) * 3600;  // Wh in one second -> W
      v[ph] = 230 + 4 * (Unit01(spec.seed, ph, static_cast<uint64_t>(now / 10) * 8 + 4) - 0.5);
      s[ph] = p[ph] / pf[ph];
      i[ph] = s[ph] / v[ph];
      q[ph] = std::sqrt(std::max(0.0, s[ph] * s[ph] - p[ph] * p[ph]));
    }
    frequency = 50 + 0.1 * (Unit01(spec.seed, 7, static_cast<uint64_t>(now / 10)) - 0.5);
  }

  // Sum over the phases `phase` selects.
  template <class T>
  T Over(const std::array<T, 3>& per_phase, Phase phase) const {
    if (phase != Phase::kTotal) {
      int ph = static_cast<int>(phase) - 1;
      return ph < phases ? per_phase[ph] : T{};
    }
    T sum{};
    for (int ph = 0; ph < phases; ++ph) sum += per_phase[ph];
    return sum;
  }

  int64_t EnergyMilli(EnergyChannel channel, Phase phase) const {
    switch (channel) {
      case EnergyChannel::kImportActive: return Over(import_mwh, phase);
      case EnergyChannel::kExportActive: return Over(export_mwh, phase);
      case EnergyChannel::kTotalActive: return Over(import_mwh, phase) + Over(export_mwh, phase);
      case EnergyChannel::kNetActive: return Over(import_mwh, phase) - Over(export_mwh, phase);
      case EnergyChannel::kImportReactive: return Over(import_mvarh, phase);
      case EnergyChannel::kExportReactive: return Over(export_mvarh, phase);
      case EnergyChannel::kTotalReactive: return Over(import_mvarh, phase) + Over(export_mvarh, phase);
      case EnergyChannel::kNetReactive: return Over(import_mvarh, phase) - Over(export_mvarh, phase);
      case EnergyChannel::kNone: break;
    }
    return 0;
  }

  // What the register `def` shows.
  Quantity ValueOf(const modbus::RegisterDef& def) const {
    using core::Unit;
    const Phase ph = def.phase;
    switch (def.unit) {
      case Unit::kV: return Measured(ph == Phase::kTotal ? Over(v, ph) / phases : Over(v, ph), Unit::kV);
      case Unit::kA: return Measured(Over(i, ph), Unit::kA);
      case Unit::kW: return Measured(Over(p, ph), Unit::kW);
      case Unit::kVar: return Measured(Over(q, ph), Unit::kVar);
      case Unit::kVA: return Measured(Over(s, ph), Unit::kVA);
      case Unit::kPF: {
        double apparent = Over(s, ph);
        return Measured(apparent > 0 ? Over(p, ph) / apparent : 1.0, Unit::kPF);
      }
      case Unit::kHz: return Measured(frequency, Unit::kHz);
      case Unit::kWh:
      case Unit::kVarh: return Quantity{EnergyMilli(def.channel, ph), -3, def.unit};
      default: return Quantity{0, 0, def.unit};
    }
  }

  // Writes every register of the map into the mapping. Returns the entries that did not fit.
  int Publish() {
    int failures = 0;
    for (const auto& def : spec.map->registers) {
      bool input = def.function == modbus::FunctionCode::kReadInputRegisters;
      uint16_t* table = input ? mapping->tab_input_registers : mapping->tab_registers;
      int start = input ? mapping->start_input_registers : mapping->start_registers;
      std::span<uint16_t> out(table + (def.address - start), def.words());
      bool energy = def.channel != EnergyChannel::kNone;
      if (!modbus::EncodeRegister(def, ValueOf(def), out,
                                  energy ? modbus::Rounding::kTowardZero : modbus::Rounding::kNearest)) {
        std::fill(out.begin(), out.end(), uint16_t{0});
        ++failures;
      }
    }
    return failures;
  }
};

struct Connection {
  size_t listener = 0;
  std::vector<uint8_t> buffer;  // received, not yet answered
};

struct Listener {
  int fd = -1;
  uint16_t port = 0;
  bool gateway = false;
  std::array<int, 256> meter_of_unit;  // -1: none
};

// A listening socket made by libmodbus on host:port (0: ephemeral), non-blocking, and its port.
Result<std::pair<int, uint16_t>> Listen(const std::string& host, uint16_t port) {
  modbus_t* ctx = modbus_new_tcp(host.c_str(), port);
  if (!ctx) return Fail(Error::Invalid(fmt::format("{}:{}: {}", host, port, modbus_strerror(errno)), "host"));
  int fd = modbus_tcp_listen(ctx, 128);
  int err = errno;
  modbus_free(ctx);  // frees the context only; the socket stays ours
  if (fd == -1) return Fail(Error::Internal(fmt::format("listen on {}:{}: {}", host, port, modbus_strerror(err))));
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return std::pair{fd, ntohs(addr.sin_port)};
}

uint16_t Be16(const uint8_t* b) { return static_cast<uint16_t>(b[0] << 8 | b[1]); }

}  // namespace

struct ModbusMeterSim::Impl {
  Options options;
  std::vector<std::unique_ptr<MeterModel>> meters;
  std::vector<Listener> listeners;
  modbus_t* server = nullptr;  // builds and sends replies; its socket is set per request
  int epoll_fd = -1;
  int wake_fd = -1;
  std::thread loop;
  std::atomic<bool> stopping{false};

  mutable std::mutex mu;
  core::Instant now;  // GUARDED_BY(mu)
  std::atomic<uint64_t> requests{0}, exceptions{0}, connections{0};

  ~Impl() {
    Shutdown();
    if (epoll_fd >= 0) close(epoll_fd);
    if (wake_fd >= 0) close(wake_fd);
    if (server) modbus_free(server);
  }

  // Stops the loop (which closes the connections), then closes the listening sockets.
  void Shutdown() {
    if (loop.joinable()) {
      stopping = true;
      uint64_t one = 1;
      (void)!write(wake_fd, &one, sizeof one);
      loop.join();
    }
    for (auto& l : listeners) {
      if (l.fd >= 0) close(l.fd);
      l.fd = -1;
    }
  }

  void AdvanceLocked(core::Instant t) {
    if (t <= now) return;
    for (auto& m : meters) {
      m->Advance(now, t);
      m->Publish();
    }
    now = t;
  }

  // Reads what `fd` has sent and answers every whole request in it. Framing is ours (non-blocking,
  // by the MBAP length): libmodbus's modbus_receive waits in select(), which cannot take a socket
  // numbered 1024 or above, and would stall the loop on a half-sent request.
  void Serve(int fd, Connection& conn) {
    uint8_t chunk[4096];
    for (int reads = 0; reads < 16;) {  // at most 64 KiB per wake-up: epoll comes back for the rest
      ssize_t n = recv(fd, chunk, sizeof chunk, 0);
      if (n > 0) {
        conn.buffer.insert(conn.buffer.end(), chunk, chunk + n);
        ++reads;
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return Drop(fd);
      if (errno != EINTR) break;
    }
    size_t used = 0;
    while (conn.buffer.size() - used >= modbus::kMbapSize) {
      std::span<const uint8_t> rest(conn.buffer.data() + used, conn.buffer.size() - used);
      auto header = modbus::DecodeMbapHeader(rest);
      if (!header) return Drop(fd);  // not Modbus TCP: no way to find the next request
      size_t size = modbus::AduSize(*header);
      if (rest.size() < size) break;
      if (!Answer(fd, conn, rest.subspan(0, size))) return Drop(fd);
      used += size;
    }
    conn.buffer.erase(conn.buffer.begin(), conn.buffer.begin() + static_cast<std::ptrdiff_t>(used));
  }

  // One request (a whole ADU with a valid MBAP header). False if the answer could not be sent.
  bool Answer(int fd, const Connection& conn, std::span<const uint8_t> adu) {
    modbus_set_socket(server, fd);
    const uint8_t* req = adu.data();
    auto exception = [&](int code) {
      ++exceptions;
      return modbus_reply_exception(server, req, static_cast<unsigned>(code)) != -1;
    };
    uint8_t function = adu.size() > 7 ? req[7] : 0;
    if (function != 0x03 && function != 0x04) return exception(MODBUS_EXCEPTION_ILLEGAL_FUNCTION);
    uint16_t count = adu.size() == 12 ? Be16(req + 10) : 0;
    if (count < 1 || count > modbus::kMaxReadCount) return exception(MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE);
    int meter = listeners[conn.listener].meter_of_unit[req[6]];
    if (meter < 0) return exception(MODBUS_EXCEPTION_GATEWAY_TARGET);
    std::lock_guard lock(mu);
    const modbus_mapping_t* map = meters[meter]->mapping;
    int start = function == 0x04 ? map->start_input_registers : map->start_registers;
    int size = function == 0x04 ? map->nb_input_registers : map->nb_registers;
    int address = Be16(req + 8);
    if (address < start || address + count > start + size) return exception(MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
    ++requests;
    return modbus_reply(server, req, static_cast<int>(adu.size()), meters[meter]->mapping) != -1;
  }

  void Drop(int fd) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, nullptr);
    close(fd);
    connections_by_fd.erase(fd);
  }

  void Accept(size_t l) {
    for (;;) {
      int fd = accept4(listeners[l].fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
      if (fd == -1) return;  // EAGAIN: none left (or an aborted connection)
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.u64 = (uint64_t{2} << 32) | static_cast<uint32_t>(fd);
      epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev);
      connections_by_fd[fd] = Connection{l, {}};
      ++connections;
    }
  }

  void Run() {
    std::array<epoll_event, 256> events;
    auto next_tick = std::chrono::steady_clock::now();
    while (!stopping) {
      int timeout = -1;
      if (options.tick.count() > 0) {
        auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_tick - std::chrono::steady_clock::now());
        timeout = static_cast<int>(std::max<int64_t>(0, wait.count()));
      }
      int n = epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), timeout);
      if (n < 0 && errno != EINTR) break;
      for (int k = 0; k < n; ++k) {
        uint64_t tag = events[k].data.u64;
        uint32_t kind = static_cast<uint32_t>(tag >> 32), id = static_cast<uint32_t>(tag);
        if (kind == 0) continue;  // woken to stop
        if (kind == 1) {
          Accept(id);
          continue;
        }
        int fd = static_cast<int>(id);
        auto it = connections_by_fd.find(fd);
        if (it != connections_by_fd.end()) Serve(fd, it->second);
      }
      if (options.tick.count() > 0 && std::chrono::steady_clock::now() >= next_tick) {
        std::lock_guard lock(mu);
        AdvanceLocked(std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
        next_tick = std::chrono::steady_clock::now() + options.tick;
      }
    }
    for (auto& [fd, c] : connections_by_fd) close(fd);
    connections_by_fd.clear();
  }

  std::unordered_map<int, Connection> connections_by_fd;  // only touched by the loop thread
};

ModbusMeterSim::ModbusMeterSim(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ModbusMeterSim::~ModbusMeterSim() { Stop(); }

void ModbusMeterSim::Stop() {
  if (impl_) impl_->Shutdown();
}

Result<std::unique_ptr<ModbusMeterSim>> ModbusMeterSim::Start(Options options, std::vector<ModbusSimMeter> meters) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  const bool gateway = options.layout == Layout::kGateway;
  std::array<bool, 256> unit_used{};
  for (size_t k = 0; k < meters.size(); ++k) {
    const auto& m = meters[k];
    if (!m.map || m.map->registers.empty()) {
      return Fail(Error::Invalid(fmt::format("meter {} ('{}') has no register map", k, m.name), "map"));
    }
    if (m.unit_id < 1 || m.unit_id > 247) {
      return Fail(Error::Invalid(fmt::format("meter '{}': unit id {} is outside 1..247", m.name, m.unit_id), "unit_id"));
    }
    if (gateway && unit_used[m.unit_id]) {
      return Fail(Error::Invalid(fmt::format("meter '{}': unit id {} is taken", m.name, m.unit_id), "unit_id"));
    }
    unit_used[m.unit_id] = true;
  }
  if (!gateway && options.base_port != 0 && options.base_port + meters.size() > 65536) {
    return Fail(Error::Invalid("not enough ports above base_port", "base_port"));
  }
  for (auto& spec : meters) {
    auto model = std::make_unique<MeterModel>(std::move(spec));
    // One table range per function: from the lowest entry to the end of the highest.
    int lo[2] = {0x10000, 0x10000}, hi[2] = {0, 0};
    for (const auto& r : model->spec.map->registers) {
      int f = r.function == modbus::FunctionCode::kReadInputRegisters;
      lo[f] = std::min(lo[f], int{r.address});
      hi[f] = std::max(hi[f], r.end());
    }
    for (int f : {0, 1}) lo[f] = std::min(lo[f], hi[f]);
    model->mapping = modbus_mapping_new_start_address(0, 0, 0, 0, static_cast<unsigned>(lo[0]),
                                                      static_cast<unsigned>(hi[0] - lo[0]), static_cast<unsigned>(lo[1]),
                                                      static_cast<unsigned>(hi[1] - lo[1]));
    if (!model->mapping) return Fail(Error::Internal(fmt::format("'{}': out of memory", model->spec.name)));
    impl->meters.push_back(std::move(model));
  }

  size_t listener_count = gateway ? 1 : impl->meters.size();
  for (size_t l = 0; l < listener_count; ++l) {
    uint16_t port = options.base_port == 0 ? 0 : static_cast<uint16_t>(options.base_port + (gateway ? 0 : l));
    auto bound = Listen(options.host, port);
    if (!bound) return Fail(bound.error());  // ~Impl closes the listeners made so far
    Listener listener{bound->first, bound->second, gateway, {}};
    listener.meter_of_unit.fill(gateway ? -1 : static_cast<int>(l));
    impl->listeners.push_back(listener);
  }
  if (gateway) {
    for (size_t k = 0; k < impl->meters.size(); ++k) {
      impl->listeners[0].meter_of_unit[impl->meters[k]->spec.unit_id] = static_cast<int>(k);
      impl->meters[k]->listener = 0;
    }
  } else {
    for (size_t k = 0; k < impl->meters.size(); ++k) impl->meters[k]->listener = static_cast<int>(k);
  }

  impl->server = modbus_new_tcp(options.host.c_str(), 0);
  impl->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  impl->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (!impl->server || impl->epoll_fd < 0 || impl->wake_fd < 0) {
    return Fail(Error::Internal(fmt::format("modbus simulator: {}", std::strerror(errno))));
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = 0;
  epoll_ctl(impl->epoll_fd, EPOLL_CTL_ADD, impl->wake_fd, &ev);
  for (size_t l = 0; l < impl->listeners.size(); ++l) {
    ev.data.u64 = (uint64_t{1} << 32) | l;
    epoll_ctl(impl->epoll_fd, EPOLL_CTL_ADD, impl->listeners[l].fd, &ev);
  }

  // Registers hold the starting state before anyone can read them.
  impl->now = options.start;
  for (auto& m : impl->meters) {
    m->Advance(options.start, options.start);
    m->Publish();
  }
  Impl* raw = impl.get();
  impl->loop = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<ModbusMeterSim>(new ModbusMeterSim(std::move(impl)));
}

size_t ModbusMeterSim::size() const { return impl_->meters.size(); }

uint16_t ModbusMeterSim::Port(size_t meter) const { return impl_->listeners[impl_->meters.at(meter)->listener].port; }

uint8_t ModbusMeterSim::UnitId(size_t meter) const { return impl_->meters.at(meter)->spec.unit_id; }

void ModbusMeterSim::AdvanceTo(core::Instant t) {
  std::lock_guard lock(impl_->mu);
  impl_->AdvanceLocked(t);
}

core::Instant ModbusMeterSim::Now() const {
  std::lock_guard lock(impl_->mu);
  return impl_->now;
}

Result<std::vector<modbus::NamedValue>> ModbusMeterSim::Published(size_t meter) const {
  std::lock_guard lock(impl_->mu);
  const MeterModel& m = *impl_->meters.at(meter);
  std::vector<modbus::NamedValue> out;
  for (const auto& def : m.spec.map->registers) {
    bool input = def.function == modbus::FunctionCode::kReadInputRegisters;
    const uint16_t* table = input ? m.mapping->tab_input_registers : m.mapping->tab_registers;
    int start = input ? m.mapping->start_input_registers : m.mapping->start_registers;
    auto q = modbus::DecodeRegister(def, std::span(table + (def.address - start), def.words()));
    if (!q) return Fail(q.error());
    out.push_back({def.name, *q});
  }
  return out;
}

Quantity ModbusMeterSim::Energy(size_t meter, EnergyChannel channel, Phase phase) const {
  std::lock_guard lock(impl_->mu);
  bool reactive = channel == EnergyChannel::kImportReactive || channel == EnergyChannel::kExportReactive ||
                  channel == EnergyChannel::kTotalReactive || channel == EnergyChannel::kNetReactive;
  return Quantity{impl_->meters.at(meter)->EnergyMilli(channel, phase), -3,
                  reactive ? core::Unit::kVarh : core::Unit::kWh};
}

ModbusMeterSim::Counters ModbusMeterSim::counters() const {
  return {impl_->requests.load(), impl_->exceptions.load(), impl_->connections.load()};
}

}  // namespace meterd::device
