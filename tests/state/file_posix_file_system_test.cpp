#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <string>
#include <vector>

#include "protocol/io/posix_file_system.h"
#include "tests/state/file_test_support.h"

using namespace ckptsim;
using ckptsim::testing::bytes_of;
using ckptsim::testing::patterned_bytes;
using ckptsim::testing::ScratchDirectory;

namespace {

Status write_file(FileSystem& fs, const std::string& path, const std::vector<Bytes>& chunks) {
  Result<std::unique_ptr<WritableFile>> file = fs.new_writable_file(path);
  if (!file.is_ok()) return file.status();
  for (const Bytes& chunk : chunks) {
    if (Status s = file.value()->append(chunk); !s.is_ok()) return s;
  }
  if (Status s = file.value()->sync(); !s.is_ok()) return s;
  return file.value()->close();
}

}  // namespace

TEST_CASE("posix fs: appends of every size (buffered and direct) read back in order", "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystemOptions options;
  options.write_buffer_bytes = 64;
  PosixFileSystem fs(options);
  const std::vector<Bytes> chunks{bytes_of("ab"), patterned_bytes(63, 1), patterned_bytes(64, 2), Bytes{},
                                  patterned_bytes(1000, 3), bytes_of("z")};
  REQUIRE(write_file(fs, scratch / "f", chunks).is_ok());
  Bytes expected;
  for (const Bytes& chunk : chunks) expected.insert(expected.end(), chunk.begin(), chunk.end());
  Result<Bytes> read = fs.read_file(scratch / "f", 1 << 20);
  REQUIRE(read.is_ok());
  CHECK(read.value() == expected);
  CHECK(fs.file_size(scratch / "f").value() == expected.size());
  Result<Bytes> range = fs.read_file_range(scratch / "f", 2, 5);
  REQUIRE(range.is_ok());
  CHECK(range.value() == Bytes(expected.begin() + 2, expected.begin() + 7));
}

TEST_CASE("posix fs: without device syncs, sync still writes the buffer out and sync_dir still checks the path",
          "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystemOptions options;
  options.write_buffer_bytes = 64;
  options.sync_to_device = false;  // the simulator's scratch run directory
  PosixFileSystem fs(options);
  Result<std::unique_ptr<WritableFile>> file = fs.new_writable_file(scratch / "f");
  REQUIRE(file.is_ok());
  REQUIRE(file.value()->append(bytes_of("buffered")).is_ok());
  REQUIRE(file.value()->sync().is_ok());
  // Visible to another reader before close: the sync wrote the user-space buffer out.
  CHECK(fs.read_file(scratch / "f", 1 << 10).value() == bytes_of("buffered"));
  REQUIRE(file.value()->close().is_ok());
  CHECK(fs.sync_dir(scratch.path()).is_ok());
  CHECK(fs.sync_dir(scratch / "missing").code() == StatusCode::kNotFound);
}

TEST_CASE("posix fs: directories are created idempotently, listed sorted, removed when empty",
          "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  const std::string dir = scratch / "d";
  REQUIRE(fs.create_dir(dir).is_ok());
  CHECK(fs.create_dir(dir).is_ok());  // already there: fine
  REQUIRE(write_file(fs, dir + "/b", {bytes_of("1")}).is_ok());
  REQUIRE(write_file(fs, dir + "/a", {bytes_of("2")}).is_ok());
  REQUIRE(fs.create_dir(dir + "/c").is_ok());
  Result<std::vector<DirEntry>> entries = fs.list_dir(dir, 16);
  REQUIRE(entries.is_ok());
  CHECK(entries.value() == std::vector<DirEntry>{{"a", false}, {"b", false}, {"c", true}});
  CHECK(fs.list_dir(dir, 2).status().code() == StatusCode::kResourceExhausted);
  CHECK(fs.sync_dir(dir).is_ok());
  CHECK(fs.remove_dir(dir).code() == StatusCode::kIoError);  // not empty
  REQUIRE(fs.remove_file(dir + "/a").is_ok());
  REQUIRE(fs.remove_file(dir + "/b").is_ok());
  REQUIRE(fs.remove_dir(dir + "/c").is_ok());
  CHECK(fs.remove_dir(dir).is_ok());
  CHECK_FALSE(fs.exists(dir).value());
}

