//===- NpyTest.cpp - .npy and .npz readers on valid and hostile files -----===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// Round trips of valid files, and every kind of malformed file that once
// crashed the readers or made them allocate what the file only declared:
// overflowing shapes, truncated and garbled headers, zip members declaring
// sizes they do not hold, directory fields that run past the archive and
// zip64 offsets that wrap. The archives are built byte by byte here so that
// each field can be falsified on its own.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/Npy.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include "gtest/gtest.h"

#include <chrono>
#include <zlib.h>

using namespace mlir;
using namespace mlir::quantx;

namespace {

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

/// A .npy file with header dict `dict` (padded as np.save pads it) and
/// `data`; `version` 2 has a 32-bit header length.
std::string makeNpy(StringRef dict, StringRef data, int version = 1) {
  size_t prefix = version == 1 ? 10 : 12;
  std::string header = dict.str();
  header.append((64 - (prefix + header.size() + 1) % 64) % 64, ' ');
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += char(version);
  bytes += char(0);
  char length[4];
  llvm::support::endian::write32le(length, header.size());
  bytes.append(length, version == 1 ? 2 : 4);
  return bytes + header + data.str();
}

/// A float32 .npy of the given elements and shape.
std::string makeFloatNpy(ArrayRef<float> values, StringRef shape) {
  return makeNpy(
      ("{'descr': '<f4', 'fortran_order': False, 'shape': " + shape + ", }")
          .str(),
      StringRef(reinterpret_cast<const char *>(values.data()),
                values.size() * sizeof(float)));
}

/// Raw deflate (zip method 8) of `data`.
std::string deflateRaw(StringRef data) {
  z_stream stream{};
  EXPECT_EQ(deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8,
                         Z_DEFAULT_STRATEGY),
            Z_OK);
  std::string out(deflateBound(&stream, data.size()), '\0');
  stream.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
  stream.avail_in = data.size();
  stream.next_out = reinterpret_cast<Bytef *>(out.data());
  stream.avail_out = out.size();
  EXPECT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  return out;
}

/// One member of a zip archive; the declared fields default to the truth.
struct ZipMember {
  std::string name;
  /// The uncompressed contents.
  std::string contents;
  bool deflated = false;
  /// Overrides of what the headers declare.
  std::optional<uint64_t> size, compressedSize, localOffset;
  std::optional<uint32_t> crc;
  std::optional<uint16_t> method, nameLength, extraLength;
  /// Sizes and offset in zip64 extra fields, as np.savez writes big arrays.
  bool zip64 = false;
};

/// Options of the archive as a whole.
struct ZipOptions {
  /// A zip64 end-of-central-directory record, as for more than 65535 members.
  bool zip64 = false;
  std::optional<uint64_t> entries, directoryOffset;
};

void put16(std::string &s, uint16_t v) {
  char b[2];
  llvm::support::endian::write16le(b, v);
  s.append(b, 2);
}
void put32(std::string &s, uint32_t v) {
  char b[4];
  llvm::support::endian::write32le(b, v);
  s.append(b, 4);
}
void put64(std::string &s, uint64_t v) {
  char b[8];
  llvm::support::endian::write64le(b, v);
  s.append(b, 8);
}

