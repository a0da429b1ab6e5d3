//===- Npy.cpp - NumPy .npy and .npz files --------------------------------===//
//
// Part of the quant-x Project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
// A .npy file is a magic string, a Python dict literal describing the array
// and the raw elements; it is mapped, not read, so that calibration sets of
// gigabytes cost no RAM. .npz archives are read with libzip, which bounds-
// checks the zip structures; the sizes the members declare are checked here
// before any memory is allocated for them.
//
//===----------------------------------------------------------------------===//

#include "quant-x/Runtime/Npy.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Alignment.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <zip.h>

using namespace mlir;
using namespace mlir::quantx;
using llvm::createStringError;
using llvm::Error;
using llvm::Expected;

namespace {
struct DtypeInfo {
  const char *dtype;
  const char *name;
  size_t size;
};
} // namespace

static constexpr DtypeInfo kDtypes[] = {
    {"f4", "float32", 4}, {"f8", "float64", 8}, {"i1", "int8", 1},
    {"u1", "uint8", 1},   {"i2", "int16", 2},   {"i4", "int32", 4},
    {"i8", "int64", 8},
};

/// NumPy 2's own limit (NPY_MAXDIMS); more is a corrupt header.
static constexpr size_t kMaxRank = 64;
/// Data viewed in place must be aligned for any element type, as the copies
/// in memory of the array's own are; np.save pads headers to 64 bytes.
static constexpr size_t kDataAlignment = alignof(std::max_align_t);
/// Deflate's best ratio: a member cannot inflate to more than this many bytes
/// per compressed byte, so larger declared sizes are lies.
static constexpr uint64_t kMaxDeflateRatio = 1032;
/// The most of a malformed header an error message quotes.
static constexpr size_t kMaxQuoted = 256;
/// The smallest zip archive: an empty end-of-central-directory record.
static constexpr size_t kMinZipSize = 22;

static const DtypeInfo *lookupDtype(StringRef dtype) {
  for (const DtypeInfo &info : kDtypes)
    if (dtype == info.dtype)
      return &info;
  return nullptr;
}

/// The bytes of `shape` elements of `elementSize` bytes, or nullopt when a
/// dimension is negative or the size does not fit in int64_t.
static std::optional<int64_t> getByteSize(ArrayRef<int64_t> shape,
                                          size_t elementSize) {
  int64_t bytes = elementSize;
  for (int64_t d : shape)
    if (d < 0 || llvm::MulOverflow(bytes, d, bytes))
      return std::nullopt;
  return bytes;
}

