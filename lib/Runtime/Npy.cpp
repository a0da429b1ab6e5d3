//===- Npy.cpp - NumPy .npy and .npz files --------------------------------===//

#include "quant-x/Runtime/Npy.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"
#include <zlib.h>

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

static const DtypeInfo *lookupDtype(StringRef dtype) {
  for (const DtypeInfo &info : kDtypes)
    if (dtype == info.dtype)
      return &info;
  return nullptr;
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

/// The value of `key` in a .npy header dict, up to the next ',' at depth 0.
static std::optional<StringRef> getHeaderValue(StringRef header,
                                               StringRef key) {
  size_t at = header.find(("'" + key + "'").str());
  if (at == StringRef::npos)
    return std::nullopt;
  StringRef rest = header.drop_front(at + key.size() + 2).ltrim(" :");
  int depth = 0;
  for (size_t i = 0; i < rest.size(); ++i) {
    char c = rest[i];
    if (c == '(')
      ++depth;
    else if (c == ')')
      --depth;
    if ((c == ',' && depth == 0) || c == '}' || depth < 0)
      return rest.take_front(i + (c == ')' ? 1 : 0)).trim();
  }
  return std::nullopt;
}

Expected<NpyArray> mlir::quantx::parseNpy(StringRef bytes, const Twine &name) {
  auto fail = [&](const Twine &why) -> Error {
    return createStringError(llvm::inconvertibleErrorCode(), name + ": " + why);
  };
  if (!bytes.starts_with("\x93NUMPY") || bytes.size() < 10)
    return fail("not a .npy file (no \\x93NUMPY magic)");
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
  if (headerStart + headerLength > bytes.size())
    return fail("truncated .npy header");
  StringRef header = bytes.substr(headerStart, headerLength);
  std::optional<StringRef> descr = getHeaderValue(header, "descr");
  std::optional<StringRef> fortran = getHeaderValue(header, "fortran_order");
  std::optional<StringRef> shape = getHeaderValue(header, "shape");
  if (!descr || !fortran || !shape)
    return fail("malformed .npy header '" + header.trim() + "'");
  NpyArray array;
  StringRef dtype = descr->trim("'\"");
  // '<' little-endian, '|' not applicable (1 byte), '=' native (x86: little).
  if (dtype.size() < 2 || !StringRef("<|=").contains(dtype[0]))
    return fail("dtype " + dtype + " is not little-endian");
  array.dtype = dtype.drop_front().str();
  if (!lookupDtype(array.dtype))
    return fail("unsupported dtype " + dtype +
                " (float32, float64, int8, uint8, int16, int32, int64)");
  if (*fortran != "False")
    return fail("Fortran-order arrays are not supported; save a C-order "
                "array (np.ascontiguousarray)");
  SmallVector<StringRef> dims;
  shape->trim("() ").split(dims, ',', -1, /*KeepEmpty=*/false);
  for (StringRef dim : dims) {
    int64_t d;
    if (dim.trim().getAsInteger(10, d) || d < 0)
      return fail("malformed shape " + *shape);
    array.shape.push_back(d);
  }
  size_t dataStart = headerStart + headerLength;
  size_t expected = array.getNumElements() * array.getElementSize();
  if (bytes.size() - dataStart != expected)
    return fail("holds " + Twine(bytes.size() - dataStart) +
                " bytes of data but " + array.describe() + " needs " +
                Twine(expected));
  array.data.assign(bytes.begin() + dataStart, bytes.end());
  return array;
}

static Expected<std::unique_ptr<llvm::MemoryBuffer>> readFile(StringRef path) {
  auto buffer = llvm::MemoryBuffer::getFile(path, /*IsText=*/false,
                                            /*RequiresNullTerminator=*/false);
  if (!buffer)
    return createStringError(buffer.getError(),
                             "cannot read '" + path +
                                 "': " + buffer.getError().message());
  return std::move(*buffer);
}

Expected<NpyArray> mlir::quantx::readNpy(StringRef path) {
  auto buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  return parseNpy((*buffer)->getBuffer(), path);
}

/// Raw deflate (zip method 8) of `compressed` into `size` bytes.
static Expected<std::string> inflateRaw(StringRef compressed, size_t size,
                                        const Twine &name) {
  std::string out(size, '\0');
  z_stream stream{};
  if (inflateInit2(&stream, -MAX_WBITS) != Z_OK)
    return createStringError(llvm::inconvertibleErrorCode(),
                             "zlib initialization failed");
  stream.next_in =
      reinterpret_cast<Bytef *>(const_cast<char *>(compressed.data()));
  stream.avail_in = compressed.size();
  stream.next_out = reinterpret_cast<Bytef *>(out.data());
  stream.avail_out = size;
  int status = inflate(&stream, Z_FINISH);
  inflateEnd(&stream);
  if (status != Z_STREAM_END || stream.total_out != size)
    return createStringError(llvm::inconvertibleErrorCode(),
                             name + ": corrupt deflate stream");
  return out;
}

Expected<std::map<std::string, NpyArray>>
mlir::quantx::readNpz(StringRef path) {
  using llvm::support::endian::read16le;
  using llvm::support::endian::read32le;
  using llvm::support::endian::read64le;
  auto buffer = readFile(path);
  if (!buffer)
    return buffer.takeError();
  StringRef bytes = (*buffer)->getBuffer();
  auto fail = [&](const Twine &why) -> Error {
    return createStringError(llvm::inconvertibleErrorCode(), path + ": " + why);
  };
  // The end-of-central-directory record is in the last 64 KiB + 22 bytes.
  size_t eocd = StringRef::npos;
  for (size_t i = bytes.size() >= 22 ? bytes.size() - 22 : 0;
       i + 22 <= bytes.size() && i + 65558 >= bytes.size(); --i) {
    if (read32le(bytes.data() + i) == 0x06054b50) {
      eocd = i;
      break;
    }
    if (i == 0)
      break;
  }
  if (eocd == StringRef::npos)
    return fail("not an .npz (zip) archive");
  uint64_t entries = read16le(bytes.data() + eocd + 10);
  uint64_t offset = read32le(bytes.data() + eocd + 16);
  // Zip64: the real values are in the zip64 end-of-central-directory record.
  if ((entries == 0xFFFF || offset == 0xFFFFFFFF) && eocd >= 20 &&
      read32le(bytes.data() + eocd - 20) == 0x07064b50) {
    uint64_t record = read64le(bytes.data() + eocd - 12);
    if (record + 56 > bytes.size())
      return fail("corrupt zip64 record");
    entries = read64le(bytes.data() + record + 32);
    offset = read64le(bytes.data() + record + 48);
  }
  std::map<std::string, NpyArray> arrays;
  for (uint64_t e = 0; e < entries; ++e) {
    if (offset + 46 > bytes.size() ||
        read32le(bytes.data() + offset) != 0x02014b50)
      return fail("corrupt central directory");
    const char *entry = bytes.data() + offset;
    unsigned method = read16le(entry + 10);
    uint64_t compressedSize = read32le(entry + 20);
    uint64_t size = read32le(entry + 24);
    unsigned nameLength = read16le(entry + 28);
    unsigned extraLength = read16le(entry + 30);
    unsigned commentLength = read16le(entry + 32);
    uint64_t local = read32le(entry + 42);
    StringRef name(entry + 46, nameLength);
    // Zip64 extra field: the 0xFFFFFFFF fields follow in this order.
    StringRef extra(entry + 46 + nameLength, extraLength);
    while (extra.size() >= 4) {
      unsigned id = read16le(extra.data()), length = read16le(extra.data() + 2);
      StringRef field = extra.substr(4, length);
      if (id == 1) {
        size_t at = 0;
        for (uint64_t *value : {&size, &compressedSize, &local})
          if (*value == 0xFFFFFFFF && at + 8 <= field.size()) {
            *value = read64le(field.data() + at);
            at += 8;
          }
      }
      extra = extra.drop_front(std::min<size_t>(extra.size(), 4 + length));
    }
    offset += 46 + nameLength + extraLength + commentLength;
    if (local + 30 > bytes.size() ||
        read32le(bytes.data() + local) != 0x04034b50)
      return fail("corrupt local header of '" + name + "'");
    uint64_t dataStart = local + 30 + read16le(bytes.data() + local + 26) +
                         read16le(bytes.data() + local + 28);
    if (dataStart + compressedSize > bytes.size())
      return fail("truncated member '" + name + "'");
    StringRef stored = bytes.substr(dataStart, compressedSize);
    std::string inflated;
    if (method == 8) {
      auto data = inflateRaw(stored, size, path + "/" + name);
      if (!data)
        return data.takeError();
      inflated = std::move(*data);
      stored = inflated;
    } else if (method != 0) {
      return fail("member '" + name + "' uses zip compression method " +
                  Twine(method) + " (only stored and deflate are supported)");
    }
    auto array = parseNpy(stored, path + "/" + name);
    if (!array)
      return array.takeError();
    arrays[name.str().substr(0, name.ends_with(".npy") ? name.size() - 4
                                                       : name.size())] =
        std::move(*array);
  }
  return arrays;
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
