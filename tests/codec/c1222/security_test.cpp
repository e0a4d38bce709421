// SPDX-License-Identifier: Apache-2.0
// EAX' against the standard's Example 8 (NOTES.md §3a, Wireshark c1222_std_example8.pcap), byte
// for byte both ways, and authentication-only round trips.
#include <gtest/gtest.h>

#include "../c1218/hex.h"
#include "codec/c1222/eax_prime.h"
#include "codec/c1222/security.h"
#include "codec/c1222/service.h"

namespace meterd::codec::c1222 {
namespace {

using testing::Hex;
using testing::ToHex;

const char kRequest[] =
    "604fa20580037bc175a60480027b04a803020103ac0fa20da00ba109800102810448f3d061be2a282881268841d10cda76206811b36f"
    "781489a11997773e117cb07aa3aa40374a7107c50da7f799c5d4e8";
const char kResponse[] =
    "6048a20480027b04a403020103a60580037bc175a803020103ac0fa20da00ba109800102810448f3d060be1e281c811a884baee43496"
    "31ab5e56a0e6e0e90dfad558591ee4ea334cb268";

KeyTable Example8Keys() {
  KeyTable keys;
  keys.Set(2, {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08});
  return keys;
}

TEST(c1222EaxPrime, CanonifiedHeaderOfExample8) {
  auto header = CanonifiedHeader(Hex(kRequest));
  ASSERT_TRUE(header) << header.error().ToString();
  EXPECT_EQ(ToHex(*header),
            "a20d060b607c86f7540116007bc175a803020103ac0fa20da00ba109800102810448f3d061be2a2828812688a60c060a607c86f7"
            "540116007b040248f3d061");
}

TEST(c1222EaxPrime, DecryptsExample8Request) {
  auto cleartext = OpenEpsem(Hex(kRequest), Example8Keys());
  ASSERT_TRUE(cleartext) << cleartext.error().ToString();
  EXPECT_EQ(ToHex(*cleartext), "88" "17" "51" "50415353574f5244202020202020202020202020" "0002" "08" "3f" "0001"
                               "000010" "0010");
  auto message = OpenMessage(Hex(kRequest), Example8Keys());
  ASSERT_TRUE(message);
  ASSERT_EQ(message->epsem.services.size(), 2u);
  EXPECT_EQ(message->epsem.security_mode, SecurityMode::kCiphertextAuthenticated);
  auto security = DecodeServiceRequest(message->epsem.services[0]);
  ASSERT_TRUE(security);
  EXPECT_EQ(*security, ServiceRequest(c1218::Request(c1218::SecurityRequest{c1218::PadPassword("PASSWORD", 0x20), 2})));
  auto read = DecodeServiceRequest(message->epsem.services[1]);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, ServiceRequest(c1218::Request(c1218::PartialReadOffsetRequest{1, 16, 16})));
}

TEST(c1222EaxPrime, DecryptsExample8Response) {
  auto cleartext = OpenEpsem(Hex(kResponse), Example8Keys());
  ASSERT_TRUE(cleartext) << cleartext.error().ToString();
  // Wireshark's regression test greps exactly 00104d414e55464143545552455220534e2092.
  EXPECT_EQ(ToHex(*cleartext), "88" "14" "00" "00104d414e55464143545552455220534e2092");
  auto message = OpenMessage(Hex(kResponse), Example8Keys());
  ASSERT_TRUE(message);
  auto read = DecodeServiceResponse(RequestCode::kPartialReadOffset, message->epsem.services[0]);
  ASSERT_TRUE(read);
  EXPECT_EQ(*read, ServiceResponse(c1218::Response(c1218::ReadResponse{Hex("4d414e55464143545552455220534e20")})));
}

TEST(c1222EaxPrime, SealReproducesExample8ByteForByte) {
  for (const char* hex : {kRequest, kResponse}) {
    const auto original = Hex(hex);
    auto message = OpenMessage(original, Example8Keys());
    ASSERT_TRUE(message);
    auto cleartext = EncodeEpsem(message->epsem);
    ASSERT_TRUE(cleartext);
    auto sealed = SealApdu(message->apdu, *cleartext, Example8Keys());
    ASSERT_TRUE(sealed) << sealed.error().ToString();
    EXPECT_EQ(ToHex(*sealed), hex);
  }
}

TEST(c1222EaxPrime, RejectsTamperingAndUnknownKeys) {
  auto tampered = Hex(kRequest);
  tampered[60] ^= 0x01;  // a ciphertext byte
  auto opened = OpenEpsem(tampered, Example8Keys());
  ASSERT_FALSE(opened);
  EXPECT_EQ(opened.error().code, core::ErrorCode::kUnauthenticated);
  EXPECT_EQ(opened.error().field, "offset 77");
  EXPECT_EQ(opened.error().message, "c1222: byte 77: MAC 99c5d4e8 does not authenticate the message with key 2");

  auto header_changed = Hex(kRequest);
  header_changed[19] ^= 0x01;  // calling-AP-invocation-id 3 -> 2 changes the nonce
  EXPECT_FALSE(OpenEpsem(header_changed, Example8Keys()));

  KeyTable empty;
  auto unknown = OpenEpsem(Hex(kRequest), empty);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, core::ErrorCode::kNotFound);

