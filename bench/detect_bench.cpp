// SPDX-License-Identifier: GPL-2.0-or-later
// What `detect` spends its time on, stage by stage, against synthetic profile databases and a
// synthetic machine in a umockdev testbed. Prints medians of N runs and ratios between runs of
// this same process; it asserts nothing about absolute speed (see bench/README.md).
//
//   umockdev-wrapper suspendfix_detect_bench --machine PREFIX --db 1k=DIR --db 10k=DIR
//       [--shipped DIR] [--runs N] [--json FILE]
//   suspendfix_detect_bench --db 10k=DIR --db-only          (no testbed: database stages only)
//   suspendfix_detect_bench --load-once DIR                 (one load, for callgrind)
//
// PREFIX.umockdev and PREFIX.sysfs come from bench/gen_machine.py, the databases from
// bench/gen_profiles.py. Stages, each timed on its own:
//   walk      list *.yaml below the directory (as profile_database.cpp collects them)
//   read      open/fstat/read/close every file (the texts are then kept in memory)
//   yaml-cpp  yaml-cpp's parser alone, feeding a handler that does nothing
//   libyaml   for comparison, libyaml's event parser over the same texts (when built with it)
//   tree      parse_yaml: yaml-cpp plus the checked YamlNode tree
//   parse     parse_profile: tree plus profile validation, from the in-memory texts
//   load      load_profile_database, the whole thing, from disk
//   index     ProfileIndex construction
//   match     ProfileIndex::match against the testbed's machine
//   total     load + index + match, timed together
//   scan      UdevDeviceSource::scan (no hwdb) in the testbed
//   kmod      a libkmod context and the state of every device's module
// then, with --shipped, scan + load + index + match of the shipped database in one go, and
// (unless --no-scaling) match time against 1,000 to 100,000 in-memory profiles beside a
// devices x profiles loop, to show that matching is indexed.
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <umockdev.h>
#include <unistd.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>
#ifdef SUSPENDFIX_BENCH_LIBYAML
#include <yaml.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hardware/device_source.hpp"
#include "integration/testbed.hpp"
#include "modules/module_backend.hpp"
#include "planner/matcher.hpp"
#include "profiles/profile_database.hpp"
#include "profiles/profile_parser.hpp"
#include "profiles/yaml_tree.hpp"

namespace suspendfix::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

volatile size_t g_sink = 0;  // keeps results alive so that nothing is optimised away

struct Stats {
  double median_ms = 0;  // wall clock
  double min_ms = 0;
  double max_ms = 0;
  double cpu_median_ms = 0;  // this thread's CPU time (user + system): less hurt by a busy machine
  int runs = 0;
  long repeat = 1;  // calls per sample, for stages far below a millisecond
};

double thread_cpu_ms() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

/// Times f: one warm-up call, then `runs` samples. A sample repeats fast calls until it lasts
/// about 5 ms, and reports the time per call.
Stats measure(int runs, const std::function<void()>& f) {
  auto time_calls = [&](long calls) {
    const double cpu_start = thread_cpu_ms();
    const auto start = Clock::now();
    for (long i = 0; i < calls; ++i) f();
    const double wall = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return std::make_pair(wall / calls, (thread_cpu_ms() - cpu_start) / calls);
  };
  const double first = time_calls(1).first;
  long repeat = 1;
  if (first < 5.0) repeat = std::max(1L, static_cast<long>(5.0 / std::max(first, 1e-4)));
  std::vector<double> wall, cpu;
  for (int i = 0; i < runs; ++i) {
    const auto [w, c] = time_calls(repeat);
    wall.push_back(w);
    cpu.push_back(c);
  }
  Stats stats;
  stats.runs = runs;
  stats.repeat = repeat;
  stats.min_ms = *std::min_element(wall.begin(), wall.end());
  stats.max_ms = *std::max_element(wall.begin(), wall.end());
  stats.median_ms = median(wall);
  stats.cpu_median_ms = median(cpu);
  return stats;
}

nlohmann::json to_json(const Stats& stats) {
  return {{"median_ms", stats.median_ms}, {"min_ms", stats.min_ms},
          {"max_ms", stats.max_ms},       {"cpu_median_ms", stats.cpu_median_ms},
          {"runs", stats.runs},           {"calls_per_sample", stats.repeat}};
}

