// SPDX-License-Identifier: Apache-2.0
// Commands to a device that trusts the head-end's keys: only signed, fresh, unreplayed commands
// for this very device are carried out.
#include <gtest/gtest.h>

#include "device/acq_device.h"
#include "security/crypto.h"
#include "temp_dir.h"

namespace meterd::device {
namespace {

namespace acq = codec::acq;
const core::Instant kT0 = core::FromUnixSeconds(1795256100);  // 2026-11-21T10:15:00Z
const core::Instant kLater = kT0 + core::Seconds{86400};

class SignedCommands : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = *security::NewEd25519Key();
    b_ = *security::NewEd25519Key();
  }
  std::optional<AcqDevice> Open(std::map<std::string, std::string> keys, const std::string& id = "D000001") {
    AcqDeviceConfig c;
    c.id = id;
    c.meter = "W000001";
    c.state_dir = dir_.path() / id;
    c.trusted_keys = std::move(keys);
    auto d = AcqDevice::Open(c);
    EXPECT_TRUE(d) << d.error().ToString();
    if (!d) return std::nullopt;
    EXPECT_TRUE(d->Sample(kT0));
    EXPECT_TRUE(d->NextUplink(kT0));
    return std::move(*d);
  }
  static acq::DownlinkCommand Signed(const security::Ed25519Key& key, int64_t id, int64_t on,
                                     core::Instant expires = kLater, const std::string& device = "D000001") {
    acq::DownlinkCommand c{id, core::CommandType::kSetOutput, on, expires, {}, {}, {}};
    c.key_id = key.key_id;
    c.signature = *security::Ed25519Sign(key, acq::CommandSigningBytes(device, c));
    return c;
  }
  // Delivers the commands and returns the acks the device sends back.
  static std::vector<acq::CommandAck> Deliver(AcqDevice& d, std::vector<acq::DownlinkCommand> commands) {
    EXPECT_TRUE(d.OnDownlink(acq::EncodeDownlink({1, kT0, std::move(commands)}), kT0));
    auto body = d.NextUplink(kT0);
    EXPECT_TRUE(body);
    auto up = acq::DecodeUplink(body.value_or(""));
    EXPECT_TRUE(up);
    return up ? up->acks : std::vector<acq::CommandAck>{};
  }

  TempDir dir_;
  security::Ed25519Key a_, b_;
};

TEST_F(SignedCommands, ASignedCommandIsCarriedOut) {
  auto d = Open({{a_.key_id, a_.public_hex}});
  auto acks = Deliver(*d, {Signed(a_, 10, 1)});
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_TRUE(acks[0].ok) << acks[0].detail;
  EXPECT_TRUE(d->OutputOn());
}

TEST_F(SignedCommands, UnsignedAndForgedCommandsAreRefused) {
  auto d = Open({{a_.key_id, a_.public_hex}});
  acq::DownlinkCommand unsigned_cmd{11, core::CommandType::kSetOutput, 1, kLater, {}, {}, {}};
  acq::DownlinkCommand tampered = Signed(a_, 12, 0);
  tampered.argument = 1;  // signed "off", delivered "on"
  acq::DownlinkCommand wrong_key = Signed(b_, 13, 1);
  wrong_key.key_id = a_.key_id;  // claims key A, signed by B
  acq::DownlinkCommand other_device = Signed(a_, 14, 1, kLater, "D000002");
  acq::DownlinkCommand unknown_key = Signed(b_, 15, 1);
  auto acks = Deliver(*d, {unsigned_cmd, tampered, wrong_key, other_device, unknown_key});
  ASSERT_EQ(acks.size(), 5u);
  for (const auto& ack : acks) EXPECT_FALSE(ack.ok) << ack.id;
  EXPECT_NE(acks[0].detail.find("unsigned"), std::string::npos);
  EXPECT_NE(acks[1].detail.find("bad signature"), std::string::npos);
  EXPECT_NE(acks[2].detail.find("bad signature"), std::string::npos);
  EXPECT_NE(acks[3].detail.find("bad signature"), std::string::npos);
  EXPECT_NE(acks[4].detail.find("unknown signing key"), std::string::npos);
  EXPECT_FALSE(d->OutputOn());
}

TEST_F(SignedCommands, AForgeryDoesNotBlockTheGenuineCommandWithItsId) {
  auto d = Open({{a_.key_id, a_.public_hex}});
  acq::DownlinkCommand forged = Signed(b_, 20, 1);
  forged.key_id = a_.key_id;
  EXPECT_FALSE(Deliver(*d, {forged})[0].ok);
  EXPECT_TRUE(Deliver(*d, {Signed(a_, 20, 1)})[0].ok);
  EXPECT_TRUE(d->OutputOn());
}

TEST_F(SignedCommands, ReplayedAndExpiredCommandsAreRefused) {
  auto d = Open({{a_.key_id, a_.public_hex}});
  ASSERT_TRUE(Deliver(*d, {Signed(a_, 30, 1)})[0].ok);
  ASSERT_TRUE(Deliver(*d, {Signed(a_, 31, 0)})[0].ok);
  EXPECT_FALSE(d->OutputOn());
  // A captured, validly signed older command sent again does not switch the output back on.
  auto replay = Deliver(*d, {Signed(a_, 30, 1)});
  EXPECT_FALSE(d->OutputOn());
  EXPECT_EQ(replay[0].detail, "already handled");
  auto older = Deliver(*d, {Signed(a_, 25, 1)});
  EXPECT_FALSE(older[0].ok);
  EXPECT_NE(older[0].detail.find("replay refused"), std::string::npos);
  auto expired = Deliver(*d, {Signed(a_, 40, 1, kT0 - core::Seconds{1})});
  EXPECT_FALSE(expired[0].ok);
  EXPECT_NE(expired[0].detail.find("expired"), std::string::npos);
  EXPECT_FALSE(d->OutputOn());
}

TEST_F(SignedCommands, RotationTrustsTheNewKeyAlongsideTheOld) {
  auto both = Open({{a_.key_id, a_.public_hex}, {b_.key_id, b_.public_hex}});
  EXPECT_TRUE(Deliver(*both, {Signed(a_, 50, 1)})[0].ok);
  EXPECT_TRUE(Deliver(*both, {Signed(b_, 51, 0)})[0].ok);
  auto old_only = Open({{a_.key_id, a_.public_hex}}, "D000009");
  EXPECT_FALSE(Deliver(*old_only, {Signed(b_, 52, 1, kLater, "D000009")})[0].ok);
}

TEST(Ed25519, SignsAndVerifiesAndRejectsTampering) {
  auto key = security::NewEd25519Key();
  ASSERT_TRUE(key);
  EXPECT_EQ(key->key_id.size(), 16u);
  auto again = security::Ed25519KeyFromPrivate(key->private_hex);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->public_hex, key->public_hex);
  auto sig = security::Ed25519Sign(*key, "message");
  ASSERT_TRUE(sig);
  EXPECT_TRUE(security::Ed25519Verify(key->public_hex, "message", *sig));
  EXPECT_FALSE(security::Ed25519Verify(key->public_hex, "messagE", *sig));
  std::string bad = *sig;
  bad[0] = bad[0] == '0' ? '1' : '0';
  EXPECT_FALSE(security::Ed25519Verify(key->public_hex, "message", bad));
  EXPECT_FALSE(security::Ed25519Verify(key->public_hex, "message", "zz"));
  EXPECT_FALSE(security::Ed25519KeyFromPrivate("not hex"));
}

}  // namespace
}  // namespace meterd::device