/// The bytes of a zip archive of `members`.
std::string makeZip(ArrayRef<ZipMember> members, const ZipOptions &options) {
  std::string archive, directory;
  for (const ZipMember &m : members) {
    std::string data = m.deflated ? deflateRaw(m.contents) : m.contents;
    uint16_t method = m.method.value_or(m.deflated ? 8 : 0);
    uint32_t crc = m.crc.value_or(
        ::crc32(0, reinterpret_cast<const Bytef *>(m.contents.data()),
                m.contents.size()));
    uint64_t size = m.size.value_or(m.contents.size());
    uint64_t compressed = m.compressedSize.value_or(data.size());
    uint64_t offset = m.localOffset.value_or(archive.size());
    auto header = [&](std::string &s, bool central) {
      put16(s, m.zip64 ? 45 : 20); // version needed
      put16(s, 0);                 // flags
      put16(s, method);
      put32(s, 0); // time and date
      put32(s, crc);
      put32(s, m.zip64 ? 0xFFFFFFFF : compressed);
      put32(s, m.zip64 ? 0xFFFFFFFF : size);
      std::string extra;
      if (m.zip64) {
        put16(extra, 1);
        put16(extra, central ? 24 : 16);
        put64(extra, size);
        put64(extra, compressed);
        if (central)
          put64(extra, offset);
      }
      put16(s, central ? m.nameLength.value_or(m.name.size()) : m.name.size());
      put16(s, central ? m.extraLength.value_or(extra.size()) : extra.size());
      if (central) {
        put16(s, 0); // comment length
        put16(s, 0); // disk
        put16(s, 0); // internal attributes
        put32(s, 0); // external attributes
        put32(s, m.zip64 ? 0xFFFFFFFF : offset);
      }
      s += m.name + extra;
    };
    put32(archive, 0x04034b50);
    header(archive, /*central=*/false);
    archive += data;
    put32(directory, 0x02014b50);
    put16(directory, 45); // version made by
    header(directory, /*central=*/true);
  }
  uint64_t directoryOffset = options.directoryOffset.value_or(archive.size());
  uint64_t entries = options.entries.value_or(members.size());
  archive += directory;
  if (options.zip64) {
    uint64_t record = archive.size();
    put32(archive, 0x06064b50);
    put64(archive, 44); // size of the rest of the record
    put16(archive, 45);
    put16(archive, 45);
    put32(archive, 0); // disk
    put32(archive, 0); // directory disk
    put64(archive, entries);
    put64(archive, entries);
    put64(archive, directory.size());
    put64(archive, directoryOffset);
    put32(archive, 0x07064b50); // locator
    put32(archive, 0);
    put64(archive, record);
    put32(archive, 1);
  }
  put32(archive, 0x06054b50);
  put16(archive, 0);
  put16(archive, 0);
  put16(archive, options.zip64 ? 0xFFFF : entries);
  put16(archive, options.zip64 ? 0xFFFF : entries);
  put32(archive, directory.size());
  put32(archive, options.zip64 ? 0xFFFFFFFF : directoryOffset);
  put16(archive, 0); // comment length
  return archive;
}

std::string makeZip(ArrayRef<ZipMember> members) {
  return makeZip(members, ZipOptions());
}

/// The error parsing `bytes` as .npy gives; fails the test on success.
std::string npyError(StringRef bytes) {
  auto array = parseNpy(bytes, "x.npy");
  if (array) {
    ADD_FAILURE() << "parsed as " << array->describe();
    return "";
  }
  return llvm::toString(array.takeError());
}

/// The error parsing `bytes` as .npz gives; fails the test on success.
std::string npzError(StringRef bytes) {
  auto arrays = parseNpz(bytes, "x.npz");
  if (arrays) {
    ADD_FAILURE() << "parsed " << arrays->size() << " arrays";
    return "";
  }
  return llvm::toString(arrays.takeError());
}

/// How the rejections of a broken zip directory by libzip begin.
constexpr const char *kNotAnArchive = "x.npz: not an .npz (zip) archive (";

#define EXPECT_CONTAINS(text, part)                                            \
  EXPECT_TRUE(StringRef(text).contains(part)) << (text)

const float kValues[] = {1.5f, -2, 3, 0.25f, 5, 6};