std::string format_ms(double ms) {
  char text[32];
  if (ms >= 100)
    std::snprintf(text, sizeof text, "%.0f ms", ms);
  else if (ms >= 1)
    std::snprintf(text, sizeof text, "%.2f ms", ms);
  else
    std::snprintf(text, sizeof text, "%.1f us", ms * 1000);
  return text;
}

std::string format_ratio(double ratio) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", ratio);
  return text;
}

// --- the database stages -----------------------------------------------------------------

/// The *.yaml files below a directory, keyed by relative name, as profile_database.cpp
/// collects them.
std::map<std::string, fs::path> walk(const fs::path& directory) {
  std::map<std::string, fs::path> files;
  for (fs::recursive_directory_iterator it(directory), end; it != end; ++it) {
    const fs::path& path = it->path();
    if (path.extension() != ".yaml" || it->is_directory()) continue;
    files[path.lexically_relative(directory).generic_string()] = path;
  }
  return files;
}

/// Reads a file the way profile_database.cpp does: open, fstat, read in 16 KiB pieces.
std::string read_text(const fs::path& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  if (fd < 0) throw std::runtime_error("cannot open " + path.string());
  struct stat info {};
  fstat(fd, &info);
  std::string text;
  char buffer[16384];
  for (ssize_t got; (got = read(fd, buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<size_t>(got));
  close(fd);
  return text;
}

/// yaml-cpp's own cost: its parser, feeding events to a handler that drops them.
class NullHandler : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override { ++events; }
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string& value) override {
    events += value.size();
  }
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    ++events;
  }
  void OnMapEnd() override {}
  size_t events = 0;
};

#ifdef SUSPENDFIX_BENCH_LIBYAML
/// libyaml's parser over one text: the events, scalar bytes counted; false on a parse error.
bool libyaml_events(const std::string& text, size_t* events) {
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) return false;
  yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  bool ok = true;
  for (bool done = false; !done;) {
    yaml_event_t event;
    if (!yaml_parser_parse(&parser, &event)) {
      ok = false;
      break;
    }
    if (event.type == YAML_SCALAR_EVENT)
      *events += std::string(reinterpret_cast<const char*>(event.data.scalar.value),
                             event.data.scalar.length)
                     .size();
    ++*events;
    done = event.type == YAML_STREAM_END_EVENT;
    yaml_event_delete(&event);
  }
  yaml_parser_delete(&parser);
  return ok;
}
#endif

struct DatabaseResult {
  std::string label;
  std::string directory;
  size_t files = 0;
  size_t bytes = 0;
  size_t profiles = 0;
  size_t errors = 0;
  size_t matches = 0;
  std::map<std::string, Stats> stages;
};