int64_t NpyArray::getNumElements() const {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

size_t NpyArray::getElementSize() const {
  const DtypeInfo *info = lookupDtype(dtype);
  return info ? info->size : 0;
}

std::string NpyArray::describe() const {
  const DtypeInfo *info = lookupDtype(dtype);
  std::string s = info ? info->name : dtype;
  s += "[";
  llvm::raw_string_ostream os(s);
  llvm::interleaveComma(shape, os);
  os << "]";
  return s;
}

Expected<MutableArrayRef<char>> NpyArray::allocate() {
  std::optional<int64_t> size = getByteSize(shape, getElementSize());
  if (!size)
    return createStringError(describe() + " is too large");
  std::unique_ptr<llvm::WritableMemoryBuffer> buffer =
      llvm::WritableMemoryBuffer::getNewMemBuffer(*size);
  if (!buffer)
    return createStringError("cannot allocate " + Twine(*size) + " bytes for " +
                             describe());
  MutableArrayRef<char> bytes = buffer->getBuffer();
  data = bytes;
  storage = std::move(buffer);
  return bytes;
}

std::string mlir::quantx::getNpyDtype(Type type) {
  if (type.isF32())
    return "f4";
  if (type.isF64())
    return "f8";
  if (auto intType = dyn_cast<IntegerType>(type)) {
    const char *prefix = intType.isUnsigned() ? "u" : "i";
    switch (intType.getWidth()) {
    case 8:
      return std::string(prefix) + "1";
    case 16:
      return intType.isUnsigned() ? "" : "i2";
    case 32:
      return intType.isUnsigned() ? "" : "i4";
    case 64:
      return intType.isUnsigned() ? "" : "i8";
    }
  }
  return "";
}

//===----------------------------------------------------------------------===//
// .npy
//===----------------------------------------------------------------------===//

namespace {
/// The dict of a .npy header, e.g.
/// {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
/// A Python literal: this parser takes what NumPy writes and rejects the rest.
struct NpyHeader {
  StringRef descr;
  StringRef fortranOrder;
  /// The text of the shape tuple, for messages.
  StringRef shapeText;
  SmallVector<int64_t> shape;
};
} // namespace

/// Consumes `token` after any whitespace.
static bool consumeToken(StringRef &s, StringRef token) {
  s = s.ltrim();
  return s.consume_front(token);
}

/// Consumes a quoted string without escapes and returns its contents.
static std::optional<StringRef> consumeString(StringRef &s) {
  s = s.ltrim();
  if (s.empty() || (s[0] != '\'' && s[0] != '"'))
    return std::nullopt;
  size_t end = s.find(s[0], 1);
  if (end == StringRef::npos)
    return std::nullopt;
  StringRef value = s.slice(1, end);
  s = s.drop_front(end + 1);
  return value;
}

/// Consumes a shape tuple: "()", "(5,)" or "(2, 3)".
static Error consumeShape(StringRef &s, NpyHeader &header) {
  StringRef start = s.ltrim();
  auto malformed = [&] {
    // Up to the closing parenthesis or the end of the dict.
    size_t end = std::min(start.find_first_of(")}"), start.size());
    header.shapeText =
        start.take_front(end + (end < start.size() && start[end] == ')'))
            .rtrim();
    return createStringError("malformed shape " + header.shapeText);
  };
  if (!consumeToken(s, "("))
    return malformed();
  while (!consumeToken(s, ")")) {
    StringRef digits = s.ltrim().take_while(llvm::isDigit);
    int64_t d;
    if (digits.empty() || digits.getAsInteger(10, d))
      return malformed();
    if (header.shape.size() == kMaxRank)
      return createStringError("shape has more than " + Twine(kMaxRank) +
                               " dimensions");
    header.shape.push_back(d);
    s = s.ltrim().drop_front(digits.size());
    // "(5)" is not a tuple, but it is unambiguous.
    if (!consumeToken(s, ",") && !s.ltrim().starts_with(")"))
      return malformed();
  }
  header.shapeText = start.take_front(start.size() - s.size());
  return Error::success();
}

/// Parses the header dict; errors say what is wrong without the file name.
static Error parseHeader(StringRef text, NpyHeader &header) {
  auto malformed = [&] {
    // Quote a garbage header of megabytes only in part.
    StringRef quoted = text.trim();
    return createStringError("malformed .npy header '" +
                             quoted.take_front(kMaxQuoted) +
                             (quoted.size() > kMaxQuoted ? "...'" : "'"));
  };
  StringRef s = text;
  if (!consumeToken(s, "{"))
    return malformed();
  bool hasShape = false;
  while (!consumeToken(s, "}")) {
    std::optional<StringRef> key = consumeString(s);
    if (!key || !consumeToken(s, ":"))
      return malformed();
    if (*key == "descr" && header.descr.empty()) {
      std::optional<StringRef> descr = consumeString(s);
      if (!descr || descr->empty())
        return malformed();
      header.descr = *descr;
    } else if (*key == "fortran_order" && header.fortranOrder.empty()) {
      header.fortranOrder = s.ltrim().take_while(llvm::isAlpha);
      if (header.fortranOrder != "False" && header.fortranOrder != "True")
        return malformed();
      s = s.ltrim().drop_front(header.fortranOrder.size());
    } else if (*key == "shape" && !hasShape) {
      if (Error error = consumeShape(s, header))
        return error;
      hasShape = true;
    } else {
      // An unknown or repeated key, as NumPy's reader also refuses.
      return malformed();
    }
    if (!consumeToken(s, ",") && !s.ltrim().starts_with("}"))
      return malformed();
  }
  if (header.descr.empty() || header.fortranOrder.empty() || !hasShape ||
      !s.trim().empty())
    return malformed();
  return Error::success();
}

/// Parses a .npy file in `bytes`. The array views its data in place when
/// `owner` keeps `bytes` alive and the data is aligned, and copies it into
/// memory of its own otherwise.
static Expected<NpyArray>
parseNpyIn(StringRef bytes, const Twine &name,
           std::shared_ptr<llvm::MemoryBuffer> owner) {
  auto fail = [&](const Twine &why) -> Error {
    return createStringError(name + ": " + why);
  };
  if (!bytes.starts_with("\x93NUMPY"))
    return fail("not a .npy file (no \\x93NUMPY magic)");
  if (bytes.size() < 10)
    return fail("truncated .npy header");
  uint8_t major = bytes[6];
  size_t headerLength, headerStart;
  if (major == 1) {
    headerLength = llvm::support::endian::read16le(bytes.data() + 8);
    headerStart = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12)
      return fail("truncated .npy header");
    headerLength = llvm::support::endian::read32le(bytes.data() + 8);
    headerStart = 12;
  } else {
    return fail("unsupported .npy version " + Twine(unsigned(major)));
  }
  if (headerLength > bytes.size() - headerStart)
    return fail("truncated .npy header");
  NpyHeader header;
  if (Error error =
          parseHeader(bytes.substr(headerStart, headerLength), header))
    return fail(llvm::toString(std::move(error)));

  NpyArray array;
  StringRef dtype = header.descr;
  // '<' little-endian, '|' not applicable (1 byte), '=' native (x86: little).
  if (dtype.size() < 2 || !StringRef("<|=").contains(dtype[0]))
    return fail("dtype " + dtype + " is not little-endian");
  array.dtype = dtype.drop_front().str();
  if (!lookupDtype(array.dtype))
    return fail("unsupported dtype " + dtype +
                " (float32, float64, int8, uint8, int16, int32, int64)");
  if (header.fortranOrder != "False")
    return fail("Fortran-order arrays are not supported; save a C-order "
                "array (np.ascontiguousarray)");
  array.shape = std::move(header.shape);
  std::optional<int64_t> expected =
      getByteSize(array.shape, array.getElementSize());
  if (!expected)
    return fail("shape " + header.shapeText + " is too large");
  StringRef data = bytes.drop_front(headerStart + headerLength);
  if (data.size() != uint64_t(*expected))
    return fail("holds " + Twine(data.size()) + " bytes of data but " +
                array.describe() + " needs " + Twine(*expected));
  if (owner && llvm::isAddrAligned(llvm::Align(kDataAlignment), data.data())) {
    array.data = ArrayRef<char>(data.data(), data.size());
    array.storage = std::move(owner);
    return array;
  }
  Expected<MutableArrayRef<char>> copy = array.allocate();
  if (!copy)
    return fail(llvm::toString(copy.takeError()));
  llvm::copy(data, copy->begin());
  return array;
}