void expectValues(const NpyArray &array) {
  EXPECT_EQ(array.describe(), "float32[2, 3]");
  ASSERT_EQ(array.data.size(), sizeof(kValues));
  EXPECT_EQ(std::memcmp(array.data.data(), kValues, sizeof(kValues)), 0);
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

TEST(NpyTest, ParsesValidFiles) {
  auto array = parseNpy(makeFloatNpy(kValues, "(2, 3)"), "x.npy");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  expectValues(*array);

  // Version 2 headers, double quotes, a scalar and an empty array.
  array = parseNpy(makeNpy(R"({"descr": "|i1", "fortran_order": False,)"
                           R"( "shape": (3,)})",
                           "abc", 2),
                   "x.npy");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_EQ(array->describe(), "int8[3]");
  array = parseNpy(
      makeNpy("{'descr': '<i4', 'fortran_order': False, 'shape': ()}", "abcd"),
      "x.npy");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_EQ(array->getNumElements(), 1);
  array = parseNpy(
      makeNpy("{'descr': '<f8', 'fortran_order': False, 'shape': (0, 7)}", ""),
      "x.npy");
  ASSERT_TRUE(bool(array)) << llvm::toString(array.takeError());
  EXPECT_EQ(array->getNumElements(), 0);
}

TEST(NpyTest, WriteThenReadMapsTheFile) {
  llvm::SmallString<128> dir;
  ASSERT_FALSE(llvm::sys::fs::createUniqueDirectory("npy-test", dir));
  std::string path = (dir + "/x.npy").str();
  // Big enough that MemoryBuffer maps the file instead of reading it.
  NpyArray array;
  array.dtype = "i4";
  array.shape = {256, 64};
  auto bytes = array.allocate();
  ASSERT_TRUE(bool(bytes)) << llvm::toString(bytes.takeError());
  for (size_t i = 0; i < bytes->size(); ++i)
    (*bytes)[i] = char(i * 7);
  ASSERT_FALSE(bool(writeNpy(path, array)));

  auto read = readNpy(path);
  ASSERT_TRUE(bool(read)) << llvm::toString(read.takeError());
  EXPECT_EQ(read->describe(), "int32[256, 64]");
  ASSERT_EQ(read->data.size(), bytes->size());
  EXPECT_EQ(std::memcmp(read->data.data(), bytes->data(), bytes->size()), 0);
  // The array views the mapping: no copy of the file in memory.
  ASSERT_TRUE(read->storage);
  EXPECT_EQ(read->storage->getBufferKind(),
            llvm::MemoryBuffer::MemoryBuffer_MMap);
  EXPECT_GE(read->data.data(), read->storage->getBufferStart());
  EXPECT_LE(read->data.end(), read->storage->getBufferEnd());
  llvm::sys::fs::remove_directories(dir);
}

TEST(NpyTest, RejectsOverflowingShapes) {
  // 2^62 * 4 bytes * 4 wraps to 0: this shape once passed as "needs 0 bytes".
  EXPECT_CONTAINS(npyError(makeNpy("{'descr': '<f4', 'fortran_order': False, "
                                   "'shape': (4611686018427387904, 1, 4), }",
                                   "")),
                  "x.npy: shape (4611686018427387904, 1, 4) is too large");
  EXPECT_CONTAINS(npyError(makeNpy("{'descr': '<f8', 'fortran_order': False, "
                                   "'shape': (4294967296, 4294967296), }",
                                   "")),
                  "is too large");
  // Fits in int64_t, not in the file.
  EXPECT_CONTAINS(npyError(makeNpy("{'descr': '<f4', 'fortran_order': False, "
                                   "'shape': (1073741824, 1024), }",
                                   "")),
                  "holds 0 bytes of data but float32[1073741824, 1024] needs "
                  "4398046511104");
  NpyArray array;
  array.dtype = "f4";
  array.shape = {int64_t(1) << 62, 4};
  auto bytes = array.allocate();
  ASSERT_FALSE(bool(bytes));
  EXPECT_EQ(llvm::toString(bytes.takeError()),
            "float32[4611686018427387904, 4] is too large");
}

TEST(NpyTest, RejectsTruncatedFiles) {
  std::string valid = makeFloatNpy(kValues, "(2, 3)");
  EXPECT_CONTAINS(npyError(""), "not a .npy file");
  EXPECT_CONTAINS(npyError("not numpy"), "not a .npy file");
  EXPECT_CONTAINS(npyError("\x93NUMPY\x01"), "truncated .npy header");
  EXPECT_CONTAINS(npyError(StringRef("\x93NUMPY\x02\x00\xff\xff", 10)),
                  "truncated .npy header");
  // Header lengths beyond the file, the largest a version 2 header declares.
  EXPECT_CONTAINS(npyError(valid.substr(0, 40)), "truncated .npy header");
  EXPECT_CONTAINS(npyError(StringRef("\x93NUMPY\x02\x00\xff\xff\xff\xff{", 13)),
                  "truncated .npy header");
  EXPECT_CONTAINS(npyError(valid.substr(0, valid.size() - 1)),
                  "holds 23 bytes of data but float32[2, 3] needs 24");
  EXPECT_CONTAINS(npyError(valid + "x"),
                  "holds 25 bytes of data but float32[2, 3] needs 24");
  EXPECT_CONTAINS(npyError(StringRef("\x93NUMPY\x07\x00\x00\x00", 10)),
                  "unsupported .npy version 7");
}

TEST(NpyTest, RejectsMalformedHeaders) {
  auto headerError = [](StringRef dict) { return npyError(makeNpy(dict, "")); };
  for (StringRef dict : {
           "",
           "{",
           "[]",
           "{descr: '<f4', 'fortran_order': False, 'shape': (0,)}",
           "{'descr: '<f4', 'fortran_order': False, 'shape': (0,)}",
           "{'descr': <f4, 'fortran_order': False, 'shape': (0,)}",
           "{'descr': '', 'fortran_order': False, 'shape': (0,)}",
           "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (0,)}",
           "{'descr': '<f4', 'shape': (0,)}",
           "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, "
           "'shape': (0,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (0,), 'x': 1}",
           "{'descr': '<f4', 'fortran_order': False 'shape': (0,)}",
           "{'descr': '<f4', 'fortran_order': False, 'shape': (0,)} junk",
           "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (0,)}",
       })
    EXPECT_CONTAINS(headerError(dict), "malformed .npy header");
  for (StringRef shape : {"(-1,)", "(a,)", "(1 2)", "(1,", "3", "(,)", "(1,,)",
                          "(99999999999999999999,)", "(0x10,)"})
    EXPECT_CONTAINS(headerError(("{'descr': '<f4', 'fortran_order': False, "
                                 "'shape': " +
                                 shape + "}")
                                    .str()),
                    "malformed shape");
  std::string manyDims = "(";
  for (int i = 0; i < 65; ++i)
    manyDims += "1, ";
  EXPECT_CONTAINS(headerError("{'descr': '<f4', 'fortran_order': False, "
                              "'shape': " +
                              manyDims + ")}"),
                  "shape has more than 64 dimensions");
  EXPECT_CONTAINS(
      headerError("{'descr': '>f4', 'fortran_order': False, 'shape': (0,)}"),
      "dtype >f4 is not little-endian");
  EXPECT_CONTAINS(
      headerError("{'descr': '<c8', 'fortran_order': False, 'shape': (0,)}"),
      "unsupported dtype <c8");
  EXPECT_CONTAINS(
      headerError("{'descr': '<f4', 'fortran_order': True, 'shape': (0,)}"),
      "Fortran-order arrays are not supported");
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

TEST(NpzTest, ReadsStoredDeflatedAndZip64Members) {
  std::string npy = makeFloatNpy(kValues, "(2, 3)");
  for (bool deflated : {false, true})
    for (bool zip64 : {false, true}) {
      ZipMember a{"arg0.npy", npy, deflated};
      a.zip64 = zip64;
      ZipMember b{"arg1.npy",
                  makeNpy("{'descr': '|u1', 'fortran_order': "
                          "False, 'shape': (4,), }",
                          "wxyz"),
                  deflated};
      ZipOptions options;
      options.zip64 = zip64;
      auto arrays = parseNpz(makeZip({a, b}, options), "x.npz");
      ASSERT_TRUE(bool(arrays)) << llvm::toString(arrays.takeError());
      ASSERT_EQ(arrays->size(), 2u);
      expectValues(arrays->at("arg0"));
      EXPECT_EQ(arrays->at("arg1").describe(), "uint8[4]");
    }
}

TEST(NpzTest, ReadsHighlyCompressedMembers) {
  // 1 MiB of zeros deflates about 1000 to 1, close to deflate's limit.
  std::string npy =
      makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (262144,)}",
              std::string(1 << 20, '\0'));
  auto arrays = parseNpz(makeZip({{"z.npy", npy, /*deflated=*/true}}), "x.npz");
  ASSERT_TRUE(bool(arrays)) << llvm::toString(arrays.takeError());
  EXPECT_EQ(arrays->at("z").describe(), "float32[262144]");
}