DatabaseResult bench_database(const std::string& label, const fs::path& directory,
                              const Machine* machine, int runs) {
  DatabaseResult result;
  result.label = label;
  result.directory = directory.string();
  std::cerr << "bench: database " << label << " (" << directory.string() << ")\n";

  const auto files = walk(directory);
  result.files = files.size();
  std::vector<std::pair<std::string, std::string>> texts;  // origin, text
  for (const auto& [relative, path] : files) texts.emplace_back(path.string(), read_text(path));
  for (const auto& [origin, text] : texts) result.bytes += text.size();

  result.stages["walk"] = measure(runs, [&] { g_sink = g_sink + walk(directory).size(); });
  result.stages["read"] = measure(runs, [&] {
    for (const auto& [relative, path] : files) g_sink = g_sink + read_text(path).size();
  });
  result.stages["yaml-cpp"] = measure(runs, [&] {
    for (const auto& [origin, text] : texts) {
      std::istringstream stream{text};
      NullHandler handler;
      YAML::Parser parser(stream);
      while (parser.HandleNextDocument(handler)) {
      }
      g_sink = g_sink + handler.events;
    }
  });
#ifdef SUSPENDFIX_BENCH_LIBYAML
  size_t libyaml_errors = 0;
  result.stages["libyaml"] = measure(runs, [&] {
    size_t events = 0;
    libyaml_errors = 0;
    for (const auto& [origin, text] : texts) libyaml_errors += !libyaml_events(text, &events);
    g_sink = g_sink + events;
  });
  if (libyaml_errors) std::cerr << "bench: libyaml failed on " << libyaml_errors << " files\n";
#endif
  result.stages["tree"] = measure(runs, [&] {
    for (const auto& [origin, text] : texts)
      g_sink = g_sink + parse_yaml(text, origin).entries.size();
  });
  result.stages["parse"] = measure(runs, [&] {
    for (const auto& [origin, text] : texts) {
      std::vector<ProfileError> warnings;
      g_sink = g_sink + parse_profile(text, origin, &warnings).pci.size();
    }
  });
  const std::vector<ProfileDirectory> directories = {{directory, false}};
  result.stages["load"] = measure(runs, [&] {
    g_sink = g_sink + load_profile_database(directories, LoadOptions{}).profiles.size();
  });

  const ProfileDatabase database = load_profile_database(directories, LoadOptions{});
  result.profiles = database.profiles.size();
  result.errors = database.errors.size();
  for (const FileError& error : database.errors)
    std::cerr << "bench: profile error: " << error.what() << "\n";
  result.stages["index"] = measure(runs, [&] {
    ProfileIndex index(database.profiles);
    g_sink = g_sink + sizeof index;
  });
  if (machine) {
    const ProfileIndex index(database.profiles);
    result.matches = index.match(*machine).size();
    result.stages["match"] = measure(runs, [&] { g_sink = g_sink + index.match(*machine).size(); });
    result.stages["total"] = measure(runs, [&] {
      const ProfileDatabase loaded = load_profile_database(directories, LoadOptions{});
      g_sink = g_sink + ProfileIndex(loaded.profiles).match(*machine).size();
    });
    // With the parsed database cached, as the hook and detect load the default search path.
    char cache_template[] = "/tmp/suspendfix-bench-cache-XXXXXX";
    if (const char* cache = mkdtemp(cache_template)) {
      LoadOptions cached;
      cached.cache_directory = cache;
      load_profile_database(directories, cached);  // builds the cache
      result.stages["cached load"] = measure(runs, [&] {
        g_sink = g_sink + load_profile_database(directories, cached).profiles.size();
      });
      result.stages["cached total"] = measure(runs, [&] {
        const ProfileDatabase loaded = load_profile_database(directories, cached);
        if (!loaded.from_cache) std::cerr << "bench: the cache was not used\n";
        g_sink = g_sink + ProfileIndex(loaded.profiles).match(*machine).size();
      });
      std::filesystem::remove_all(cache);
    }
  }
  return result;
}

// --- matching scales with matches, not with devices x profiles ---------------------------

