// Measures `amp fleet DIR --check` on a generated fleet of signed personas
// against the floor of that work: reading every file, one SHA-256 of it and
// one ed25519 verification, on as many threads as amp uses by default.
//
// Usage: fleet_check_bench AMP_BINARY TEMPLATE_PERSONA [COUNT] [RUNS]
//   AMP_BINARY        the amp program to time, e.g. build-bench/amp
//   TEMPLATE_PERSONA  the persona that every generated one copies, with a new name
//   COUNT             personas to generate (default 10000)
//   RUNS              timed runs of each side after one warm-up (default 3)
// After the timed runs, prints how long each step of a check takes on one
// thread, in-process, to show where amp's time goes.
// The fleet is written to a fresh directory under the system temporary
// directory, which is removed at the end. Exit status: 0 when both sides ran
// and every check passed, 1 otherwise, 64 on a usage error.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "amp/audit/history.hpp"
#include "amp/clock.hpp"
#include "amp/crypto/ed25519.hpp"
#include "amp/crypto/key_files.hpp"
#include "amp/crypto/sha256.hpp"
#include "amp/error.hpp"
#include "amp/json/reader.hpp"
#include "amp/json/writer.hpp"
#include "amp/persona/check.hpp"
#include "amp/persona/paths.hpp"
#include "amp/signing/document_files.hpp"
#include "amp/signing/signature.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* bench_key_id = "bench-fleet";

struct BenchOptions {
    fs::path amp;
    fs::path template_persona;
    std::size_t personas = 10000;
    int runs = 3;
};

// The generated fleet: persona files and, for the floor, a detached
// signature of each file's exact bytes.
struct Fleet {
    fs::path root;  // workspace root, containing .ampersona/ and fleet/
    std::vector<fs::path> files;
    std::vector<amp::crypto::Signature> file_signatures;
    amp::crypto::PublicKey public_key{};
    std::uintmax_t total_bytes = 0;
};

// Runs `argv` in `directory` with stdout and stderr sent to the given files,
// and returns its exit status (or 128 + signal number).
int run_process(const std::vector<std::string>& argv, const fs::path& directory, const fs::path& stdout_file,
                const fs::path& stderr_file) {
    const pid_t pid = fork();
    if (pid < 0) throw amp::Error(fmt::format("fork failed for {}", argv.front()));

    if (pid == 0) {
        const int out = open(stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        const int err = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out < 0 || err < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0 ||
            chdir(directory.c_str()) != 0) {
            _exit(127);
        }
        std::vector<char*> args;
        for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
        args.push_back(nullptr);
        execv(args.front(), args.data());
        _exit(127);
    }

    int status = 0;
    if (waitpid(pid, &status, 0) < 0) throw amp::Error(fmt::format("waitpid failed for {}", argv.front()));
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

// Reads a whole file with one fstat and read(2) calls, the least a checker can do.
std::string read_whole_file(const fs::path& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw amp::Error(fmt::format("cannot open {}: {}", path.string(), std::strerror(errno)));

    struct stat info {};
    std::string bytes;
    if (fstat(fd, &info) == 0) bytes.resize(static_cast<std::size_t>(info.st_size));
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t count = read(fd, bytes.data() + done, bytes.size() - done);
        if (count <= 0) break;
        done += static_cast<std::size_t>(count);
    }
    close(fd);
    if (done != bytes.size()) throw amp::Error(fmt::format("cannot read {}", path.string()));
    return bytes;
}

void write_whole_file(const fs::path& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << bytes;
    if (!out.flush()) throw amp::Error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
}

// Runs amp and throws with its output when it exits with anything but 0.
void run_amp_or_throw(const BenchOptions& options, const std::vector<std::string>& arguments, const fs::path& root) {
    std::vector<std::string> argv{options.amp.string()};
    argv.insert(argv.end(), arguments.begin(), arguments.end());
    const int status = run_process(argv, root, root / "amp.out", root / "amp.err");
    if (status != 0) {
        throw amp::Error(fmt::format("{} exited with {}:\n{}{}", fmt::join(argv, " "), status,
                                     read_whole_file(root / "amp.err").substr(0, 2000),
                                     read_whole_file(root / "amp.out").substr(0, 2000)));
    }
}