TEST(NpzTest, RejectsWhatIsNotAnArchive) {
  EXPECT_EQ(npzError(""), "x.npz: not an .npz (zip) archive");
  EXPECT_CONTAINS(npzError(std::string(300, 'x')), "not an .npz (zip) archive");
  EXPECT_CONTAINS(npzError(makeFloatNpy(kValues, "(2, 3)")),
                  "not an .npz (zip) archive");
  // A member that is no .npy file.
  EXPECT_CONTAINS(npzError(makeZip({{"a.npy", "hello"}})),
                  "x.npz/a.npy: not a .npy file");
}

TEST(NpzTest, RejectsSizesTheArchiveDoesNotHold) {
  std::string npy = makeFloatNpy(kValues, "(2, 3)");
  // A stored member declaring 2^62 bytes: once std::length_error.
  ZipMember huge{"a.npy", npy};
  huge.zip64 = true;
  huge.size = uint64_t(1) << 62;
  EXPECT_CONTAINS(npzError(makeZip({huge})),
                  "member 'a.npy' declares 4611686018427387904 bytes but "
                  "holds 152 stored bytes");
  huge.compressedSize = huge.size;
  EXPECT_CONTAINS(npzError(makeZip({huge})), kNotAnArchive);

  // A small file declaring a 4 GiB deflated member must fail at once, not
  // allocate 4 GiB first.
  ZipMember bomb{"a.npy", npy, /*deflated=*/true};
  bomb.zip64 = true;
  bomb.size = uint64_t(4) << 30;
  std::string archive = makeZip({bomb});
  EXPECT_LT(archive.size(), 400u);
  auto start = std::chrono::steady_clock::now();
  EXPECT_CONTAINS(npzError(archive), "declares 4294967296 bytes but holds");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(1));

  // Deflate streams that inflate to less or more than declared.
  ZipMember shortMember{"a.npy", npy, /*deflated=*/true};
  shortMember.size = npy.size() + 100;
  EXPECT_CONTAINS(
      npzError(makeZip({shortMember})),
      "member 'a.npy' does not inflate to the 252 bytes it declares");
  ZipMember longMember{"a.npy", npy, /*deflated=*/true};
  longMember.size = npy.size() - 8;
  EXPECT_CONTAINS(npzError(makeZip({longMember})),
                  "member 'a.npy' does not inflate to the 144 bytes it "
                  "declares");

  // Stored sizes that disagree.
  ZipMember stored{"a.npy", npy};
  stored.size = npy.size() - 8;
  EXPECT_CONTAINS(npzError(makeZip({stored})), "declares 144 bytes but holds");

  ZipMember badCrc{"a.npy", npy, /*deflated=*/true};
  badCrc.crc = 1234;
  EXPECT_CONTAINS(npzError(makeZip({badCrc})), "member 'a.npy' is corrupt");

  ZipMember bzip2{"a.npy", npy};
  bzip2.method = 12;
  EXPECT_CONTAINS(npzError(makeZip({bzip2})),
                  "member 'a.npy' uses zip compression method 12");
}