/// n profiles in the generator's mix (PCI ids, some with subsystem ids or a class, a few
/// vendor-wide by class, USB ids, DMI-only models), none matching the machine by accident,
/// plus a fixed few that do. Built in memory so that the sizes can go past what is on disk.
std::vector<Profile> synthetic_profiles(size_t n, const Machine& machine) {
  std::mt19937 random(42);
  auto uniform = [&](unsigned lo, unsigned hi) {
    return std::uniform_int_distribution<unsigned>(lo, hi)(random);
  };
  std::set<uint32_t> pci_ids, usb_ids;
  std::vector<uint16_t> vendors;
  for (const PciDevice& device : machine.pci) {
    pci_ids.insert(uint32_t{device.vendor} << 16 | device.device);
    vendors.push_back(device.vendor);
  }
  for (const UsbDevice& device : machine.usb)
    usb_ids.insert(uint32_t{device.vendor} << 16 | device.product);
  std::sort(vendors.begin(), vendors.end());
  vendors.erase(std::unique(vendors.begin(), vendors.end()), vendors.end());
  while (vendors.size() < 350) vendors.push_back(static_cast<uint16_t>(uniform(0x1100, 0x1fef)));

  auto base = [](size_t i) {
    Profile profile;
    profile.id = "synthetic-" + std::to_string(i);
    profile.relative_name = "synthetic/" + std::to_string(i) + ".yaml";
    profile.actions.unload_bound_module = true;
    return profile;
  };
  std::vector<Profile> profiles;
  profiles.reserve(n);
  // The planted ones: the first PCI device by exact id, another with its subsystem ids, the
  // first USB device.
  if (!machine.pci.empty()) {
    Profile profile = base(profiles.size());
    profile.pci.push_back({machine.pci.front().vendor, machine.pci.front().device, {}, {}, {}});
    profiles.push_back(std::move(profile));
    const PciDevice& device = machine.pci[machine.pci.size() / 2];
    profile = base(profiles.size());
    profile.pci.push_back(
        {device.vendor, device.device, device.subsystem_vendor, device.subsystem_device, {}});
    profiles.push_back(std::move(profile));
  }
  if (!machine.usb.empty()) {
    Profile profile = base(profiles.size());
    profile.usb.push_back({machine.usb.front().vendor, machine.usb.front().product});
    profiles.push_back(std::move(profile));
  }
  while (profiles.size() < n) {
    Profile profile = base(profiles.size());
    const unsigned kind = uniform(0, 99);
    if (kind < 83) {  // PCI by id, 1 to 3 devices of one vendor
      const uint16_t vendor = vendors[uniform(0, static_cast<unsigned>(vendors.size() - 1))];
      for (unsigned k = 0, count = kind < 75 ? 1 : uniform(2, 3); k < count; ++k) {
        uint16_t device;
        do device = static_cast<uint16_t>(uniform(1, 0xfffe));
        while (pci_ids.count(uint32_t{vendor} << 16 | device));
        PciMatch match{vendor, device, {}, {}, {}};
        if (kind % 5 == 0) match.subsystem_vendor = static_cast<uint16_t>(uniform(1, 0xfffe));
        if (kind % 7 == 0) match.class_prefix = std::make_pair(0x0c0330u, 3);
        profile.pci.push_back(match);
      }
    } else if (kind < 85) {  // vendor-wide by class: a class none of the machine's devices has
      const uint16_t vendor = vendors[uniform(0, static_cast<unsigned>(vendors.size() - 1))];
      profile.pci.push_back({vendor, {}, {}, {}, std::make_pair(0x0d11u, 2)});  // "0d11": Bluetooth
    } else if (kind < 97) {                                                     // USB by id
      uint16_t vendor, product;
      do {
        vendor = static_cast<uint16_t>(uniform(0x0400, 0x2fff));
        product = static_cast<uint16_t>(uniform(1, 0xfffe));
      } while (usb_ids.count(uint32_t{vendor} << 16 | product));
      profile.usb.push_back({vendor, product});
    } else {  // a machine model nobody here has
      profile.dmi.emplace_back(DmiField::kSysVendor, "Nobody Inc.");
      profile.dmi.emplace_back(DmiField::kProductName,
                               "Model " + std::to_string(uniform(1, 999)) + "*");
      profile.actions.unload_bound_module = false;
      profile.actions.unload_modules.push_back({"btusb", {}});
    }
    profiles.push_back(std::move(profile));
  }
  return profiles;
}

/// The devices x profiles baseline: every entry of every profile against every device.
size_t naive_match(const std::vector<Profile>& profiles, const Machine& machine) {
  size_t matched = 0;
  for (const Profile& profile : profiles) {
    bool any = false;
    for (const PciMatch& entry : profile.pci)
      for (const PciDevice& device : machine.pci) any = entry.matches(device) || any;
    for (const UsbMatch& entry : profile.usb)
      for (const UsbDevice& device : machine.usb) any = entry.matches(device) || any;
    if (!profile.has_device_match()) any = dmi_matches(profile.dmi, machine.dmi) || any;
    matched += any;
  }
  return matched;
}

struct ScalingPoint {
  size_t profiles = 0;
  size_t dmi_only = 0;
  size_t matches = 0;
  size_t naive_matches = 0;
  Stats index;
  Stats match;
  Stats match_devices;  // the same profiles less the DMI-only ones
  Stats naive;
};