Expected<NpyArray> mlir::quantx::parseNpy(StringRef bytes, const Twine &name) {
  return parseNpyIn(bytes, name, /*owner=*/nullptr);
}

/// Maps `path` read-only (small files are read).
static Expected<std::shared_ptr<llvm::MemoryBuffer>> mapFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read '" + path +
                                 "': " + buffer.getError().message());
  return std::shared_ptr<llvm::MemoryBuffer>(std::move(*buffer));
}

Expected<NpyArray> mlir::quantx::readNpy(StringRef path) {
  auto buffer = mapFile(path);
  if (!buffer)
    return buffer.takeError();
  StringRef bytes = (*buffer)->getBuffer();
  return parseNpyIn(bytes, path, std::move(*buffer));
}

//===----------------------------------------------------------------------===//
// .npz
//===----------------------------------------------------------------------===//

namespace {
/// Closes libzip's handles on every way out.
struct ZipCloser {
  void operator()(zip_t *archive) const { zip_discard(archive); }
  void operator()(zip_file_t *file) const { zip_fclose(file); }
};
using ZipArchive = std::unique_ptr<zip_t, ZipCloser>;
using ZipFile = std::unique_ptr<zip_file_t, ZipCloser>;
} // namespace

/// Reads and parses member `index` of an archive of `archiveSize` bytes.
static Expected<NpyArray> readMember(zip_t *archive, zip_uint64_t index,
                                     const zip_stat_t &stat,
                                     uint64_t archiveSize, const Twine &name) {
  std::string memberName = (name + "/" + stat.name).str();
  auto fail = [&](const Twine &why) -> Error {
    return createStringError(name + ": member '" + stat.name + "' " + why);
  };
  constexpr zip_uint64_t needed =
      ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD;
  if ((stat.valid & needed) != needed)
    return fail("has no sizes");
  if (stat.comp_method != ZIP_CM_STORE && stat.comp_method != ZIP_CM_DEFLATE)
    return fail("uses zip compression method " +
                Twine(unsigned(stat.comp_method)) +
                " (only stored and deflate are supported)");
  // Check the declared size before allocating it: libzip trusts it.
  if (stat.comp_size > archiveSize)
    return fail("declares " + Twine(stat.comp_size) +
                " compressed bytes, more than the archive holds");
  bool stored = stat.comp_method == ZIP_CM_STORE;
  // An overflowing bound is no bound: the allocation below fails instead.
  uint64_t maxSize =
      stored
          ? stat.comp_size
          : llvm::checkedMulUnsigned<uint64_t>(stat.comp_size, kMaxDeflateRatio)
                .value_or(UINT64_MAX);
  if (stored ? stat.size != stat.comp_size : stat.size > maxSize)
    return fail("declares " + Twine(stat.size) + " bytes but holds " +
                Twine(stat.comp_size) +
                (stored ? " stored bytes" : " deflated bytes"));
  std::unique_ptr<llvm::WritableMemoryBuffer> buffer =
      llvm::WritableMemoryBuffer::getNewUninitMemBuffer(stat.size, memberName);
  if (!buffer)
    return fail("needs " + Twine(stat.size) +
                " bytes, more than can be allocated");
  ZipFile file(zip_fopen_index(archive, index, 0));
  if (!file)
    return fail("cannot be read: " + Twine(zip_strerror(archive)));
  // A member that inflates to less or more than it declares is corrupt; the
  // read past the end also has libzip check the CRC.
  zip_int64_t read = zip_fread(file.get(), buffer->getBufferStart(), stat.size);
  char extra;
  zip_int64_t excess = read < 0 ? 0 : zip_fread(file.get(), &extra, 1);
  if (read < 0 || excess < 0)
    return fail("is corrupt: " + Twine(zip_file_strerror(file.get())));
  if (uint64_t(read) != stat.size || excess != 0)
    return fail("does not inflate to the " + Twine(stat.size) +
                " bytes it declares");
  StringRef bytes(buffer->getBufferStart(), buffer->getBufferSize());
  return parseNpyIn(bytes, memberName, std::move(buffer));
}

