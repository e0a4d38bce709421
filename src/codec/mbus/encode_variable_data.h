// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <vector>

#include "codec/mbus/dif.h"
#include "codec/mbus/record.h"
#include "codec/mbus/value.h"
#include "codec/mbus/variable_data.h"
#include "core/error.h"

// The variable data structure in the sending direction (EN 13757-3 §6), what a slave puts after
// CI 72h: the inverse of DecodeVariableData for mode 1 (least significant byte first). Used by
// the simulated meters (src/device/mbus_meter_sim.h); DecodeVariableData(EncodeVariableData(d))
// gives back d's values. Nothing here allocates beyond the output vector.
namespace meterd::codec::mbus {

// DIF and DIFEs for `coding`, `function`, storage number, tariff and subunit, with as few DIFEs
// as the fields need (none for storage 0 or 1, tariff 0 and subunit 0). Fails when a field needs
// more than the 10 DIFEs allow.
core::Result<std::vector<uint8_t>> EncodeDib(DataCoding coding, Function function, uint64_t storage_number,
                                             uint32_t tariff, uint16_t subunit);

// The data field of `value` in `coding`, appended to `out`:
// - Integer: two's complement of the coding's width (type B) or BCD (type A, a negative value
//   with F in the top nibble); fails when the value does not fit. kVariableLength: LVAR E0h+n
//   with the fewest bytes that hold it.
// - Real: its four bytes (kReal32 only). DateTime: type G, J, F or I for 16, 24, 32 or 48 bits.
// - Text (kVariableLength): LVAR then the characters last first. Bytes: as they are when their
//   length is the coding's; kVariableLength: LVAR E0h+n.
// - NoValue: nothing (kNone, kSelectionForReadout).
core::Result<void> EncodeDataField(DataCoding coding, const Value& value, std::vector<uint8_t>& out);

// One record: `record.dib` as sent when it is not empty, otherwise EncodeDib of the record's
// fields; `record.vib` as sent (it must not be empty: quantity, unit and exponent are not turned
// back into a VIF); then the data field. A kManufacturerData record is its DIF (`dib`, 0Fh when
// empty) and the bytes of its Bytes value.
core::Result<void> EncodeRecord(const Record& record, std::vector<uint8_t>& out);

// The header of `kind` (12 bytes long, 4 short, none), least significant byte first. The
// identification number is the header's 8 hex digits ("01234567").
core::Result<void> EncodeHeader(HeaderKind kind, const VariableDataHeader& header, std::vector<uint8_t>& out);

// Header, records and, when `data.more_records_follow` and the last record is not already
// manufacturer data, a final DIF 1Fh.
core::Result<std::vector<uint8_t>> EncodeVariableData(const VariableData& data);

// The CI field for `kind`: 72h, 7Ah or 78h.
uint8_t VariableDataCi(HeaderKind kind);

// A complete RSP_UD (long frame) from `address` carrying `data`; `control` is RSP_UD with the
// slave's ACD and DFC bits. Fails when the data do not fit 252 bytes.
core::Result<std::vector<uint8_t>> EncodeRspUd(uint8_t address, const VariableData& data, uint8_t control = 0x08);

}  // namespace meterd::codec::mbus