TEST_CASE("posix fs: missing paths are kNotFound, oversize reads are refused", "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  CHECK(fs.read_file(scratch / "nope", 10).status().code() == StatusCode::kNotFound);
  CHECK(fs.file_size(scratch / "nope").status().code() == StatusCode::kNotFound);
  CHECK(fs.remove_file(scratch / "nope").code() == StatusCode::kNotFound);
  CHECK(fs.remove_dir(scratch / "nope").code() == StatusCode::kNotFound);
  CHECK(fs.list_dir(scratch / "nope", 10).status().code() == StatusCode::kNotFound);
  CHECK(fs.new_writable_file(scratch / "nope/f").status().code() == StatusCode::kNotFound);
  CHECK(fs.create_dir(scratch / "nope/deeper").code() == StatusCode::kNotFound);
  CHECK_FALSE(fs.exists(scratch / "nope").value());
  REQUIRE(write_file(fs, scratch / "big", {patterned_bytes(100, 0)}).is_ok());
  CHECK(fs.read_file(scratch / "big", 99).status().code() == StatusCode::kResourceExhausted);
  CHECK(fs.read_file_range(scratch / "big", 90, 11).status().code() == StatusCode::kIoError);
}

TEST_CASE("posix fs: rename replaces the target atomically and new files truncate", "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  REQUIRE(write_file(fs, scratch / "old", {bytes_of("old content")}).is_ok());
  REQUIRE(write_file(fs, scratch / "new", {bytes_of("new")}).is_ok());
  REQUIRE(fs.rename(scratch / "new", scratch / "old").is_ok());
  CHECK(fs.read_file(scratch / "old", 100).value() == bytes_of("new"));
  CHECK_FALSE(fs.exists(scratch / "new").value());
  CHECK(fs.rename(scratch / "new", scratch / "other").code() == StatusCode::kNotFound);
  REQUIRE(write_file(fs, scratch / "old", {bytes_of("x")}).is_ok());
  CHECK(fs.read_file(scratch / "old", 100).value() == bytes_of("x"));
}

TEST_CASE("posix fs: a writer destroyed without close releases its file and flushes", "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  {
    Result<std::unique_ptr<WritableFile>> file = fs.new_writable_file(scratch / "f");
    REQUIRE(file.is_ok());
    REQUIRE(file.value()->append(bytes_of("buffered")).is_ok());
  }
  CHECK(fs.read_file(scratch / "f", 100).value() == bytes_of("buffered"));
  Result<std::unique_ptr<WritableFile>> file = fs.new_writable_file(scratch / "g");
  REQUIRE(file.is_ok());
  CHECK(file.value()->close().is_ok());
  CHECK(file.value()->close().is_ok());  // a second close is harmless
}

TEST_CASE("posix fs: errors name the call and the path", "[unit][file-storage]") {
  ScratchDirectory scratch;
  PosixFileSystem fs;
  REQUIRE(write_file(fs, scratch / "file", {bytes_of("x")}).is_ok());
  const Status status = fs.create_dir(scratch / "file");
  CHECK(status.code() == StatusCode::kIoError);
  CHECK_THAT(status.message(), Catch::Contains(scratch / "file"));
  CHECK(posix_error("open", "/p", ENOSPC).code() == StatusCode::kResourceExhausted);
  CHECK(posix_error("open", "/p", ENOENT).code() == StatusCode::kNotFound);
  CHECK_THAT(posix_error("fsync", "/p", EIO).message(), Catch::Contains("fsync(/p)"));
}