  KeyTable wrong;
  wrong.Set(2, AesKey{});
  EXPECT_FALSE(OpenEpsem(Hex(kRequest), wrong));
}

TEST(c1222EaxPrime, AuthenticationOnlyRoundTrip) {
  Apdu apdu;
  apdu.called_ap_title = *ParseApTitle(".123.8437");
  apdu.calling_ap_title = *ParseApTitle(".123.4");
  apdu.calling_ap_invocation_id = 9;
  apdu.calling_authentication_value = AuthenticationValue{2, Hex("00000001"), {}};
  Epsem epsem;
  epsem.security_mode = SecurityMode::kCleartextAuthenticated;
  epsem.services = {Hex("30 0001")};
  auto cleartext = EncodeEpsem(epsem);
  ASSERT_TRUE(cleartext);
  auto sealed = SealApdu(apdu, *cleartext, Example8Keys());
  ASSERT_TRUE(sealed) << sealed.error().ToString();
  // The services stay readable on the wire, followed by the MAC.
  auto decoded = DecodeApdu(*sealed);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(decoded->user_information.size(), cleartext->size() + 4);
  EXPECT_TRUE(std::equal(cleartext->begin(), cleartext->end(), decoded->user_information.begin()));
  auto message = OpenMessage(*sealed, Example8Keys());
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->epsem, epsem);
  auto forged = *sealed;
  forged[forged.size() - 6] ^= 0x01;  // a cleartext byte of the service
  auto rejected = OpenEpsem(forged, Example8Keys());
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.error().code, core::ErrorCode::kUnauthenticated);
}

TEST(c1222EaxPrime, CiphertextRoundTripWithEdClassAndAbsoluteTitles) {
  Apdu apdu;
  apdu.called_ap_title = *ParseApTitle("1.3.6.1.4.1.33507.1919.12345678.0");
  apdu.calling_ap_title = *ParseApTitle("1.3.6.1.4.1.33507");
  apdu.calling_ap_invocation_id = 333976609;
  apdu.calling_ae_qualifier = kAeQualifierUrgent;
  apdu.calling_authentication_value = AuthenticationValue{std::nullopt, Hex("deadbeef"), {}};
  KeyTable keys;
  keys.Set(0, AesKey{0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6, 0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c});
  Epsem epsem;
  epsem.security_mode = SecurityMode::kCiphertextAuthenticated;
  epsem.ed_class = std::array<uint8_t, 4>{'E', 'L', 'S', 'T'};
  epsem.services = {Hex("20"), std::vector<uint8_t>(40, 0x55)};  // several blocks
  auto cleartext = EncodeEpsem(epsem);
  ASSERT_TRUE(cleartext);
  auto sealed = SealApdu(apdu, *cleartext, keys);
  ASSERT_TRUE(sealed);
  auto message = OpenMessage(*sealed, keys);
  ASSERT_TRUE(message) << message.error().ToString();
  EXPECT_EQ(message->epsem, epsem);
}

TEST(c1222EaxPrime, DoublingCarriesUpwardThroughTheBytes) {
  EaxPrime::Block in{};
  in[0] = 0x80;
  in[15] = 0x80;
  auto out = EaxPrime::Dbl(in);
  EXPECT_EQ(out[0], 0x87);  // byte 15's top bit falls out
  EXPECT_EQ(out[1], 0x01);  // byte 0's top bit carries into byte 1
  EXPECT_EQ(out[15], 0x00);
}

}  // namespace
}  // namespace meterd::codec::c1222