// Writes COUNT signed copies of the template into ROOT/fleet, and a trust
// store in ROOT that contains the signing key.
Fleet generate_fleet(const BenchOptions& options, const fs::path& root) {
    Fleet fleet;
    fleet.root = root;
    fs::create_directories(root / "fleet");

    amp::Json persona = amp::json::read_file(options.template_persona);
    persona.erase("signature");
    const amp::crypto::SecretKey key = amp::crypto::SecretKey::generate();
    fleet.public_key = key.public_key();
    write_whole_file(root / "bench.pub", amp::crypto::public_key_pem(key.public_key()));
    run_amp_or_throw(options, {"trust", "add", "bench.pub", "--key-id", bench_key_id}, root);

    const amp::TimePoint now = amp::now();
    for (std::size_t i = 0; i < options.personas; ++i) {
        persona["name"] = fmt::format("BenchAgent{:06}", i);
        const amp::Json signed_persona =
            amp::signing::sign_document(persona, amp::signing::SignRequest{key, bench_key_id, "fleet_check_bench", now});
        const std::string text = amp::json::to_pretty(signed_persona);

        const fs::path file = root / "fleet" / fmt::format("agent_{:06}.json", i);
        write_whole_file(file, text);
        fleet.files.push_back(file);
        fleet.file_signatures.push_back(key.sign(text));
        fleet.total_bytes += text.size();
    }
    return fleet;
}

// amp's default worker count for fleet --check: one per hardware thread.
unsigned default_threads() { return std::max(1u, std::thread::hardware_concurrency()); }

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// One timed `amp fleet fleet --check` with the default thread count.
double time_amp_fleet_check(const BenchOptions& options, const Fleet& fleet) {
    const Clock::time_point start = Clock::now();
    run_amp_or_throw(options, {"fleet", "fleet", "--check"}, fleet.root);
    return seconds_since(start);
}

// One timed pass of the floor. Throws if any signature fails, so the work
// cannot be skipped unnoticed.
double time_floor(const Fleet& fleet, unsigned threads) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> failures{0};
    std::atomic<unsigned> digest_sink{0};

    auto work = [&] {
        unsigned sink = 0;
        for (std::size_t i = next++; i < fleet.files.size(); i = next++) {
            const std::string bytes = read_whole_file(fleet.files[i]);
            sink += amp::crypto::sha256(bytes)[0];
            if (!amp::crypto::verify(fleet.public_key, bytes, fleet.file_signatures[i])) ++failures;
        }
        digest_sink += sink;
    };

    const Clock::time_point start = Clock::now();
    std::vector<std::thread> workers;
    for (unsigned i = 1; i < threads; ++i) workers.emplace_back(work);
    work();
    for (std::thread& worker : workers) worker.join();
    const double elapsed = seconds_since(start);

    if (failures > 0) throw amp::Error(fmt::format("floor: {} signatures failed to verify", failures.load()));
    return elapsed;
}

// Microseconds per persona spent in each step of a fleet check, on one
// thread, through the same core functions that `amp fleet --check` calls.
struct StageTimes {
    double read = 0;
    double parse = 0;
    double check_persona = 0;
    double verify_document = 0;
    double verify_history = 0;
    double floor = 0;  // read + SHA-256 + ed25519 verification, as in time_floor
};

StageTimes time_stages(const Fleet& fleet) {
    StageTimes totals;
    amp::signing::TrustStores stores;
    const amp::TimePoint now = amp::now();
    auto add_since = [](double& total, Clock::time_point start) { total += seconds_since(start); };
    std::atomic<unsigned> digest_sink{0};  // keeps the floor's SHA-256 from being optimised away

    for (std::size_t i = 0; i < fleet.files.size(); ++i) {
        const fs::path& file = fleet.files[i];
        Clock::time_point start = Clock::now();
        const std::string bytes = read_whole_file(file);
        add_since(totals.read, start);

        start = Clock::now();
        const amp::Json persona = amp::json::parse(bytes, file.string());
        add_since(totals.parse, start);

        start = Clock::now();
        const amp::persona::CheckReport report = amp::persona::check_persona(persona);
        add_since(totals.check_persona, start);

        start = Clock::now();
        const amp::signing::Verification verification =
            amp::signing::verify_document(persona, amp::signing::KeySource::trust_store(stores.for_file(file), now));
        add_since(totals.verify_document, start);
        if (!verification.valid()) throw amp::Error(fmt::format("{}: {}", file.string(), verification.message));

        start = Clock::now();
        amp::audit::verify_history(amp::persona::resolve(file), stores, now);
        add_since(totals.verify_history, start);

        start = Clock::now();
        const std::string again = read_whole_file(file);
        digest_sink += amp::crypto::sha256(again)[0];
        const bool floor_ok = amp::crypto::verify(fleet.public_key, again, fleet.file_signatures[i]);
        add_since(totals.floor, start);
        if (!floor_ok) throw amp::Error(fmt::format("floor: the signature of {} failed to verify", file.string()));
    }

    const double to_microseconds = 1e6 / static_cast<double>(fleet.files.size());
    for (double* total : {&totals.read, &totals.parse, &totals.check_persona, &totals.verify_document,
                          &totals.verify_history, &totals.floor}) {
        *total *= to_microseconds;
    }
    return totals;
}