std::vector<ScalingPoint> bench_scaling(const Machine& machine, int runs) {
  std::vector<ScalingPoint> points;
  for (size_t n : {1000, 10000, 100000}) {
    std::cerr << "bench: scaling, " << n << " in-memory profiles\n";
    const std::vector<Profile> profiles = synthetic_profiles(n, machine);
    ScalingPoint point;
    point.profiles = n;
    point.index = measure(runs, [&] {
      ProfileIndex index(profiles);
      g_sink = g_sink + sizeof index;
    });
    const ProfileIndex index(profiles);
    point.matches = index.match(machine).size();
    point.match = measure(runs, [&] { g_sink = g_sink + index.match(machine).size(); });
    // DMI-only profiles have no id to index by: match() checks each of them. Without them:
    std::vector<Profile> devices_only;
    for (const Profile& profile : profiles)
      if (profile.has_device_match()) devices_only.push_back(profile);
    point.dmi_only = profiles.size() - devices_only.size();
    const ProfileIndex device_index(devices_only);
    point.match_devices =
        measure(runs, [&] { g_sink = g_sink + device_index.match(machine).size(); });
    point.naive_matches = naive_match(profiles, machine);
    point.naive = measure(runs, [&] { g_sink = g_sink + naive_match(profiles, machine); });
    points.push_back(point);
  }
  return points;
}

// --- driver ------------------------------------------------------------------------------

struct Options {
  std::string machine;
  std::vector<std::pair<std::string, std::string>> databases;
  std::string shipped;
  std::string json;
  std::string load_once;
  int runs = 11;
  bool db_only = false;
  bool scaling = true;
};

[[noreturn]] void usage(const std::string& problem) {
  std::cerr
      << "suspendfix_detect_bench: " << problem << "\n"
      << "usage: umockdev-wrapper suspendfix_detect_bench --machine PREFIX --db LABEL=DIR... "
         "[--shipped DIR] [--runs N] [--json FILE] [--no-scaling]\n"
      << "       suspendfix_detect_bench --db-only --db LABEL=DIR... [--runs N] [--json FILE]\n"
      << "       suspendfix_detect_bench --load-once DIR\n";
  std::exit(2);
}

Options parse_options(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--machine") {
      options.machine = value();
    } else if (arg == "--db") {
      const std::string spec = value();
      const auto equals = spec.find('=');
      if (equals == std::string::npos) usage("--db wants LABEL=DIR");
      options.databases.emplace_back(spec.substr(0, equals), spec.substr(equals + 1));
    } else if (arg == "--shipped") {
      options.shipped = value();
    } else if (arg == "--runs") {
      options.runs = std::max(1, std::atoi(value().c_str()));
    } else if (arg == "--json") {
      options.json = value();
    } else if (arg == "--load-once") {
      options.load_once = value();
    } else if (arg == "--db-only") {
      options.db_only = true;
    } else if (arg == "--no-scaling") {
      options.scaling = false;
    } else {
      usage("unknown argument " + arg);
    }
  }
  if (options.load_once.empty() && options.databases.empty()) usage("give at least one --db");
  if (!options.db_only && options.load_once.empty() && options.machine.empty())
    usage("give --machine or --db-only");
  return options;
}

void print_database_table(const std::vector<DatabaseResult>& results) {
  const char* stages[] = {"walk", "read",  "yaml-cpp", "libyaml", "tree",        "parse",
                          "load", "index", "match",    "total",   "cached load", "cached total"};
  std::printf(
      "\nProfile database stages: median of %d runs, wall clock and this thread's CPU time\n",
      results.front().stages.begin()->second.runs);
  std::printf("  %-10s", "stage");
  for (const DatabaseResult& result : results)
    std::printf(" %11s %11s", (result.label + " wall").c_str(), (result.label + " cpu").c_str());
  if (results.size() > 1)
    std::printf("  %s/%s wall  cpu", results.back().label.c_str(), results.front().label.c_str());
  std::printf("\n");
  for (const char* stage : stages) {
    if (!results.front().stages.count(stage)) continue;
    std::printf("  %-10s", stage);
    for (const DatabaseResult& result : results)
      std::printf(" %11s %11s", format_ms(result.stages.at(stage).median_ms).c_str(),
                  format_ms(result.stages.at(stage).cpu_median_ms).c_str());
    if (results.size() > 1) {
      const Stats& small = results.front().stages.at(stage);
      const Stats& large = results.back().stages.at(stage);
      std::printf("  %9s %5s", format_ratio(large.median_ms / small.median_ms).c_str(),
                  format_ratio(large.cpu_median_ms / small.cpu_median_ms).c_str());
    }
    std::printf("\n");
  }
  std::printf("  %-10s", "files");
  for (const DatabaseResult& result : results) std::printf(" %23zu", result.files);
  std::printf("\n  %-10s", "KiB");
  for (const DatabaseResult& result : results) std::printf(" %23zu", result.bytes / 1024);
  if (results.front().stages.count("match")) {
    std::printf("\n  %-10s", "matches");
    for (const DatabaseResult& result : results) std::printf(" %23zu", result.matches);
  }
  std::printf("\n  %-10s", "us/profile");
  for (const DatabaseResult& result : results)
    std::printf(" %23.0f",
                1000 * result.stages.at("load").cpu_median_ms / std::max<size_t>(1, result.files));
  std::printf(
      "\n  (For where 'load' goes, count instructions: bench/run.sh --callgrind. Timed apart on a\n"
      "  busy machine, the stages do not add up exactly.)\n");
}

