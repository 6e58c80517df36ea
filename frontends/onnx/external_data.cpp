#include "frontends/onnx/external_data.hpp"

#include <filesystem>
#include <fstream>

#include "onnxrun/error.hpp"

namespace onnxrun {

namespace fs = std::filesystem;

namespace {

bool is_inside(const fs::path& folder, const fs::path& candidate) {
  auto folder_it = folder.begin();
  auto candidate_it = candidate.begin();
  for (; folder_it != folder.end(); ++folder_it, ++candidate_it) {
    if (folder_it->empty()) continue;  // trailing separator
    if (candidate_it == candidate.end() || *folder_it != *candidate_it) return false;
  }
  return true;
}

}  // namespace

std::string read_external_data(const std::string& model_dir, const std::string& location, std::int64_t offset,
                               std::int64_t length, const std::string& where) {
  if (model_dir.empty())
    throw Error(where + ": external data '" + location +
                "' cannot be resolved for a model loaded from bytes without SessionOptions.external_data_dir");
  if (location.empty()) throw Error(where + ": external data has an empty location");
  const fs::path relative(location);
  if (relative.is_absolute() || relative.has_root_name() || relative.has_root_directory())
    throw Error(where + ": external data location '" + location + "' is absolute; it must be relative to the model");
  for (const fs::path& part : relative)
    if (part == "..") throw Error(where + ": external data location '" + location + "' leaves the model's folder");
  if (offset < 0 || length < -1) throw Error(where + ": external data '" + location + "' has a negative offset or length");

  std::error_code error;
  const fs::path folder = fs::canonical(fs::path(model_dir), error);
  if (error) throw Error(where + ": model folder '" + model_dir + "': " + error.message());
  const fs::path file = fs::canonical(folder / relative, error);
  if (error) throw Error(where + ": external data file '" + location + "': " + error.message());
  if (!is_inside(folder, file))
    throw Error(where + ": external data location '" + location + "' resolves to '" + file.string() +
                "', outside the model's folder");
  if (!fs::is_regular_file(file, error)) throw Error(where + ": external data '" + location + "' is not a regular file");
  const std::uintmax_t file_size = fs::file_size(file, error);
  if (error) throw Error(where + ": external data '" + location + "': " + error.message());

  const std::uint64_t start = static_cast<std::uint64_t>(offset);
  if (start > file_size)
    throw Error(where + ": external data offset " + std::to_string(offset) + " is past the end of '" + location +
                "' (" + std::to_string(file_size) + " bytes)");
  const std::uint64_t available = file_size - start;
  const std::uint64_t wanted = length == -1 ? available : static_cast<std::uint64_t>(length);
  if (wanted > available)
    throw Error(where + ": external data '" + location + "' holds " + std::to_string(available) + " bytes after offset " +
                std::to_string(offset) + ", but " + std::to_string(wanted) + " are declared");

  std::ifstream stream(file, std::ios::binary);
  if (!stream) throw Error(where + ": cannot open external data '" + location + "'");
  std::string bytes(static_cast<std::size_t>(wanted), '\0');
  stream.seekg(static_cast<std::streamoff>(start));
  stream.read(bytes.data(), static_cast<std::streamsize>(wanted));
  if (!stream) throw Error(where + ": reading external data '" + location + "' failed");
  return bytes;
}

}  // namespace onnxrun