void print_stages(const StageTimes& stages) {
    fmt::print("steps on one thread, in-process, microseconds per persona:\n");
    fmt::print("  read {:.1f}  parse {:.1f}  check_persona {:.1f}  verify_document {:.1f}  verify_history {:.1f}"
               "  (sum {:.1f})\n",
               stages.read, stages.parse, stages.check_persona, stages.verify_document, stages.verify_history,
               stages.read + stages.parse + stages.check_persona + stages.verify_document + stages.verify_history);
    fmt::print("  floor (read + SHA-256 + ed25519 verify) {:.1f}\n", stages.floor);
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    const std::size_t middle = values.size() / 2;
    return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

void print_result(std::string_view label, const std::vector<double>& times, std::size_t personas) {
    const double typical = median(times);
    fmt::print("{:<46} median {:8.3f} s  best {:8.3f} s  {:10.0f} personas/s\n", label, typical,
               *std::min_element(times.begin(), times.end()), static_cast<double>(personas) / typical);
}

BenchOptions parse_arguments(int argc, char** argv) {
    if (argc < 3 || argc > 5) {
        throw std::invalid_argument("usage: fleet_check_bench AMP_BINARY TEMPLATE_PERSONA [COUNT] [RUNS]");
    }
    BenchOptions options;
    options.amp = fs::absolute(argv[1]);
    options.template_persona = fs::absolute(argv[2]);
    if (argc > 3) options.personas = std::stoul(argv[3]);
    if (argc > 4) options.runs = std::stoi(argv[4]);
    if (options.personas == 0 || options.runs < 1) throw std::invalid_argument("COUNT and RUNS must be at least 1");
    return options;
}

int run_bench(const BenchOptions& options, const fs::path& root) {
    const Clock::time_point generation_start = Clock::now();
    const Fleet fleet = generate_fleet(options, root);
    const unsigned threads = default_threads();
    fmt::print("fleet: {} signed personas, {:.1f} KiB each on average, in {} (generated in {:.1f} s)\n",
               fleet.files.size(), static_cast<double>(fleet.total_bytes) / fleet.files.size() / 1024,
               (root / "fleet").string(), seconds_since(generation_start));
    fmt::print("threads: {} (amp's default for fleet --check: one per hardware thread)\n", threads);

    // The warm-up pass of each side fills the page cache, so both read from memory.
    time_amp_fleet_check(options, fleet);
    time_floor(fleet, threads);

    std::vector<double> amp_times;
    std::vector<double> floor_times;
    for (int run = 0; run < options.runs; ++run) {
        amp_times.push_back(time_amp_fleet_check(options, fleet));
        floor_times.push_back(time_floor(fleet, threads));
    }

    print_result("amp fleet DIR --check (one process)", amp_times, fleet.files.size());
    print_result("floor: read + SHA-256 + ed25519 verify", floor_times, fleet.files.size());
    const double ratio = median(amp_times) / median(floor_times);
    fmt::print("ratio amp / floor: {:.2f} (aim: at most 3; {})\n", ratio, ratio <= 3.0 ? "met" : "MISSED");

    // Where amp's time goes, for when the aim is missed.
    print_stages(time_stages(fleet));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    BenchOptions options;
    try {
        options = parse_arguments(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << error.what() << '\n';
        return 64;
    }

    const fs::path root = fs::temp_directory_path() / fmt::format("amp-fleet-bench-{}", getpid());
    int status = 1;
    try {
        status = run_bench(options, root);
    } catch (const std::exception& error) {
        std::cerr << "fleet_check_bench: " << error.what() << '\n';
    }
    std::error_code ignored;
    fs::remove_all(root, ignored);
    return status;
}