TEST(NpzTest, RejectsDirectoryFieldsPastTheArchive) {
  std::string npy = makeFloatNpy(kValues, "(2, 3)");
  ZipMember longName{"a.npy", npy};
  longName.nameLength = 0xFFFF;
  EXPECT_CONTAINS(npzError(makeZip({longName})), kNotAnArchive);
  ZipMember longExtra{"a.npy", npy};
  longExtra.extraLength = 0xFFFF;
  EXPECT_CONTAINS(npzError(makeZip({longExtra})), kNotAnArchive);
  ZipMember farLocal{"a.npy", npy};
  farLocal.localOffset = 0xFFFFFFF0;
  EXPECT_CONTAINS(npzError(makeZip({farLocal})), kNotAnArchive);

  ZipOptions tooMany;
  tooMany.entries = 3;
  EXPECT_CONTAINS(npzError(makeZip({{"a.npy", npy}}, tooMany)), kNotAnArchive);
  ZipOptions farDirectory;
  farDirectory.directoryOffset = 0xFFFFFF00;
  EXPECT_CONTAINS(npzError(makeZip({{"a.npy", npy}}, farDirectory)),
                  kNotAnArchive);
}

TEST(NpzTest, RejectsWrappingZip64Offsets) {
  std::string npy = makeFloatNpy(kValues, "(2, 3)");
  // offset + 46 wraps to a small number for these.
  for (uint64_t offset : {~uint64_t(0), ~uint64_t(0) - 20, uint64_t(1) << 63}) {
    ZipOptions options;
    options.zip64 = true;
    options.directoryOffset = offset;
    EXPECT_CONTAINS(npzError(makeZip({{"a.npy", npy}}, options)),
                    kNotAnArchive);
    ZipMember local{"a.npy", npy};
    local.zip64 = true;
    local.localOffset = offset;
    ZipOptions zip64;
    zip64.zip64 = true;
    EXPECT_CONTAINS(npzError(makeZip({local}, zip64)), kNotAnArchive);
  }
  // Absurd entry counts must not be allocated for.
  ZipOptions entries;
  entries.zip64 = true;
  entries.entries = uint64_t(1) << 62;
  EXPECT_CONTAINS(npzError(makeZip({{"a.npy", npy}}, entries)), kNotAnArchive);
}

} // namespace