int run(const Options& options) {
  if (!options.load_once.empty()) {  // for valgrind --tool=callgrind
    const ProfileDatabase database =
        load_profile_database({{options.load_once, false}}, LoadOptions{});
    const ProfileIndex index(database.profiles);
    std::printf("loaded %zu profiles, %zu errors\n", database.profiles.size(),
                database.errors.size());
    return database.errors.empty() ? 0 : 1;
  }

  nlohmann::json report;
  report["runs"] = options.runs;
  std::unique_ptr<testing::Testbed> testbed;
  Machine machine;
  bool have_machine = false;
  if (!options.db_only) {
    const auto start = Clock::now();
    testbed = std::make_unique<testing::Testbed>();
    // Only after a testbed exists: umockdev_in_mock_environment() looks at /sys once and
    // remembers the answer.
    if (!testing::Testbed::mocked()) {
      std::cerr
          << "suspendfix_detect_bench: not under umockdev-wrapper; /sys would be the host's.\n"
             "Run it as: umockdev-wrapper suspendfix_detect_bench ... (or use --db-only)\n";
      return 77;
    }
    std::cerr << "bench: loading the testbed from " << options.machine << ".umockdev\n";
    testbed->add_devices(testing::read_file(options.machine + ".umockdev"));
    if (fs::exists(options.machine + ".sysfs"))
      testbed->add_sysfs(testing::read_file(options.machine + ".sysfs"));
    const double setup_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    auto source = make_udev_device_source(DeviceNames::kProperties);
    machine = source->scan();
    have_machine = true;
    const Stats scan = measure(options.runs, [&] { g_sink = g_sink + source->scan().pci.size(); });
    std::printf("Testbed: %zu PCI devices, %zu USB devices (set up in %s, once)\n",
                machine.pci.size(), machine.usb.size(), format_ms(setup_ms).c_str());
    std::printf("  scan (libudev, no hwdb)  %s median, %s min\n", format_ms(scan.median_ms).c_str(),
                format_ms(scan.min_ms).c_str());
    report["testbed"] = {{"pci_devices", machine.pci.size()},
                         {"usb_devices", machine.usb.size()},
                         {"setup_ms", setup_ms},
                         {"scan", to_json(scan)}};

    // The module side of detect: libkmod context and the state of every device's module.
    std::set<std::string> modules;
    for (const PciDevice& device : machine.pci)
      if (!device.module.empty()) modules.insert(device.module);
    const Stats kmod = measure(options.runs, [&] {
      auto backend = make_kmod_backend();
      for (const std::string& module : modules)
        g_sink = g_sink + backend->status(module).holders.size();
    });
    std::printf("  kmod (context + %zu module states)  %s median\n", modules.size(),
                format_ms(kmod.median_ms).c_str());
    report["testbed"]["kmod"] = to_json(kmod);
  }

  std::vector<DatabaseResult> results;
  for (const auto& [label, directory] : options.databases)
    results.push_back(
        bench_database(label, directory, have_machine ? &machine : nullptr, options.runs));
  print_database_table(results);
  for (const DatabaseResult& result : results) {
    nlohmann::json stages;
    for (const auto& [name, stats] : result.stages) stages[name] = to_json(stats);
    report["databases"][result.label] = {{"directory", result.directory},
                                         {"files", result.files},
                                         {"bytes", result.bytes},
                                         {"profiles", result.profiles},
                                         {"errors", result.errors},
                                         {"matches", result.matches},
                                         {"stages", stages}};
  }
  if (results.size() > 1) {
    const auto& small = results.front().stages;
    const auto& large = results.back().stages;
    const char* key = have_machine ? "total" : "load";
    report["ratio_total"] = large.at(key).median_ms / small.at(key).median_ms;
    std::printf("\n  %s: %s / %s = %.2f (files: %.2f)\n", key, results.back().label.c_str(),
                results.front().label.c_str(), large.at(key).median_ms / small.at(key).median_ms,
                static_cast<double>(results.back().files) / results.front().files);
  }

  if (have_machine && !options.shipped.empty()) {
    // detect's own work with the shipped database, in process: scan, load, index, match.
    auto source = make_udev_device_source(DeviceNames::kProperties);
    const std::vector<ProfileDirectory> directories = {{options.shipped, false}};
    const size_t shipped = load_profile_database(directories, LoadOptions{}).profiles.size();
    const Stats pipeline = measure(options.runs, [&] {
      const Machine scanned = source->scan();
      const ProfileDatabase database = load_profile_database(directories, LoadOptions{});
      g_sink = g_sink + ProfileIndex(database.profiles).match(scanned).size();
    });
    std::printf(
        "\nShipped database (%zu profiles): scan + load + index + match in process  %s median\n",
        shipped, format_ms(pipeline.median_ms).c_str());
    report["shipped"] = {
        {"directory", options.shipped}, {"profiles", shipped}, {"pipeline", to_json(pipeline)}};
  }

  if (have_machine && options.scaling) {
    const auto points = bench_scaling(machine, options.runs);
    std::printf(
        "\nMatching cost by database size (in-memory synthetic profiles, %zu PCI + %zu USB "
        "devices;\n"
        "median wall time per call)\n",
        machine.pci.size(), machine.usb.size());
    std::printf("  %9s %12s %12s %9s %22s %18s %8s\n", "profiles", "index build", "match",
                "DMI-only", "match w/o DMI-only", "devices x profiles", "matches");
    for (const ScalingPoint& point : points) {
      std::printf("  %9zu %12s %12s %9zu %22s %18s %4zu/%zu\n", point.profiles,
                  format_ms(point.index.median_ms).c_str(),
                  format_ms(point.match.median_ms).c_str(), point.dmi_only,
                  format_ms(point.match_devices.median_ms).c_str(),
                  format_ms(point.naive.median_ms).c_str(), point.matches, point.naive_matches);
      report["scaling"].push_back({{"profiles", point.profiles},
                                   {"dmi_only", point.dmi_only},
                                   {"matches", point.matches},
                                   {"naive_matches", point.naive_matches},
                                   {"index", to_json(point.index)},
                                   {"match", to_json(point.match)},
                                   {"match_devices_only", to_json(point.match_devices)},
                                   {"naive", to_json(point.naive)}});
    }
    const ScalingPoint& first = points.front();
    const ScalingPoint& last = points.back();
    const double indexed = last.match.median_ms / first.match.median_ms;
    const double devices = last.match_devices.median_ms / first.match_devices.median_ms;
    const double naive = last.naive.median_ms / first.naive.median_ms;
    std::printf(
        "  match %zu/%zu profiles: %.2f indexed, %.2f indexed without DMI-only profiles, "
        "%.2f devices x profiles\n",
        last.profiles, first.profiles, indexed, devices, naive);
    report["scaling_ratio_indexed"] = indexed;
    report["scaling_ratio_indexed_devices_only"] = devices;
    report["scaling_ratio_naive"] = naive;
  }

  if (!options.json.empty()) std::ofstream(options.json) << report.dump(2) << "\n";
  std::fflush(stdout);
  return 0;
}

}  // namespace
}  // namespace suspendfix::bench

int main(int argc, char** argv) {
  try {
    return suspendfix::bench::run(suspendfix::bench::parse_options(argc, argv));
  } catch (const std::exception& error) {
    std::cerr << "suspendfix_detect_bench: " << error.what() << "\n";
    return 1;
  }
}