Expected<std::map<std::string, NpyArray>>
mlir::quantx::parseNpz(StringRef bytes, const Twine &name) {
  auto fail = [&](const Twine &why) -> Error {
    return createStringError(name + ": " + why);
  };
  // libzip takes an empty file for an empty archive.
  if (bytes.size() < kMinZipSize)
    return fail("not an .npz (zip) archive");
  zip_error_t error;
  zip_error_init(&error);
  auto takeMessage = [&] {
    std::string message = zip_error_strerror(&error);
    zip_error_fini(&error);
    return message;
  };
  zip_source_t *source = zip_source_buffer_create(bytes.data(), bytes.size(),
                                                  /*freep=*/0, &error);
  if (!source)
    return fail("cannot read the archive: " + takeMessage());
  // ZIP_CHECKCONS: each member's local header must agree with the directory.
  ZipArchive archive(
      zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_source_free(source);
    return fail("not an .npz (zip) archive (" + takeMessage() + ")");
  }
  zip_error_fini(&error);
  std::map<std::string, NpyArray> arrays;
  zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t stat;
    zip_stat_init(&stat);
    if (zip_stat_index(archive.get(), i, 0, &stat) != 0 ||
        !(stat.valid & ZIP_STAT_NAME))
      return fail("corrupt central directory (" +
                  Twine(zip_strerror(archive.get())) + ")");
    auto array = readMember(archive.get(), i, stat, bytes.size(), name);
    if (!array)
      return array.takeError();
    StringRef key = stat.name;
    key.consume_back(".npy");
    arrays[key.str()] = std::move(*array);
  }
  return arrays;
}

Expected<std::map<std::string, NpyArray>>
mlir::quantx::readNpz(StringRef path) {
  auto buffer = mapFile(path);
  if (!buffer)
    return buffer.takeError();
  // The arrays own copies of their members: the mapping can go.
  return parseNpz((*buffer)->getBuffer(), path);
}

Error mlir::quantx::writeNpy(StringRef path, const NpyArray &array) {
  std::string header = "{'descr': '";
  header += array.getElementSize() == 1 ? "|" : "<";
  header += array.dtype + "', 'fortran_order': False, 'shape': (";
  for (int64_t d : array.shape)
    header += std::to_string(d) + ", ";
  // "(5,)" for one dimension, "(2, 3)" for more.
  if (!array.shape.empty())
    header.resize(header.size() - (array.shape.size() == 1 ? 1 : 2));
  header += "), }";
  // Pad with spaces so that the data starts on a 64-byte boundary.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_None);
  if (ec)
    return createStringError(ec,
                             "cannot write '" + path + "': " + ec.message());
  os << "\x93NUMPY" << char(1) << char(0);
  os << char(header.size() & 0xFF) << char(header.size() >> 8);
  os << header;
  os.write(array.data.data(), array.data.size());
  os.close();
  if (os.has_error())
    return createStringError(os.error(), "cannot write '" + path + "'");
  return Error::success();
}
